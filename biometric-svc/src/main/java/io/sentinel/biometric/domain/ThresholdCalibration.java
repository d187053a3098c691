package io.sentinel.biometric.domain;

import java.util.Arrays;

/**
 * Chooses a similarity threshold from labelled scores: the lowest threshold whose false-match
 * rate on the impostor scores does not exceed the target, and the false-non-match rate the
 * genuine scores show at it. A score at or above the threshold counts as a match.
 */
public final class ThresholdCalibration {
    private ThresholdCalibration() {
    }

    /** The chosen threshold and the error rates measured at it. */
    public record Result(double threshold, double fmr, double fnmr, int genuine, int impostor) {
    }

    public static Result calibrate(double[] genuine, double[] impostor, double targetFmr) {
        if (!(targetFmr >= 0 && targetFmr < 1)) {
            throw new IllegalArgumentException("target FMR must be in [0, 1), got " + targetFmr);
        }
        if (genuine.length == 0) {
            throw new IllegalArgumentException("no genuine scores: FNMR cannot be measured");
        }
        if (impostor.length == 0) {
            throw new IllegalArgumentException("no impostor scores: FMR cannot be measured");
        }
        double[] imp = impostor.clone();
        Arrays.sort(imp);
        // At most k impostors may reach the threshold; it sits just above the (k+1)-th highest.
        int k = (int) Math.floor(targetFmr * imp.length + 1e-9);
        double threshold;
        if (k >= imp.length) {
            threshold = Math.min(imp[0], Arrays.stream(genuine).min().getAsDouble());
        } else {
            threshold = Math.nextUp(imp[imp.length - 1 - k]);
        }
        return new Result(threshold, rateAtOrAbove(imp, threshold), 1 - rateAtOrAbove(genuine, threshold), genuine.length, imp.length);
    }

    static double rateAtOrAbove(double[] scores, double threshold) {
        long n = Arrays.stream(scores).filter(s -> s >= threshold).count();
        return (double) n / scores.length;
    }
}
