package io.sentinel.biometric.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
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
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.GetGroupReportRequest;
import io.sentinel.api.biometric.v1.GroupVerificationStats;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class GroupReportServiceTest {
    @Inject
    Pool pool;

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

    String subject(String group) {
        String subject = UUID.randomUUID().toString();
        GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc").putCheckInSchedule(PutCheckInScheduleRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(agency).setTimeZone("Europe/London").setPerDay(1)
                .setWindowStart("08:00").setWindowEnd("20:00").setVersion(1).setActive(true).setDemographicGroup(group).build());
        return subject;
    }

    /** Seeds n check-ins of a subject in one review state (the algorithm's result is not what is counted here). */
    void seed(String subject, String reviewState, int n) {
        for (int i = 0; i < n; i++) {
            pool.preparedQuery("""
                    insert into check_in (check_in_id, subject_id, owning_agency_id, captured_at, received_at, content_type, outcome,
                                          outcome_reason, review_state)
                    values ($1, $2, $3, now(), now(), 'image/jpeg', $4, 'seeded', $5)""")
                    .execute(Tuple.of(UUID.randomUUID(), UUID.fromString(subject), agency,
                            reviewState.equals("REVIEW_STATE_NOT_REQUIRED") ? "VERIFICATION_OUTCOME_MATCH" : "VERIFICATION_OUTCOME_NO_MATCH",
                            reviewState))
                    .await().atMost(Duration.ofSeconds(10));
        }
    }

    @Test
    void reportsRatesPerGroupWithRatiosToTheBestAndWarnsOnManualReview() {
        String a = subject("group-a");
        seed(a, "REVIEW_STATE_NOT_REQUIRED", 18);
        seed(a, "REVIEW_STATE_CONFIRMED_MATCH", 2);
        String b = subject("group-b");
        seed(b, "REVIEW_STATE_NOT_REQUIRED", 14);
        seed(b, "REVIEW_STATE_CONFIRMED_MATCH", 4);
        seed(b, "REVIEW_STATE_CONFIRMED_NO_MATCH", 2);
        String none = subject("");
        seed(none, "REVIEW_STATE_NOT_REQUIRED", 5);

        var report = as(TestTokens.token("audrey", agency, "auditor")).getGroupReport(GetGroupReportRequest.getDefaultInstance());
        assertThat(report.getWarningFactor()).isEqualTo(1.5);
        assertThat(report.getGroupsList()).extracting(GroupVerificationStats::getGroup).containsExactly("group-a", "group-b", "unrecorded");
        GroupVerificationStats ga = report.getGroups(0);
        GroupVerificationStats gb = report.getGroups(1);
        assertThat(ga.getVerifications()).isEqualTo(20);
        assertThat(ga.getAutoMatchRate()).isCloseTo(0.9, within(1e-9));
        assertThat(ga.getManualReviewRate()).isCloseTo(0.1, within(1e-9));
        assertThat(gb.getManualReviewRate()).isCloseTo(0.3, within(1e-9));
        assertThat(gb.getConfirmedNoMatchRate()).isCloseTo(0.1, within(1e-9));
        assertThat(gb.getAutoMatchRatioToBest()).isCloseTo(0.7 / 1.0, within(1e-9)); // "unrecorded" matched all 5
        // Best manual-review rate is 0 (unrecorded): every group with manual reviews is flagged.
        assertThat(gb.getManualReviewRatioToBest()).isInfinite();
        assertThat(gb.getWarning()).isTrue();
        assertThat(report.getGroups(2).getWarning()).isFalse();

        given().auth().oauth2(TestTokens.token("audrey", agency, "auditor")).get("/api/v1/reports/groups").then().statusCode(200)
                .body("groups[1].group", equalTo("group-b")).body("groups[1].verifications", equalTo("20"))
                .body("groups[1].warning", equalTo(true));
        given().auth().oauth2(TestTokens.token("audrey", agency, "auditor")).queryParam("from", "yesterday").get("/api/v1/reports/groups")
                .then().statusCode(400);
    }

    @Test
    void onlyAuditorsAndAdminsSeeTheReport() {
        assertThatThrownBy(() -> as(TestTokens.token("carl", agency, "caseworker")).getGroupReport(GetGroupReportRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }
}
