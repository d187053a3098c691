package io.sentinel.biometric.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.common.grpc.GrpcErrorMapping;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;
import io.vertx.mutiny.sqlclient.Pool;

/** Tombstones: once a subject is purged here, no late or redelivered schedule or grant brings it back. */
@QuarkusTest
class PurgedSubjectTest {
    @Inject
    Pool pool;

    ManagedChannel channel;
    final String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    BiometricIntakeServiceGrpc.BiometricIntakeServiceBlockingStub intake() {
        return GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc");
    }

    SubjectDataServiceGrpc.SubjectDataServiceBlockingStub subjectData() {
        return GrpcTestChannels.asService(SubjectDataServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc");
    }

    PutCheckInScheduleRequest schedule(String subject, long version) {
        return PutCheckInScheduleRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(agency).setTimeZone("Europe/London")
                .setPerDay(2).setWindowStart("08:00").setWindowEnd("20:00").setVersion(version).setActive(true).build();
    }

    PutSharingGrantsRequest grants(String subject, long version) {
        return PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(agency).setVersion(version)
                .addGrants(SharingGrant.newBuilder().setGrantId(UUID.randomUUID().toString()).setAgencyId("police-north")
                        .addCategories(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS).setPurpose("joint case")
                        .setValidUntil(Timestamps.of(Instant.now().plusSeconds(86400))))
                .build();
    }

    String one(String sql) {
        return String.valueOf(pool.query(sql).executeAndAwait().iterator().next().getValue(0));
    }

    static void refusedAsPurged(Runnable call, String subject) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).startsWith("subject_id: subject " + subject + " was purged (");
            assertThat(e.getTrailers().get(GrpcErrorMapping.REASON_KEY)).isEqualTo("SUBJECT_PURGED");
        });
    }

    @Test
    void aLateDuplicateScheduleOrGrantAfterAPurgeIsRefusedAndRecreatesNothing() {
        String subject = UUID.randomUUID().toString();
        PutCheckInScheduleRequest v1 = schedule(subject, 1);
        intake().putCheckInSchedule(v1);
        subjectData().putSharingGrants(grants(subject, 1));
        String purgeId = UUID.randomUUID().toString();
        subjectData().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(purgeId).build());
        assertThat(one("select count(*) from check_in_schedule where subject_id = '" + subject + "'")).isEqualTo("0");
        assertThat(one("select purge_id from purged_subject where subject_id = '" + subject + "'")).isEqualTo(purgeId);

        refusedAsPurged(() -> intake().putCheckInSchedule(v1), subject);
        refusedAsPurged(() -> intake().putCheckInSchedule(schedule(subject, 2)), subject);
        refusedAsPurged(() -> subjectData().putSharingGrants(grants(subject, 2)), subject);
        assertThat(one("select count(*) from check_in_schedule where subject_id = '" + subject + "'")).isEqualTo("0");
        assertThat(one("select count(*) from subject_grants where subject_id = '" + subject + "'")).isEqualTo("0");
        // Another purge of the subject (a redelivery, or the next run) is still answered.
        subjectData().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(purgeId).build());
        subjectData().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(UUID.randomUUID().toString()).build());
    }

    @Test
    void oneRunPurgesEverySubjectItNames() {
        String purgeId = UUID.randomUUID().toString();
        java.util.List<String> subjects = java.util.List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString(), UUID.randomUUID().toString());
        for (String subject : subjects) {
            intake().putCheckInSchedule(schedule(subject, 1));
        }
        for (String subject : subjects) {
            subjectData().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(purgeId).build());
            assertThat(one("select count(*) from check_in_schedule where subject_id = '" + subject + "'")).isEqualTo("0");
            assertThat(one("select purge_id from purged_subject where subject_id = '" + subject + "'")).isEqualTo(purgeId);
        }
        assertThat(one("select count(*) from purge_run where purge_id = '" + purgeId + "'")).isEqualTo("3");
    }

    @Test
    void aPurgeOfResultsAloneLeavesNoTombstone() {
        String subject = UUID.randomUUID().toString();
        intake().putCheckInSchedule(schedule(subject, 1));
        subjectData().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(UUID.randomUUID().toString())
                .addCategories(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS).build());
        assertThat(one("select count(*) from purged_subject where subject_id = '" + subject + "'")).isEqualTo("0");
        assertThat(intake().putCheckInSchedule(schedule(subject, 2)).getVersion()).isEqualTo(2);
    }
}
