package io.sentinel.biometric.verification;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.startsWith;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import jakarta.inject.Inject;

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
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.biometric.v1.VerificationOutcome;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Photos reach storage without their metadata: a phone JPEG with GPS EXIF, sent through the real
 * gRPC API, is stored (database and the reviewer's REST routes) upright and clean, and verified
 * exactly as the same photo without metadata would be.
 */
@QuarkusTest
class CheckInPhotoMetadataTest {
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

    String monitoredSubject() {
        String subject = UUID.randomUUID().toString();
        GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc")
                .putCheckInSchedule(PutCheckInScheduleRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(agency)
                        .setTimeZone("Europe/London").setPerDay(2).setWindowStart("08:00").setWindowEnd("20:00").setVersion(1)
                        .setActive(true).build());
        return subject;
    }

    String enrol(String subject, byte[] jpeg) {
        return as(TestTokens.token("alice", agency, "caseworker")).enrolReference(EnrolReferenceRequest.newBuilder().setSubjectId(subject)
                .setImage(ByteString.copyFrom(jpeg)).setContentType("image/jpeg").build()).getReferenceId();
    }

    CheckIn checkIn(String subject, byte[] jpeg) {
        return as(TestTokens.token("watch", agency, "device-gateway")).submitCheckIn(SubmitCheckInRequest.newBuilder()
                .setSubjectId(subject).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(2)))
                .setImage(ByteString.copyFrom(jpeg)).setContentType("image/jpeg").build()).getCheckIn();
    }

    /** A portrait selfie: the face crop on top of a plain band, so that turning it changes its width and height. */
    static BufferedImage portrait(BufferedImage face) {
        int w = face.getWidth();
        BufferedImage out = new BufferedImage(w, w * 3 / 2, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(new Color(96, 104, 112));
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(face, 0, 0, null);
        g.dispose();
        return out;
    }

    @Test
    void aPhoneSelfieWithGpsExifIsStoredUprightWithoutMetadataAndVerifiedAsTheCleanPhoto() {
        List<FaceFixtures.FaceCrop> faces = FaceFixtures.faceCrops();
        String subject = monitoredSubject();
        byte[] referenceUpload = ExifFixtures.withGpsExif(FaceFixtures.jpeg(faces.get(0).image(), 0.95f), 1, true);
        String referenceId = enrol(subject, referenceUpload);

        BufferedImage upright = portrait(faces.get(0).image());
        // As a phone stores a portrait selfie: the sensor's pixels on their side, Orientation 6, a GPS position.
        byte[] sideways = FaceFixtures.jpeg(ExifOrientationTest.quarterTurns(upright, 270), 0.9f);
        byte[] phoneUpload = ExifFixtures.withGpsExif(sideways, 6, false);
        assertThat(ExifFixtures.contains(phoneUpload, "GPS")).isTrue();
        assertThat(ExifFixtures.jpegMarkers(phoneUpload)).contains(0xE1);

        CheckIn tagged = checkIn(subject, phoneUpload);
        CheckIn alreadyUpright = checkIn(subject, FaceFixtures.jpeg(upright, 0.9f));

        assertThat(tagged.getOutcome()).isEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_MATCH);
        assertThat(tagged.getOutcome()).isEqualTo(alreadyUpright.getOutcome());
        assertThat(tagged.getReviewState()).isEqualTo(alreadyUpright.getReviewState());
        // Two JPEG encodings of the same pixels: the same person to within compression noise.
        assertThat(tagged.getSimilarity()).isCloseTo(alreadyUpright.getSimilarity(), within(0.05));

        String reviewer = TestTokens.token("rita", agency, "reviewer");
        String base = "/api/v1/review-queue/" + tagged.getCheckInId();
        byte[] served = given().auth().oauth2(reviewer).headers(io.sentinel.biometric.Justify.headers()).get(base + "/probe").then().statusCode(200).contentType("image/jpeg")
                .extract().asByteArray();
        byte[] stored = storedCheckInPhoto(tagged.getCheckInId());
        assertThat(served).isEqualTo(stored);
        assertCleanJpeg(stored, false);
        BufferedImage shown = read(stored);
        assertThat(shown.getWidth()).isEqualTo(upright.getWidth());
        assertThat(shown.getHeight()).isEqualTo(upright.getHeight());
        assertThat(meanDifference(shown, upright)).isLessThan(6);

        byte[] servedReference = given().auth().oauth2(reviewer).headers(io.sentinel.biometric.Justify.headers()).get(base + "/references/" + referenceId).then().statusCode(200)
                .contentType("image/jpeg").extract().asByteArray();
        assertThat(servedReference).isEqualTo(storedReferencePhoto(referenceId));
        assertCleanJpeg(servedReference, true);
    }

    @Test
    void aCheckInWithAMalformedExifSegmentIsStillVerifiedAndStoredClean() {
        List<FaceFixtures.FaceCrop> faces = FaceFixtures.faceCrops();
        String subject = monitoredSubject();
        enrol(subject, FaceFixtures.jpeg(faces.get(0).image(), 0.95f));
        byte[] photo = FaceFixtures.jpeg(faces.get(0).image(), 0.9f);

        CheckIn garbled = checkIn(subject, ExifFixtures.withMalformedExif(photo));
        CheckIn plain = checkIn(subject, photo);

        assertThat(garbled.getOutcome()).isEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_MATCH);
        // The malformed segment changes nothing but the bytes that are thrown away: the same pixels, the same score.
        assertThat(garbled.getSimilarity()).isEqualTo(plain.getSimilarity());
        byte[] stored = storedCheckInPhoto(garbled.getCheckInId());
        assertCleanJpeg(stored, false);
        assertThat(read(stored).getWidth()).isEqualTo(faces.get(0).image().getWidth());
    }

    @Test
    void anImpostorWithGpsExifStillGoesToAReviewerAndOnlyTheCleanPhotoIsKept() {
        List<FaceFixtures.FaceCrop> faces = FaceFixtures.faceCrops();
        String subject = monitoredSubject();
        enrol(subject, FaceFixtures.jpeg(faces.get(1).image(), 0.95f));

        CheckIn other = checkIn(subject, ExifFixtures.withGpsExif(FaceFixtures.jpeg(faces.get(6).image(), 0.9f), 1, false));

        assertThat(other.getOutcome()).isNotEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_MATCH);
        assertCleanJpeg(storedCheckInPhoto(other.getCheckInId()), false);
    }

    @Test
    void aPhotoThatCannotBeDecodedIsRecordedForAReviewerButNotStored() {
        String subject = monitoredSubject();
        byte[] full = ExifFixtures.withGpsExif(FaceFixtures.jpeg(FaceFixtures.faceCrops().get(0).image(), 0.9f), 6, false);

        CheckIn truncated = checkIn(subject, Arrays.copyOf(full, full.length / 2));

        assertThat(truncated.getOutcome()).isEqualTo(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE);
        assertThat(truncated.getOutcomeReason()).startsWith("image is corrupt or truncated");
        assertThat(storedCheckInPhoto(truncated.getCheckInId())).isNull();
        given().auth().oauth2(TestTokens.token("rita", agency, "reviewer")).headers(io.sentinel.biometric.Justify.headers()).get("/api/v1/review-queue/" + truncated.getCheckInId() + "/probe")
                .then().statusCode(404).body("detail", startsWith("the photo of check-in " + truncated.getCheckInId() + " was not stored: image is corrupt"));
    }

    /** No APP1 (EXIF, XMP), APP13 (IPTC) or COM segment, no ICC profile, no "GPS" or "Exif" anywhere, nothing after EOI. */
    static void assertCleanJpeg(byte[] jpeg, boolean littleEndianUpload) {
        assertThat(jpeg).isNotNull();
        List<Integer> markers = ExifFixtures.jpegMarkers(jpeg);
        assertThat(markers).doesNotContain(0xE1, 0xED, 0xFE, 0xE2);
        assertThat(markers.stream().filter(m -> m >= 0xE0 && m <= 0xEF)).allMatch(m -> m == 0xE0);
        assertThat(ExifFixtures.contains(jpeg, "GPS")).isFalse();
        assertThat(ExifFixtures.contains(jpeg, "Exif")).isFalse();
        assertThat(ExifFixtures.contains(jpeg, ExifFixtures.MAKE)).isFalse();
        assertThat(ExifFixtures.contains(jpeg, ExifFixtures.latitudeBytes(littleEndianUpload))).isFalse();
        assertThat(ExifFixtures.endsAtEoi(jpeg)).isTrue();
    }

    byte[] storedCheckInPhoto(String checkInId) {
        var row = pool.preparedQuery("select image from check_in where check_in_id = $1").execute(Tuple.of(UUID.fromString(checkInId)))
                .await().atMost(Duration.ofSeconds(10)).iterator().next();
        return row.getValue("image") == null ? null : row.getBuffer("image").getBytes();
    }

    byte[] storedReferencePhoto(String referenceId) {
        return pool.preparedQuery("select image from reference_image where reference_id = $1").execute(Tuple.of(UUID.fromString(referenceId)))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getBuffer("image").getBytes();
    }

    static BufferedImage read(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Mean absolute difference per channel, 0–255. */
    static double meanDifference(BufferedImage a, BufferedImage b) {
        double sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s <= 16; s += 8) {
                    sum += Math.abs(((p >> s) & 0xFF) - ((q >> s) & 0xFF));
                }
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }
}
