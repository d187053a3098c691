package io.sentinel.biometric.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FaceAlignerTest {
    @Test
    void similarityRecoversARotatedScaledShiftedFaceExactly() {
        // Place the template in a photo at 3.2× scale, rotated 20°, shifted; the fit must undo it.
        double scale = 3.2;
        double angle = Math.toRadians(20);
        float[][] src = new float[5][];
        for (int i = 0; i < 5; i++) {
            double x = FaceAligner.TEMPLATE[i][0];
            double y = FaceAligner.TEMPLATE[i][1];
            src[i] = new float[] {
                (float) (scale * (Math.cos(angle) * x - Math.sin(angle) * y) + 400),
                (float) (scale * (Math.sin(angle) * x + Math.cos(angle) * y) + 250),
            };
        }
        double[] t = FaceAligner.similarity(src);
        for (int i = 0; i < 5; i++) {
            double x = t[0] * src[i][0] - t[1] * src[i][1] + t[2];
            double y = t[1] * src[i][0] + t[0] * src[i][1] + t[3];
            assertArrayEquals(new double[] {FaceAligner.TEMPLATE[i][0], FaceAligner.TEMPLATE[i][1]},
                    new double[] {x, y}, 1e-3);
        }
        assertEquals(1 / scale, Math.hypot(t[0], t[1]), 1e-6);
    }

    @Test
    void rejectsLandmarksCollapsedOntoOnePoint() {
        float[][] src = new float[5][];
        for (int i = 0; i < 5; i++) {
            src[i] = new float[] {10f, 10f};
        }
        FaceRejectedException e = assertThrows(FaceRejectedException.class, () -> FaceAligner.similarity(src));
        assertEquals("face landmarks are degenerate", e.getMessage());
    }
}
