package io.sentinel.biometric.grpc;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

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
import io.sentinel.api.biometric.v1.ListReviewQueueRequest;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.biometric.v1.RecordReviewDecisionRequest;
import io.sentinel.api.biometric.v1.ReviewState;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.biometric.v1.VerificationOutcome;
import io.sentinel.biometric.Justify;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

@QuarkusTest
class BiometricGrpcServiceTest {
    ManagedChannel channel;
    String agency;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    BiometricServiceGrpc.BiometricServiceBlockingStub as(String token) {
        return BiometricServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    String monitoredSubject() {
        String subject = UUID.randomUUID().toString();
        GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc").putCheckInSchedule(PutCheckInScheduleRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(agency).setTimeZone("Europe/London").setPerDay(3)
                .setWindowStart("08:00").setWindowEnd("20:00").setVersion(1).setActive(true).build());
        return subject;
    }

    CheckIn submit(String subject, byte[] image, String contentType) {
        return as(TestTokens.token("watch-gw", agency, "device-gateway")).submitCheckIn(SubmitCheckInRequest.newBuilder()
                .setSubjectId(subject).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(3)))
                .setImage(ByteString.copyFrom(image)).setContentType(contentType).build()).getCheckIn();
    }

    static byte[] jpeg() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "jpg", out);
        return out.toByteArray();
    }

    @Test
    void everyCheckInTheAlgorithmCannotPassGoesToAReviewerWhoseDecisionIsRecorded() throws Exception {
        String subject = monitoredSubject();
        CheckIn c = submit(subject, jpeg(), "image/jpeg");
        assertThat(c.getOutcome()).isEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE);
        assertThat(c.getReviewState()).isEqualTo(ReviewState.REVIEW_STATE_PENDING);

        var reviewer = Justify.grpc(as(TestTokens.token("rita", agency, "reviewer")));
        assertThat(reviewer.listReviewQueue(ListReviewQueueRequest.getDefaultInstance()).getCheckInsList())
                .extracting(CheckIn::getCheckInId).containsExactly(c.getCheckInId());
        CheckIn decided = reviewer.recordReviewDecision(RecordReviewDecisionRequest.newBuilder().setCheckInId(c.getCheckInId())
                .setIsMatch(false).setReason("different person in the photo").build()).getCheckIn();
        assertThat(decided.getReviewState()).isEqualTo(ReviewState.REVIEW_STATE_CONFIRMED_NO_MATCH);
        assertThat(decided.getReviewedBy()).isEqualTo("rita");
        assertThat(reviewer.listReviewQueue(ListReviewQueueRequest.getDefaultInstance()).getCheckInsList()).isEmpty();

        // A decision is final: deciding again is refused and changes nothing.
        assertThatThrownBy(() -> reviewer.recordReviewDecision(RecordReviewDecisionRequest.newBuilder().setCheckInId(c.getCheckInId())
                .setIsMatch(true).setReason("changed my mind").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void badPhotosAreRecordedAsInconclusiveWithThePreciseReasonNeverAsFailures() throws Exception {
        String subject = monitoredSubject();
        CheckIn notImage = submit(subject, "hello".getBytes(), "image/jpeg");
        assertThat(notImage.getOutcome()).isEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE);
        assertThat(notImage.getOutcomeReason()).isEqualTo("image: is not a JPEG or PNG image");
        CheckIn wrongType = submit(subject, jpeg(), "image/png");
        assertThat(wrongType.getOutcomeReason()).isEqualTo("content_type: says image/png but the bytes are image/jpeg");
        CheckIn tooBig = submit(subject, new byte[10 * 1024 * 1024 + 1], "image/jpeg");
        assertThat(tooBig.getOutcomeReason()).isEqualTo("image: is 10485761 bytes (max 10485760)");
        assertThat(tooBig.getReviewState()).isEqualTo(ReviewState.REVIEW_STATE_PENDING);
    }

    @Test
    void aSubjectOfAnotherAgencyIsNotFound() throws Exception {
        String subject = monitoredSubject();
        assertThatThrownBy(() -> as(TestTokens.token("gw", "agency-other", "device-gateway")).submitCheckIn(SubmitCheckInRequest.newBuilder()
                .setSubjectId(subject).setCapturedAt(Timestamps.of(Instant.now())).setImage(ByteString.copyFrom(jpeg()))
                .setContentType("image/jpeg").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void refusesCallsWithoutAValidToken() {
        for (String token : new String[] { null, TestTokens.expired("rita", agency, "reviewer"),
                TestTokens.signedByStranger("rita", agency, "reviewer") }) {
            assertThatThrownBy(() -> as(token).listReviewQueue(ListReviewQueueRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        given().get("/api/v1/review-queue").then().statusCode(401);
        given().auth().oauth2(TestTokens.token("rita", agency, "reviewer")).headers(Justify.headers()).get("/api/v1/review-queue").then()
                .statusCode(200).body(equalTo("{}"));
    }
}
