package io.sentinel.biometric.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

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
import io.sentinel.api.biometric.v1.DisparityStatus;
import io.sentinel.api.biometric.v1.GetGroupReportRequest;
import io.sentinel.api.biometric.v1.GetGroupReportResponse;
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

    /** Seeds n check-ins at once: the algorithm's outcome and where review stands. */
    void seed(String subject, String outcome, String reviewState, int n) {
        pool.preparedQuery("""
                insert into check_in (check_in_id, subject_id, owning_agency_id, captured_at, received_at, content_type, outcome,
                                      outcome_reason, review_state)
                select gen_random_uuid(), $1, $2, now(), now(), 'image/jpeg', $3, 'seeded', $4 from generate_series(1, $5)""")
                .execute(Tuple.of(UUID.fromString(subject), agency, outcome, reviewState, n)).await().atMost(Duration.ofSeconds(10));
    }

    /** Genuine check-ins of a group: automatic MATCHes, and NO_MATCHes a reviewer confirmed as the person. */
    void seedGenuine(String subject, int matched, int notMatched) {
        seed(subject, "VERIFICATION_OUTCOME_MATCH", "REVIEW_STATE_NOT_REQUIRED", matched);
        seed(subject, "VERIFICATION_OUTCOME_NO_MATCH", "REVIEW_STATE_CONFIRMED_MATCH", notMatched);
    }

    GetGroupReportResponse report() {
        return io.sentinel.biometric.Justify.grpc(as(TestTokens.token("audrey", agency, "auditor"))).getGroupReport(GetGroupReportRequest.getDefaultInstance());
    }

    @Test
    void warnsOfAFalseNonMatchDisparityOnlyOnceTheDataSeparateAndSaysHowManyCheckInsWouldTell() {
        String low = subject("group-low");
        String high = subject("group-high");
        // 10 % against 30 % of 20 genuine check-ins each: three times the rate, but intervals of
        // [2.8 %, 30.1 %] and [14.5 %, 51.9 %] cannot tell it apart from 1.5 times.
        seedGenuine(low, 18, 2);
        seedGenuine(high, 14, 6);
        seed(high, "VERIFICATION_OUTCOME_NO_MATCH", "REVIEW_STATE_PENDING", 3);

        GetGroupReportResponse early = report();
        assertThat(early.getReferenceGroup()).isEqualTo("group-low");
        assertThat(early.getConfidenceLevel()).isEqualTo(0.95);
        assertThat(early.getGenuineNeededCap()).isEqualTo(1_000_000);
        GroupVerificationStats h = early.getGroups(0);
        assertThat(h.getGroup()).isEqualTo("group-high");
        assertThat(h.getGenuineCheckIns()).isEqualTo(20);
        assertThat(h.getFalseNonMatches()).isEqualTo(6);
        assertThat(h.getPendingReviews()).isEqualTo(3);
        assertThat(h.getFalseNonMatchRate()).isCloseTo(0.30, within(1e-9));
        assertThat(h.getFalseNonMatchRateLower()).isCloseTo(0.1455, within(1e-4));
        assertThat(h.getFalseNonMatchRateUpper()).isCloseTo(0.5190, within(1e-4));
        assertThat(h.getDisparityStatus()).isEqualTo(DisparityStatus.DISPARITY_STATUS_UNDECIDED);
        assertThat(h.getDisparityWarning()).isFalse();
        // Both groups at 161 genuine check-ins, at these rates, would separate (DisparityRuleTest).
        assertThat(h.getGenuineNeeded()).isEqualTo(161);
        assertThat(h.getMoreGenuineNeeded()).isEqualTo(141);
        assertThat(h.getReferenceMoreGenuineNeeded()).isEqualTo(141);
        assertThat(h.getGenuineNeededExceedsCap()).isFalse();
        assertThat(early.getGroups(1).getDisparityStatus()).isEqualTo(DisparityStatus.DISPARITY_STATUS_REFERENCE);

        // Collect what the report asked for, at the same rates: 170 genuine check-ins each.
        seedGenuine(low, 135, 15);
        seedGenuine(high, 105, 45);

        GetGroupReportResponse later = report();
        GroupVerificationStats h2 = later.getGroups(0);
        assertThat(h2.getFalseNonMatches()).isEqualTo(51);
        assertThat(h2.getGenuineCheckIns()).isEqualTo(170);
        assertThat(h2.getDisparityStatus()).isEqualTo(DisparityStatus.DISPARITY_STATUS_EXCEEDS_FACTOR);
        assertThat(h2.getDisparityWarning()).isTrue();
        assertThat(h2.getFalseNonMatchRateLower()).isGreaterThan(1.5 * later.getGroups(1).getFalseNonMatchRateUpper());
        assertThat(h2.getGenuineNeeded()).isZero();
        assertThat(later.getGroups(1).getDisparityWarning()).isFalse();

        given().auth().oauth2(TestTokens.token("audrey", agency, "auditor")).headers(io.sentinel.biometric.Justify.headers()).get("/api/v1/reports/groups").then().statusCode(200)
                .body("referenceGroup", equalTo("group-low"))
                .body("groups[0].disparityStatus", equalTo("DISPARITY_STATUS_EXCEEDS_FACTOR"))
                .body("groups[0].disparityWarning", equalTo(true))
                .body("groups[0].falseNonMatches", equalTo("51")).body("groups[0].genuineCheckIns", equalTo("170"))
                .body("groups[1].disparityStatus", equalTo("DISPARITY_STATUS_REFERENCE"))
                // Aggregates only: no subject identifier anywhere in the report.
                .body(not(containsString(low))).body(not(containsString(high)));
    }

    @Test
    void aGroupWithinTheFactorIsNotDecidableAndOneWithoutGenuineCheckInsShowsCountsButNoRate() {
        String a = subject("group-a");
        seedGenuine(a, 90, 10);
        String b = subject("group-b");
        seedGenuine(b, 88, 12);
        String c = subject("group-c");
        seed(c, "VERIFICATION_OUTCOME_NO_MATCH", "REVIEW_STATE_CONFIRMED_NO_MATCH", 2);
        seed(c, "VERIFICATION_OUTCOME_INCONCLUSIVE", "REVIEW_STATE_PENDING", 1);

        GetGroupReportResponse r = report();
        assertThat(r.getGroups(1).getDisparityStatus()).isEqualTo(DisparityStatus.DISPARITY_STATUS_NOT_DECIDABLE);
        assertThat(r.getGroups(1).getGenuineNeeded()).isZero();
        GroupVerificationStats gc = r.getGroups(2);
        assertThat(gc.getDisparityStatus()).isEqualTo(DisparityStatus.DISPARITY_STATUS_NO_DATA);
        assertThat(gc.getGenuineCheckIns()).isZero();
        assertThat(gc.hasFalseNonMatchRate()).isFalse();
        assertThat(gc.hasFalseNonMatchRateLower()).isFalse();
        assertThat(gc.getVerifications()).isEqualTo(3);
        assertThat(gc.getConfirmedNoMatches()).isEqualTo(2);
        assertThat(gc.getConfirmedNoMatchRate()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(gc.getConfirmedNoMatchRateLower()).isCloseTo(0.2077, within(1e-4));
        assertThat(gc.getConfirmedNoMatchRateUpper()).isCloseTo(0.9385, within(1e-4));
        assertThat(gc.getPendingReviews()).isEqualTo(1);
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

        var report = io.sentinel.biometric.Justify.grpc(as(TestTokens.token("audrey", agency, "auditor"))).getGroupReport(GetGroupReportRequest.getDefaultInstance());
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
        // The manual-review warning fires on these few check-ins; the fairness warning does not.
        assertThat(report.getReferenceGroup()).isEqualTo("unrecorded");
        assertThat(gb.getGenuineCheckIns()).isEqualTo(18);
        assertThat(gb.getFalseNonMatches()).isEqualTo(4);
        assertThat(gb.getConfirmedNoMatches()).isEqualTo(2);
        assertThat(gb.getDisparityWarning()).isFalse();
        assertThat(gb.getDisparityStatus()).isEqualTo(DisparityStatus.DISPARITY_STATUS_UNDECIDED);
        assertThat(gb.getMoreGenuineNeeded()).isPositive();

        given().auth().oauth2(TestTokens.token("audrey", agency, "auditor")).headers(io.sentinel.biometric.Justify.headers()).get("/api/v1/reports/groups").then().statusCode(200)
                .body("groups[1].group", equalTo("group-b")).body("groups[1].verifications", equalTo("20"))
                .body("groups[1].warning", equalTo(true));
        given().auth().oauth2(TestTokens.token("audrey", agency, "auditor")).headers(io.sentinel.biometric.Justify.headers()).queryParam("from", "yesterday").get("/api/v1/reports/groups")
                .then().statusCode(400);
    }

    @Test
    void onlyAuditorsAndAdminsSeeTheReport() {
        assertThatThrownBy(() -> as(TestTokens.token("carl", agency, "caseworker")).getGroupReport(GetGroupReportRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }
}
