package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sentinel.biometric.verification.FaceFixtures.FaceCrop;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reference-image quality limits on the real sample faces and controlled copies of them. */
class FaceQualityTest {
    private static FaceVerifier verifier;
    private static List<FaceCrop> crops;

    @BeforeAll
    static void load() {
        verifier = new FaceVerifier(FaceFixtures.models());
        crops = FaceFixtures.faceCrops();
    }

    /** A frontal, evenly lit face: sample1's right-hand woman (yaw -0.08, pitch 0.49). */
    private static BufferedImage frontal() {
        return face(1, 1400, 1800);
    }

    private static BufferedImage face(int sample, float minX, float maxX) {
        return crops.stream().filter(c -> c.sample() == sample && c.centreX() > minX && c.centreX() < maxX)
                .findFirst().orElseThrow().image();
    }

    private static String refusal(BufferedImage img) {
        return assertThrows(FaceRejectedException.class, () -> verifier.enrol(FaceFixtures.jpeg(img, 0.92f))).getMessage();
    }

    @Test
    void acceptsAFrontalEvenlyLitSharpFace() {
        FaceVerifier.Extraction ex = verifier.enrol(FaceFixtures.jpeg(frontal(), 0.92f));
        assertNull(ex.quality().problem(), ex.quality()::toString);
        assertEquals(FaceEmbedder.DIM, ex.embedding().length);
    }

    @Test
    void refusesABlurredFace() {
        String reason = refusal(ImageAlterations.blurred(frontal(), 4));
        assertTrue(reason.matches("face is blurred: sharpness 0\\.0[0-5]\\d \\(min 0\\.060\\)"), reason);
    }

    @Test
    void refusesADarkenedFace() {
        String reason = refusal(ImageAlterations.darkened(frontal(), 0.2));
        assertTrue(reason.matches("face is under-exposed: mean luminance [1-3]\\d \\(min 40\\)"), reason);
    }

    @Test
    void refusesAnOverExposedFace() {
        String reason = refusal(ImageAlterations.darkened(frontal(), 2.5));
        assertTrue(reason.matches("face is over-exposed: mean luminance 2\\d\\d \\(max 200\\)"), reason);
    }

    @Test
    void refusesFacesTurnedSidewaysAndBowed() {
        // Real turned heads of the sample photos: sample5's second woman from the left and sample2's left-hand woman.
        for (BufferedImage turned : List.of(face(5, 600, 800), face(2, 300, 600))) {
            String reason = refusal(turned);
            assertTrue(reason.matches("face is turned sideways: nose offset 0\\.[3-5]\\d of the eye distance \\(max 0\\.35\\)"), reason);
        }
        // sample4's woman looking down.
        String bowed = refusal(face(4, 1000, 1200));
        assertTrue(bowed.matches("face is tilted down: nose at 0\\.8\\d between eyes and mouth \\(allowed 0\\.30 to 0\\.80\\)"), bowed);
    }

    @Test
    void refusesAFaceTooSmallForAReferenceThoughLargeEnoughForACheckIn() {
        BufferedImage small = ImageAlterations.scaled(frontal(), 0.42);
        FaceVerifier.Extraction asCheckIn = verifier.extract(FaceFixtures.jpeg(small, 0.92f));
        assertTrue(asCheckIn.face().sizePx() >= FaceVerifier.DEFAULT_MIN_FACE_PX && asCheckIn.face().sizePx() < 112,
                () -> "face " + asCheckIn.face().sizePx() + " px");
        String reason = refusal(small);
        assertTrue(reason.matches("face too small for a reference: \\d{2,3} px \\(min 112 px\\)"), reason);
    }

    @Test
    void refusesAGroupPhoto() {
        assertEquals("5 faces found, exactly one required",
                assertThrows(FaceRejectedException.class, () -> verifier.enrol(FaceFixtures.sampleBytes(5))).getMessage());
    }

    @Test
    void onlyTheTurnedAndBowedHeadsOfTheSamplePhotosAreRefused() {
        // 22 faces; refused: two turned heads, sample4's lowered head and sample2's bowed head with closed eyes.
        List<String> refused = new ArrayList<>();
        for (FaceCrop c : crops) {
            try {
                verifier.enrol(FaceFixtures.jpeg(c.image(), 0.95f));
            } catch (FaceRejectedException e) {
                refused.add("sample" + c.sample() + ": " + e.getMessage().replaceAll(":.*", ""));
                System.out.println("refused as a reference: " + c.name() + ": " + e.getMessage());
            }
        }
        assertEquals(List.of("sample2: face is turned sideways", "sample2: facial landmarks are unreliable", "sample4: face is tilted down",
                "sample5: face is turned sideways"),
                refused.stream().sorted().toList());
    }
}
