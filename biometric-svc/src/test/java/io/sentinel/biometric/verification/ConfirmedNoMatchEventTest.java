package io.sentinel.biometric.verification;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.EnrolReferenceRequest;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.biometric.v1.RecordReviewDecisionRequest;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.biometric.v1.VerificationOutcome;
import io.sentinel.biometric.service.CheckInEventOutbox;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class ConfirmedNoMatchEventTest {
    @Inject
    Pool pool;
    @Inject
    CheckInEventOutbox outbox;

    ManagedChannel channel;
    String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    BiometricServiceGrpc.BiometricServiceBlockingStub as(String token) {
        return BiometricServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** A subject enrolled with sample face 0 whose check-in shows sample face 5: the algorithm says NO_MATCH. */
    CheckIn noMatchCheckIn() {
        List<FaceFixtures.FaceCrop> faces = FaceFixtures.faceCrops();
        String subject = UUID.randomUUID().toString();
        GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc").putCheckInSchedule(PutCheckInScheduleRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(agency).setTimeZone("Europe/London").setPerDay(2)
                .setWindowStart("08:00").setWindowEnd("20:00").setVersion(1).setActive(true).build());
        as(TestTokens.token("alice", agency, "caseworker")).enrolReference(EnrolReferenceRequest.newBuilder().setSubjectId(subject)
                .setImage(ByteString.copyFrom(FaceFixtures.jpeg(faces.get(0).image(), 0.95f))).setContentType("image/jpeg").build());
        CheckIn c = as(TestTokens.token("watch", agency, "device-gateway")).submitCheckIn(SubmitCheckInRequest.newBuilder()
                .setSubjectId(subject).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(2)))
                .setImage(ByteString.copyFrom(FaceFixtures.jpeg(faces.get(5).image(), 0.9f))).setContentType("image/jpeg").build())
                .getCheckIn();
        assertThat(c.getOutcome()).isEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_NO_MATCH);
        return c;
    }

    CheckIn decide(CheckIn c, boolean isMatch) {
        return as(TestTokens.token("rita", agency, "reviewer")).recordReviewDecision(RecordReviewDecisionRequest.newBuilder()
                .setCheckInId(c.getCheckInId()).setIsMatch(isMatch).setReason("compared with the reference photo").build()).getCheckIn();
    }

    List<Row> events(String subject) {
        List<Row> rows = new java.util.ArrayList<>();
        pool.preparedQuery("""
                select event_id, kind, check_in_id, reviewed_by, occurred_at, attempts, delivered_at, last_error,
                       next_attempt_at > now() as backing_off
                from check_in_event_outbox where subject_id = $1 order by id""")
                .execute(Tuple.of(UUID.fromString(subject))).await().atMost(Duration.ofSeconds(10)).forEach(rows::add);
        return rows;
    }

    @Test
    void anAlgorithmNoMatchAloneSendsNothingToRules() {
        CheckIn c = noMatchCheckIn();
        outbox.deliverDue().await().atMost(Duration.ofSeconds(20));
        assertThat(events(c.getSubjectId())).isEmpty();
    }

    @Test
    void aReviewerConfirmingTheMatchSendsNothingToRules() {
        CheckIn c = noMatchCheckIn();
        decide(c, true);
        assertThat(events(c.getSubjectId())).isEmpty();
    }

    @Test
    void aReviewerConfirmedNoMatchQueuesExactlyOneEventThatBacksOffWhileRulesIsDown() {
        CheckIn c = noMatchCheckIn();
        CheckIn decided = decide(c, false);

        List<Row> rows = events(c.getSubjectId());
        assertThat(rows).hasSize(1);
        Row e = rows.get(0);
        assertThat(e.getString("kind")).isEqualTo("CHECK_IN_EVENT_KIND_FAILED_CONFIRMED");
        assertThat(e.getUUID("check_in_id")).hasToString(c.getCheckInId());
        assertThat(e.getString("reviewed_by")).isEqualTo("rita");
        assertThat(e.getUUID("event_id")).isNotNull();
        assertThat(e.getOffsetDateTime("occurred_at").toInstant()).isEqualTo(Timestamps.required("reviewed_at", decided.getReviewedAt()));

        // rules-svc is unreachable in tests (test-port 1): the head of the queue fails and backs off with
        // the error, and every later event (this one, unless it is the head) waits behind it, undelivered.
        outbox.deliverDue().await().atMost(Duration.ofSeconds(20));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Row head = pool.query("""
                    select id, event_id, attempts, last_error from check_in_event_outbox
                    where delivered_at is null and next_attempt_at <> 'infinity' order by id limit 1""").execute()
                    .await().atMost(Duration.ofSeconds(10)).iterator().next();
            assertThat(head.getInteger("attempts")).isGreaterThanOrEqualTo(1);
            assertThat(head.getString("last_error")).startsWith("UNAVAILABLE");
            Row mine = events(c.getSubjectId()).get(0);
            assertThat(mine.getOffsetDateTime("delivered_at")).isNull();
            if (!head.getUUID("event_id").equals(mine.getUUID("event_id"))) {
                assertThat(mine.getInteger("attempts")).isZero();
            }
        });
        // A repeated decision is refused, so the event is never queued twice.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decide(c, false)).isInstanceOf(io.grpc.StatusRuntimeException.class);
        assertThat(events(c.getSubjectId())).hasSize(1);
    }
}
