package io.sentinel.biometric.verification;

import java.util.Arrays;

/**
 * Locates 68 landmarks in a detected face (fr_landmark.onnx), reduces them to five points (eye
 * centres, nose tip, mouth corners) and warps the face with a least-squares similarity transform
 * onto the standard ArcFace 112×112 template that fr_feature.onnx was trained on.
 */
public final class FaceAligner {
    static final int LM_SIZE = 64;
    public static final int OUT = 112;

    /** ArcFace reference points for a 112×112 crop: left eye, right eye, nose, left/right mouth. */
    static final float[][] TEMPLATE = {
        {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f},
        {41.5493f, 92.3655f}, {70.7299f, 92.2041f},
    };

    private final FaceModels models;

    public FaceAligner(FaceModels models) {
        this.models = models;
    }

    /** Crop scales and vertical shifts (fractions of the side) of the landmark ensemble. */
    static final float[] JITTER_SCALES = {0.9f, 1.0f, 1.1f};
    static final float[] JITTER_SHIFTS = {-0.06f, 0f, 0.06f};

    /**
     * 68 landmarks in source-image pixels (points interleaved x0, y0, x1, y1, …).
     *
     * <p>The 64×64 landmark model is very sensitive to where its crop sits: detector boxes vary
     * in height by ±10 % between two JPEG encodings of one photo, and a single crop then moved
     * landmarks enough to drop embedding similarity to 0.3. So the model runs on nine crops around
     * the detector box (made square as the npm package does), and each coordinate is the median,
     * which ignores the odd crop on which the model's points collapse. Costs ~9 ms.
     */
    public Landmarks landmarks(RgbImage image, FaceBox box) {
        float side = Math.max(box.width(), box.height());
        float cx = (box.x1() + box.x2()) / 2;
        float cy = (box.y1() + box.y2()) / 2;
        int n = JITTER_SCALES.length * JITTER_SHIFTS.length;
        float[][] runs = new float[n][];
        int r = 0;
        for (float sc : JITTER_SCALES) {
            for (float sh : JITTER_SHIFTS) {
                float s = side * sc;
                runs[r++] = landmarksIn(image, cx - s / 2, cy + sh * side - s / 2, s);
            }
        }
        float[] pts = new float[136];
        float[] col = new float[n];
        for (int k = 0; k < 136; k++) {
            for (int i = 0; i < n; i++) {
                col[i] = runs[i][k];
            }
            Arrays.sort(col);
            pts[k] = col[n / 2];
        }
        return new Landmarks(pts, spread(runs, pts));
    }

    /**
     * Consensus landmarks and the ensemble's disagreement (see {@link #spread}); a high spread
     * (above ~0.3) marks bowed heads, closed eyes or hair over the face, where alignment and
     * therefore the similarity score are unreliable.
     */
    public record Landmarks(float[] points, float spread) {
    }

    /**
     * Median over the ensemble runs of the mean distance of their five alignment points from the
     * consensus, in units of the consensus inter-ocular distance.
     */
    static float spread(float[][] runs, float[] consensus) {
        float[][] c5 = fivePoints(consensus);
        float iod = (float) Math.hypot(c5[1][0] - c5[0][0], c5[1][1] - c5[0][1]);
        float[] d = new float[runs.length];
        for (int i = 0; i < runs.length; i++) {
            float[][] r5 = fivePoints(runs[i]);
            float sum = 0;
            for (int k = 0; k < 5; k++) {
                sum += (float) Math.hypot(r5[k][0] - c5[k][0], r5[k][1] - c5[k][1]);
            }
            d[i] = sum / 5 / Math.max(iod, 1e-3f);
        }
        Arrays.sort(d);
        return d[d.length / 2];
    }

    private float[] landmarksIn(RgbImage image, float x0, float y0, float side) {
        float[] input = new float[LM_SIZE * LM_SIZE];
        float step = side / LM_SIZE;
        for (int j = 0; j < LM_SIZE; j++) {
            float y = y0 + (j + 0.5f) * step - 0.5f;
            for (int i = 0; i < LM_SIZE; i++) {
                float x = x0 + (i + 0.5f) * step - 0.5f;
                float gray = 0.299f * image.sample(x, y, 0) + 0.587f * image.sample(x, y, 1)
                        + 0.114f * image.sample(x, y, 2);
                input[j * LM_SIZE + i] = gray / 256f;
            }
        }
        float[] out = OnnxRun.run(models, models.landmark(), input, new long[] {1, 1, LM_SIZE, LM_SIZE}, "output")[0];
        float[] pts = new float[136];
        for (int k = 0; k < 68; k++) {
            pts[2 * k] = x0 + out[2 * k] * side;
            pts[2 * k + 1] = y0 + out[2 * k + 1] * side;
        }
        return pts;
    }

    /** The 5 alignment points from 68 landmarks, using the same indices as the npm package. */
    public static float[][] fivePoints(float[] lm) {
        return new float[][] {
            {avg(lm, 0, 37, 38, 40, 41), avg(lm, 1, 37, 38, 40, 41)},
            {avg(lm, 0, 43, 44, 46, 47), avg(lm, 1, 43, 44, 46, 47)},
            {lm[2 * 30], lm[2 * 30 + 1]},
            {avg(lm, 0, 48, 60), avg(lm, 1, 48, 60)},
            {avg(lm, 0, 54, 64), avg(lm, 1, 54, 64)},
        };
    }

    private static float avg(float[] lm, int axis, int... idx) {
        float s = 0;
        for (int i : idx) {
            s += lm[2 * i + axis];
        }
        return s / idx.length;
    }

    /**
     * Least-squares similarity (rotation, uniform scale, translation) mapping src onto TEMPLATE,
     * as {a, b, tx, ty} with x' = a·x − b·y + tx, y' = b·x + a·y + ty. Five points rather than the
     * package's three-point affine, because a similarity cannot shear the face.
     */
    static double[] similarity(float[][] src) {
        double mx = 0, my = 0, ux = 0, uy = 0;
        int n = src.length;
        for (int i = 0; i < n; i++) {
            mx += src[i][0];
            my += src[i][1];
            ux += TEMPLATE[i][0];
            uy += TEMPLATE[i][1];
        }
        mx /= n;
        my /= n;
        ux /= n;
        uy /= n;
        double num1 = 0, num2 = 0, den = 0;
        for (int i = 0; i < n; i++) {
            double px = src[i][0] - mx;
            double py = src[i][1] - my;
            double qx = TEMPLATE[i][0] - ux;
            double qy = TEMPLATE[i][1] - uy;
            num1 += px * qx + py * qy;
            num2 += px * qy - py * qx;
            den += px * px + py * py;
        }
        if (den < 1e-6) {
            throw new FaceRejectedException("face landmarks are degenerate");
        }
        double a = num1 / den;
        double b = num2 / den;
        return new double[] {a, b, ux - (a * mx - b * my), uy - (b * mx + a * my)};
    }

    /** The aligned 112×112 face as packed RGB, for inspection and for the embedder. */
    public int[] align(RgbImage image, float[][] five) {
        double[] t = similarity(five);
        double a = t[0], b = t[1], tx = t[2], ty = t[3];
        double det = a * a + b * b;
        int[] out = new int[OUT * OUT];
        for (int v = 0; v < OUT; v++) {
            for (int u = 0; u < OUT; u++) {
                double du = u - tx;
                double dv = v - ty;
                float sx = (float) ((a * du + b * dv) / det);
                float sy = (float) ((-b * du + a * dv) / det);
                int r = Math.round(image.sample(sx, sy, 0));
                int g = Math.round(image.sample(sx, sy, 1));
                int bl = Math.round(image.sample(sx, sy, 2));
                out[v * OUT + u] = (r << 16) | (g << 8) | bl;
            }
        }
        return out;
    }
}
