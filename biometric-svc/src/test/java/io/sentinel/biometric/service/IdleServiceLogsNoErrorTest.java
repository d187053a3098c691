package io.sentinel.biometric.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;

/**
 * An idle biometric-svc logged "unexpected failure in a gRPC call ... Parameter at position[3] with
 * class = [io.vertx.mutiny.core.buffer.Buffer]" about twice a minute: a peer call that failed on
 * every redelivery. This runs every path an idle service takes (each scheduled job, and each call
 * enrollment-svc's outbox makes, repeated as a redelivery would) and asserts that none logs an ERROR.
 */
@QuarkusTest
class IdleServiceLogsNoErrorTest {
    @Inject
    PromptScheduler prompts;
    @Inject
    CheckInEventOutbox outbox;
    @Inject
    SourceImageRetention images;

    final List<LogRecord> errors = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    ManagedChannel channel;

    @BeforeEach
    void open() {
        Logger.getLogger("").addHandler(capture);
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        Logger.getLogger("").removeHandler(capture);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    // A stub per call: the helper's deadline starts when the stub is made.
    BiometricIntakeServiceGrpc.BiometricIntakeServiceBlockingStub intake() {
        return GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc");
    }

    SubjectDataServiceGrpc.SubjectDataServiceBlockingStub subjectData() {
        return GrpcTestChannels.asService(SubjectDataServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc");
    }

    @Test
    void theScheduledJobsAndEveryPeerCallRunWithoutLoggingAnError() {
        String subject = UUID.randomUUID().toString();
        String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        PutCheckInScheduleRequest schedule = PutCheckInScheduleRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(agency)
                .setTimeZone("Europe/London").setPerDay(2).setWindowStart("08:00").setWindowEnd("20:00").setVersion(1).setActive(true).build();
        PutSharingGrantsRequest grants = PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(agency).setVersion(1)
                .addGrants(SharingGrant.newBuilder().setGrantId(UUID.randomUUID().toString()).setAgencyId("police-north")
                        .addCategories(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS).setPurpose("joint case")
                        .setValidUntil(Timestamps.of(Instant.now().plusSeconds(86400))))
                .build();
        // Each outbox message twice: a redelivery must be as quiet as the first delivery.
        for (int i = 0; i < 2; i++) {
            intake().putCheckInSchedule(schedule);
            subjectData().putSharingGrants(grants);
            subjectData().putSharingGrants(grants.toBuilder().setVersion(2).build());
        }
        subjectData().exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(subject).build()).forEachRemaining(m -> { });

        // The scheduled jobs, each run as its schedule would, with and without work to do.
        Instant now = Instant.now();
        prompts.planDays(now).await().atMost(Duration.ofSeconds(60));
        prompts.planDays(now.plus(Duration.ofDays(1))).await().atMost(Duration.ofSeconds(60));
        prompts.markMissed(now.plus(Duration.ofDays(2))).await().atMost(Duration.ofSeconds(60));
        outbox.deliverDue().await().atMost(Duration.ofSeconds(60));
        images.deleteExpired(now.plus(Duration.ofDays(400))).await().atMost(Duration.ofSeconds(60));

        String purgeId = UUID.randomUUID().toString();
        PurgeSubjectRequest purge = PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(purgeId).build();
        subjectData().purgeSubject(purge);
        subjectData().purgeSubject(purge);
        prompts.planDays(now).await().atMost(Duration.ofSeconds(60));

        assertThat(errors).extracting(r -> r.getLoggerName() + ": " + r.getMessage()
                + (r.getThrown() == null ? "" : " / " + r.getThrown())).isEmpty();
    }
}
