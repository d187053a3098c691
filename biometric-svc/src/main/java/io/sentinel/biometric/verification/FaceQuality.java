package io.sentinel.biometric.verification;

/**
 * Capture-quality measures of one face, for refusing poor reference images with a precise reason.
 *
 * @param sharpness       variance of the 4-neighbour Laplacian of the aligned 112×112 face's
 *                        luminance (inner region) divided by the variance of that luminance, so that
 *                        contrast cancels out; low means blurred or upscaled from too few pixels
 * @param meanLuminance   mean luminance 0–255 of the aligned face's inner region
 * @param clippedFraction share of that region's pixels at or beyond 0–7 or 248–255 (lost detail)
 * @param yaw             horizontal offset of the nose tip from the eyes' midpoint, in inter-ocular
 *                        distances, after removing the head's roll; about ±0.05 for a frontal face
 * @param pitch           vertical position of the nose tip between the eye line (0) and the mouth
 *                        line (1), roll removed; about 0.5 for a level head
 */
public record FaceQuality(double sharpness, double meanLuminance, double clippedFraction, double yaw, double pitch) {
    /*
     * Limits for reference images, set on the 22 faces of the face-api sample photos (see the
     * README): every original passes the exposure and sharpness limits (lowest sharpness 0.067,
     * mean luminance 62-176, clipped <= 0.16); a 9x9 box blur (<= 0.071 but one face), darkening
     * to 20 % (mean <= 31) and brightening 2.5x (clipped 0.28-0.80 or mean > 200 on 17 of 18)
     * fail. The pose limits refuse the three clearly turned or bowed heads of those photos
     * (yaw -0.46 and +0.41, pitch 0.88); the other 19 lie within yaw +-0.27, pitch 0.37-0.75.
     */
    public static final double MIN_SHARPNESS = 0.06;
    public static final double MIN_MEAN_LUMINANCE = 40;
    public static final double MAX_MEAN_LUMINANCE = 200;
    public static final double MAX_CLIPPED_FRACTION = 0.25;
    public static final double MAX_ABS_YAW = 0.35;
    public static final double MIN_PITCH = 0.30;
    public static final double MAX_PITCH = 0.80;

    /** Why this face is not good enough for a reference image, or null when it is. */
    public String problem() {
        if (meanLuminance < MIN_MEAN_LUMINANCE) {
            return String.format(java.util.Locale.ROOT, "face is under-exposed: mean luminance %.0f (min %.0f)",
                    meanLuminance, MIN_MEAN_LUMINANCE);
        }
        if (meanLuminance > MAX_MEAN_LUMINANCE) {
            return String.format(java.util.Locale.ROOT, "face is over-exposed: mean luminance %.0f (max %.0f)",
                    meanLuminance, MAX_MEAN_LUMINANCE);
        }
        if (clippedFraction > MAX_CLIPPED_FRACTION) {
            return String.format(java.util.Locale.ROOT, "face is over- or under-exposed: %.0f %% of its pixels are clipped (max %.0f %%)",
                    100 * clippedFraction, 100 * MAX_CLIPPED_FRACTION);
        }
        if (sharpness < MIN_SHARPNESS) {
            return String.format(java.util.Locale.ROOT, "face is blurred: sharpness %.3f (min %.3f)", sharpness, MIN_SHARPNESS);
        }
        if (Math.abs(yaw) > MAX_ABS_YAW) {
            return String.format(java.util.Locale.ROOT, "face is turned sideways: nose offset %.2f of the eye distance (max %.2f)",
                    Math.abs(yaw), MAX_ABS_YAW);
        }
        if (!(pitch >= MIN_PITCH && pitch <= MAX_PITCH)) {
            return String.format(java.util.Locale.ROOT, "face is tilted %s: nose at %.2f between eyes and mouth (allowed %.2f to %.2f)",
                    pitch > MAX_PITCH ? "down" : "up", pitch, MIN_PITCH, MAX_PITCH);
        }
        return null;
    }
    /** Inner region of the aligned face (eyebrows to chin, cheek to cheek), free of alignment padding. */
    static final int X0 = 24;
    static final int X1 = 88;
    static final int Y0 = 36;
    static final int Y1 = 104;

    static FaceQuality measure(int[] aligned, float[][] five) {
        int w = FaceAligner.OUT;
        double[] luma = new double[aligned.length];
        for (int i = 0; i < aligned.length; i++) {
            int p = aligned[i];
            luma[i] = 0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF) + 0.114 * (p & 0xFF);
        }
        double sum = 0;
        double sumSq = 0;
        double lumaSum = 0;
        int clipped = 0;
        int n = 0;
        for (int y = Y0; y < Y1; y++) {
            for (int x = X0; x < X1; x++) {
                int i = y * w + x;
                double lap = luma[i - 1] + luma[i + 1] + luma[i - w] + luma[i + w] - 4 * luma[i];
                sum += lap;
                sumSq += lap * lap;
                lumaSum += luma[i];
                if (luma[i] < 7.5 || luma[i] > 247.5) {
                    clipped++;
                }
                n++;
            }
        }
        double mean = sum / n;
        double lapVar = sumSq / n - mean * mean;
        double lumaMean = lumaSum / n;
        double lumaVar = 0;
        for (int y = Y0; y < Y1; y++) {
            for (int x = X0; x < X1; x++) {
                double d = luma[y * w + x] - lumaMean;
                lumaVar += d * d;
            }
        }
        lumaVar /= n;
        // Relative to the face's own contrast, so that a dim but sharp photo is not called blurred.
        double sharpness = lapVar / Math.max(lumaVar, 1e-6);
        // Pose from the five source-image points, with the eye line turned horizontal.
        double ex = (five[0][0] + five[1][0]) / 2;
        double ey = (five[0][1] + five[1][1]) / 2;
        double dx = five[1][0] - five[0][0];
        double dy = five[1][1] - five[0][1];
        double iod = Math.max(Math.hypot(dx, dy), 1e-6);
        double cos = dx / iod;
        double sin = dy / iod;
        double[] nose = unrolled(five[2], ex, ey, cos, sin);
        double[] mouthL = unrolled(five[3], ex, ey, cos, sin);
        double[] mouthR = unrolled(five[4], ex, ey, cos, sin);
        double mouthY = (mouthL[1] + mouthR[1]) / 2;
        double yaw = nose[0] / iod;
        double pitch = mouthY > 1e-6 ? nose[1] / mouthY : Double.NaN;
        return new FaceQuality(sharpness, lumaSum / n, (double) clipped / n, yaw, pitch);
    }

    private static double[] unrolled(float[] p, double ex, double ey, double cos, double sin) {
        double x = p[0] - ex;
        double y = p[1] - ey;
        return new double[] {x * cos + y * sin, -x * sin + y * cos};
    }
}
