package io.sentinel.biometric;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.EnrolReferenceRequest;
import io.sentinel.api.biometric.v1.RecordReviewDecisionRequest;
import io.sentinel.api.biometric.v1.ReviewState;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.biometric.service.AuditActions;
import io.sentinel.biometric.verification.FaceFixtures;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Every change of personal data biometric-svc makes is recorded in the change's own transaction
 * (the record's row version and the changed row's were written by the same PostgreSQL
 * transaction), and a refused change is recorded as refused.
 */
@QuarkusTest
@TestProfile(ManualSealing.class)
class AuditedChangesTest {
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

    BiometricServiceGrpc.BiometricServiceBlockingStub as(String token) {
        return BiometricServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    String monitoredSubject() {
        String subject = UUID.randomUUID().toString();
        intake().putCheckInSchedule(schedule(subject, 1));
        return subject;
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

    SubmitCheckInRequest checkIn(String subject) {
        return SubmitCheckInRequest.newBuilder().setSubjectId(subject).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(3)))
                .setImage(ByteString.copyFrom(AuditedReadsTest.grey())).setContentType("image/jpeg").build();
    }

    static AuditTrail.Entry only(List<AuditTrail.Entry> records) {
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    @Test
    void aCheckInSubmissionIsRecordedInItsTransactionAsTheGatewaysChange() {
        String subject = monitoredSubject();
        CheckIn c = as(TestTokens.token("watch-gw", agency, "device-gateway")).submitCheckIn(checkIn(subject)).getCheckIn();

        AuditTrail.Entry r = only(AuditTrail.of(pool, agency, AuditActions.CHECK_IN_SUBMIT));
        assertThat(r.actor()).isEqualTo("watch-gw");
        assertThat(r.roles()).isEqualTo("device-gateway");
        assertThat(r.subjectIds()).containsExactly(subject);
        assertThat(r.outcome()).isEqualTo("allowed");
        assertThat(r.detail()).isEqualTo("check-in " + c.getCheckInId());
        assertThat(r.xmin()).isEqualTo(AuditTrail.xmin(pool, "check_in", "check_in_id", UUID.fromString(c.getCheckInId())));
    }

    @Test
    void aSubmissionForAnotherAgencysSubjectIsRecordedAsRefused() {
        String subject = monitoredSubject();
        String other = agency + "-other";
        assertThatThrownBy(() -> as(TestTokens.token("gw", other, "device-gateway")).submitCheckIn(checkIn(subject)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        AuditTrail.Entry r = only(AuditTrail.of(pool, other, AuditActions.CHECK_IN_SUBMIT));
        assertThat(r.outcome()).isEqualTo("refused");
        assertThat(r.subjectIds()).containsExactly(subject);
        assertThat(r.detail()).isEqualTo("monitored subject " + subject + " not found");
        assertThat(AuditTrail.of(pool, agency, AuditActions.CHECK_IN_SUBMIT)).isEmpty();
    }

    @Test
    void reviewDecisionsOverGrpcAndRestAreRecordedInTheirTransactionsWithTheStatedPurpose() {
        String subject = monitoredSubject();
        var gateway = as(TestTokens.token("watch-gw", agency, "device-gateway"));
        CheckIn first = gateway.submitCheckIn(checkIn(subject)).getCheckIn();
        CheckIn second = gateway.submitCheckIn(checkIn(subject)).getCheckIn();
        String reviewer = TestTokens.token("rita", agency, "reviewer");

        CheckIn decided = Justify.grpc(as(reviewer)).recordReviewDecision(RecordReviewDecisionRequest.newBuilder()
                .setCheckInId(first.getCheckInId()).setIsMatch(false).setReason("another person").build()).getCheckIn();
        assertThat(decided.getReviewState()).isEqualTo(ReviewState.REVIEW_STATE_CONFIRMED_NO_MATCH);
        given().auth().oauth2(reviewer).contentType("application/json").body("{\"isMatch\": true, \"reason\": \"same person, dim light\"}")
                .post("/api/v1/review-queue/" + second.getCheckInId() + "/decision").then().statusCode(200);

        List<AuditTrail.Entry> records = AuditTrail.of(pool, agency, AuditActions.REVIEW_DECIDE);
        assertThat(records).hasSize(2).allSatisfy(r -> {
            assertThat(r.actor()).isEqualTo("rita");
            assertThat(r.subjectIds()).containsExactly(subject);
            assertThat(r.outcome()).isEqualTo("allowed");
        });
        assertThat(records.get(0).purpose()).isEqualTo(Justify.PURPOSE);
        assertThat(records.get(0).reference()).isEqualTo(Justify.REFERENCE);
        assertThat(records.get(0).detail()).isEqualTo("check-in " + first.getCheckInId());
        // The decision and its record: one transaction.
        assertThat(records.get(0).xmin()).isEqualTo(AuditTrail.xmin(pool, "check_in", "check_in_id", UUID.fromString(first.getCheckInId())));
        assertThat(records.get(1).purpose()).isEmpty();
        assertThat(records.get(1).xmin()).isEqualTo(AuditTrail.xmin(pool, "check_in", "check_in_id", UUID.fromString(second.getCheckInId())));

        // A decision is final: deciding again changes nothing and records no change.
        assertThatThrownBy(() -> as(reviewer).recordReviewDecision(RecordReviewDecisionRequest.newBuilder().setCheckInId(first.getCheckInId())
                .setIsMatch(true).setReason("changed my mind").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThat(AuditTrail.of(pool, agency, AuditActions.REVIEW_DECIDE)).hasSize(2);
    }

    @Test
    void aDecisionOnAnotherAgencysCheckInIsRecordedAsRefusedAndChangesNothing() {
        String subject = monitoredSubject();
        CheckIn c = as(TestTokens.token("watch-gw", agency, "device-gateway")).submitCheckIn(checkIn(subject)).getCheckIn();
        String other = agency + "-other";
        given().auth().oauth2(TestTokens.token("rex", other, "reviewer")).headers(Justify.headers()).contentType("application/json")
                .body("{\"isMatch\": false, \"reason\": \"not them\"}").post("/api/v1/review-queue/" + c.getCheckInId() + "/decision")
                .then().statusCode(404);
        AuditTrail.Entry r = only(AuditTrail.of(pool, other, AuditActions.REVIEW_DECIDE));
        assertThat(r.outcome()).isEqualTo("refused");
        assertThat(r.actor()).isEqualTo("rex");
        assertThat(r.purpose()).isEqualTo(Justify.PURPOSE);
        assertThat(r.subjectIds()).isEmpty();
        assertThat(r.detail()).isEqualTo("check-in " + c.getCheckInId() + " not found");
        assertThat(AuditTrail.of(pool, agency, AuditActions.REVIEW_DECIDE)).isEmpty();
    }

    @Test
    void aReferenceEnrolmentIsRecordedInItsTransaction() {
        String subject = monitoredSubject();
        byte[] face = FaceFixtures.jpeg(FaceFixtures.faceCrops().get(0).image(), 0.95f);
        String referenceId = as(TestTokens.token("alice", agency, "caseworker")).enrolReference(EnrolReferenceRequest.newBuilder()
                .setSubjectId(subject).setImage(ByteString.copyFrom(face)).setContentType("image/jpeg").build()).getReferenceId();

        AuditTrail.Entry r = only(AuditTrail.of(pool, agency, AuditActions.REFERENCE_ENROL));
        assertThat(r.actor()).isEqualTo("alice");
        assertThat(r.subjectIds()).containsExactly(subject);
        assertThat(r.detail()).isEqualTo("reference " + referenceId);
        assertThat(r.xmin()).isEqualTo(AuditTrail.xmin(pool, "reference_image", "reference_id", UUID.fromString(referenceId)));

        // A subject the caseworker's agency does not monitor: refused, recorded, nothing stored.
        String stranger = UUID.randomUUID().toString();
        assertThatThrownBy(() -> as(TestTokens.token("alice", agency, "caseworker")).enrolReference(EnrolReferenceRequest.newBuilder()
                .setSubjectId(stranger).setImage(ByteString.copyFrom(face)).setContentType("image/jpeg").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThat(AuditTrail.of(pool, agency, AuditActions.REFERENCE_ENROL)).hasSize(2).last()
                .satisfies(x -> assertThat(x.outcome()).isEqualTo("refused"))
                .satisfies(x -> assertThat(x.subjectIds()).containsExactly(stranger));
    }

    @Test
    void scheduleGrantsAndPurgeFromEnrollmentAreRecordedInTheirTransactionsAndTheRecordsOutliveThePurge() {
        String subject = monitoredSubject();
        AuditTrail.Entry scheduled = only(AuditTrail.naming(pool, subject, AuditActions.SCHEDULE_PUT));
        assertThat(scheduled.actor()).isEqualTo("enrollment-svc");
        assertThat(scheduled.roles()).isEqualTo("service");
        assertThat(scheduled.agencyId()).isEqualTo(TestTokens.OWN_AGENCY);
        assertThat(scheduled.purpose()).isEmpty();
        assertThat(scheduled.detail()).isEqualTo("version 1");
        assertThat(scheduled.xmin()).isEqualTo(AuditTrail.xmin(pool, "check_in_schedule", "subject_id", UUID.fromString(subject)));
        intake().putCheckInSchedule(schedule(subject, 1));
        assertThat(AuditTrail.naming(pool, subject, AuditActions.SCHEDULE_PUT)).hasSize(2).last()
                .satisfies(x -> assertThat(x.detail()).isEqualTo("version 1 not newer than 1: unchanged"));

        subjectData().putSharingGrants(PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(agency).setVersion(3)
                .addGrants(SharingGrant.newBuilder().setGrantId(UUID.randomUUID().toString()).setAgencyId("police-north")
                        .addCategories(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS).setPurpose("joint case")
                        .setValidUntil(Timestamps.of(Instant.now().plusSeconds(86400))))
                .build());
        AuditTrail.Entry granted = only(AuditTrail.naming(pool, subject, AuditActions.GRANTS_PUT));
        assertThat(granted.detail()).isEqualTo("version 3, 1 grants");
        assertThat(granted.xmin()).isEqualTo(AuditTrail.xmin(pool, "subject_grants", "subject_id", UUID.fromString(subject)));

        as(TestTokens.token("watch-gw", agency, "device-gateway")).submitCheckIn(checkIn(subject));
        String purgeId = UUID.randomUUID().toString();
        var counts = subjectData().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(purgeId)
                .addCategories(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS).build()).getCountsMap();
        assertThat(counts).containsEntry("DATA_CATEGORY_BIOMETRIC_RESULTS", 1L);
        AuditTrail.Entry purged = only(AuditTrail.naming(pool, subject, AuditActions.SUBJECT_PURGE));
        assertThat(purged.actor()).isEqualTo("enrollment-svc");
        assertThat(purged.detail()).isEqualTo("purge " + purgeId + " {\"DATA_CATEGORY_BIOMETRIC_RESULTS\":1}");
        assertThat(purged.xmin()).isEqualTo(AuditTrail.xmin(pool, "purge_run", "purge_id", UUID.fromString(purgeId)));
        // The evidence of who accessed the data stays: the records hold ids and purposes, not the data.
        assertThat(AuditTrail.naming(pool, subject, AuditActions.CHECK_IN_SUBMIT)).hasSize(1);

        subjectData().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(purgeId)
                .addCategories(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS).build());
        assertThat(AuditTrail.naming(pool, subject, AuditActions.SUBJECT_PURGE)).hasSize(2).last()
                .satisfies(x -> assertThat(x.detail()).isEqualTo("purge " + purgeId + " already applied: unchanged"));
    }
}
