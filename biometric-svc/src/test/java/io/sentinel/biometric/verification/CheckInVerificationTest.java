package io.sentinel.biometric.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.EnrolReferenceRequest;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.biometric.v1.ReviewState;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.biometric.v1.VerificationOutcome;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/** The real face model behind the gRPC API: enrolment, automatic MATCH, and everything else to a reviewer. */
@QuarkusTest
class CheckInVerificationTest {
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

    String monitoredSubject() {
        String subject = UUID.randomUUID().toString();
        GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc").putCheckInSchedule(PutCheckInScheduleRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(agency).setTimeZone("Europe/London").setPerDay(2)
                .setWindowStart("08:00").setWindowEnd("20:00").setVersion(1).setActive(true).build());
        return subject;
    }

    CheckIn checkIn(String subject, byte[] jpeg) {
        return as(TestTokens.token("watch", agency, "device-gateway")).submitCheckIn(SubmitCheckInRequest.newBuilder()
                .setSubjectId(subject).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(2)))
                .setImage(ByteString.copyFrom(jpeg)).setContentType("image/jpeg").build()).getCheckIn();
    }

    @Test
    void theEnrolledPersonMatchesAutomaticallyAndAnotherPersonGoesToAReviewer() {
        List<FaceFixtures.FaceCrop> faces = FaceFixtures.faceCrops();
        String subject = monitoredSubject();
        var caseworker = as(TestTokens.token("alice", agency, "caseworker"));
        var enrolled = caseworker.enrolReference(EnrolReferenceRequest.newBuilder().setSubjectId(subject)
                .setImage(ByteString.copyFrom(FaceFixtures.jpeg(faces.get(0).image(), 0.95f))).setContentType("image/jpeg").build());
        assertThat(enrolled.getModelId()).startsWith("fr-");

        CheckIn same = checkIn(subject, FaceFixtures.jpeg(FaceFixtures.darkened(faces.get(0).image(), 0.7), 0.8f));
        assertThat(same.getOutcome()).isEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_MATCH);
        assertThat(same.getReviewState()).isEqualTo(ReviewState.REVIEW_STATE_NOT_REQUIRED);
        assertThat(same.getSimilarity()).isGreaterThanOrEqualTo(FaceVerifier.MATCH_THRESHOLD);

        CheckIn other = checkIn(subject, FaceFixtures.jpeg(faces.get(5).image(), 0.9f));
        assertThat(other.getOutcome()).isNotEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_MATCH);
        assertThat(other.getReviewState()).isEqualTo(ReviewState.REVIEW_STATE_PENDING);
    }

    @Test
    void theReviewerGetsTheProbeAndTheReferencePhotosOfAPendingCheckIn() {
        List<FaceFixtures.FaceCrop> faces = FaceFixtures.faceCrops();
        String subject = monitoredSubject();
        byte[] reference = FaceFixtures.jpeg(faces.get(1).image(), 0.95f);
        String referenceId = as(TestTokens.token("alice", agency, "caseworker")).enrolReference(EnrolReferenceRequest.newBuilder()
                .setSubjectId(subject).setImage(ByteString.copyFrom(reference)).setContentType("image/jpeg").build()).getReferenceId();
        byte[] probe = FaceFixtures.jpeg(faces.get(6).image(), 0.9f);
        CheckIn pending = checkIn(subject, probe);
        assertThat(pending.getReviewState()).isEqualTo(ReviewState.REVIEW_STATE_PENDING);
        String reviewer = TestTokens.token("rita", agency, "reviewer");
        String base = "/api/v1/review-queue/" + pending.getCheckInId();

        byte[] got = io.restassured.RestAssured.given().auth().oauth2(reviewer).headers(io.sentinel.biometric.Justify.headers()).get(base + "/probe").then().statusCode(200)
                .contentType("image/jpeg").header("Cache-Control", "no-store").extract().asByteArray();
        // The stored copy is the upload re-encoded without metadata (CheckInPhotoMetadataTest): same picture, new bytes.
        assertThat(CheckInPhotoMetadataTest.meanDifference(CheckInPhotoMetadataTest.read(got), CheckInPhotoMetadataTest.read(probe)))
                .isLessThan(4);
        io.restassured.RestAssured.given().auth().oauth2(reviewer).headers(io.sentinel.biometric.Justify.headers()).get(base + "/references").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(1))
                .body("[0].referenceId", org.hamcrest.Matchers.equalTo(referenceId))
                .body("[0].imageHeld", org.hamcrest.Matchers.equalTo(true))
                .body("[0].modelId", org.hamcrest.Matchers.startsWith("fr-"));
        byte[] gotReference = io.restassured.RestAssured.given().auth().oauth2(reviewer).headers(io.sentinel.biometric.Justify.headers()).get(base + "/references/" + referenceId).then()
                .statusCode(200).contentType("image/jpeg").extract().asByteArray();
        assertThat(CheckInPhotoMetadataTest.meanDifference(CheckInPhotoMetadataTest.read(gotReference), CheckInPhotoMetadataTest.read(reference)))
                .isLessThan(4);

        // Another agency's reviewer, a caseworker, an unknown reference, a malformed id: refused precisely.
        io.restassured.RestAssured.given().auth().oauth2(TestTokens.token("rex", agency + "-other", "reviewer"))
                .headers(io.sentinel.biometric.Justify.headers()).get(base + "/probe")
                .then().statusCode(404).body("detail", org.hamcrest.Matchers.equalTo("check-in " + pending.getCheckInId() + " not found"));
        io.restassured.RestAssured.given().auth().oauth2(TestTokens.token("alice", agency, "caseworker")).get(base + "/probe").then().statusCode(403);
        String unknown = UUID.randomUUID().toString();
        io.restassured.RestAssured.given().auth().oauth2(reviewer).headers(io.sentinel.biometric.Justify.headers()).get(base + "/references/" + unknown).then().statusCode(404)
                .body("detail", org.hamcrest.Matchers.equalTo("reference of the check-in's subject " + unknown + " not found"));
        io.restassured.RestAssured.given().auth().oauth2(reviewer).headers(io.sentinel.biometric.Justify.headers()).get("/api/v1/review-queue/not-a-uuid/probe").then().statusCode(400);
    }

    @Test
    void aGroupPhotoIsRefusedAsAReferenceWithItsReason() {
        String subject = monitoredSubject();
        assertThatThrownBy(() -> as(TestTokens.token("alice", agency, "caseworker")).enrolReference(EnrolReferenceRequest.newBuilder()
                .setSubjectId(subject).setImage(ByteString.copyFrom(FaceFixtures.sampleBytes(5))).setContentType("image/jpeg").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("image: 5 faces found, exactly one required");
                });
    }

    @Test
    void aBlurredReferenceIsRefusedWithItsReasonAndNothingIsStored() {
        String subject = monitoredSubject();
        byte[] blurred = FaceFixtures.jpeg(ImageAlterations.blurred(FaceFixtures.faceCrops().get(0).image(), 4), 0.92f);
        assertThatThrownBy(() -> as(TestTokens.token("alice", agency, "caseworker")).enrolReference(EnrolReferenceRequest.newBuilder()
                .setSubjectId(subject).setImage(ByteString.copyFrom(blurred)).setContentType("image/jpeg").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).matches("image: face is blurred: sharpness 0\\.0[0-5]\\d \\(min 0\\.060\\)");
                });
        // With no reference stored, a check-in of the same person still cannot match.
        CheckIn c = checkIn(subject, FaceFixtures.jpeg(FaceFixtures.faceCrops().get(0).image(), 0.9f));
        assertThat(c.getOutcomeReason()).isEqualTo("no reference image is enrolled for this subject");
    }

    @Test
    void aCheckInWithoutAReferenceIsInconclusiveAndSaysWhy() {
        List<FaceFixtures.FaceCrop> faces = FaceFixtures.faceCrops();
        CheckIn c = checkIn(monitoredSubject(), FaceFixtures.jpeg(faces.get(0).image(), 0.9f));
        assertThat(c.getOutcome()).isEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE);
        assertThat(c.getOutcomeReason()).isEqualTo("no reference image is enrolled for this subject");
    }
}
