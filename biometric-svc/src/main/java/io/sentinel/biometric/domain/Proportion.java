package io.sentinel.biometric.domain;

/**
 * A share of events (numerator of denominator) with its two-sided 95 % Wilson score interval.
 *
 * <p>For x events in n trials, p = x/n and z = 1.959964 (the normal 97.5 % quantile), the bounds
 * are (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n). Unlike the textbook p ± z·√(p(1−p)/n)
 * it stays inside [0, 1], is not a zero-width interval at 0/n or n/n, and keeps close to its
 * nominal coverage for the small counts a per-group report sees (Newcombe 1998, Brown, Cai and
 * DasGupta 2001).
 */
public record Proportion(long numerator, long denominator, double rate, double lower, double upper) {
    /** z of a two-sided 95 % interval. */
    public static final double Z95 = 1.959963984540054;

    public Proportion {
        if (denominator <= 0 || numerator < 0 || numerator > denominator) {
            throw new IllegalArgumentException("a proportion needs 0 <= numerator <= denominator and denominator > 0, got "
                    + numerator + "/" + denominator);
        }
    }

    /** numerator/denominator with its 95 % Wilson score interval. */
    public static Proportion of(long numerator, long denominator) {
        double p = (double) numerator / denominator;
        return new Proportion(numerator, denominator, p, lower(p, denominator), upper(p, denominator));
    }

    /** The 95 % Wilson lower bound of an observed rate p over n trials; n may be fractional, for estimates. */
    public static double lower(double p, double n) {
        if (p <= 0) {
            return 0;
        }
        return Math.max(0, centre(p, n) - halfWidth(p, n));
    }

    /** The 95 % Wilson upper bound of an observed rate p over n trials. */
    public static double upper(double p, double n) {
        if (p >= 1) {
            return 1;
        }
        return Math.min(1, centre(p, n) + halfWidth(p, n));
    }

    private static double centre(double p, double n) {
        double z2 = Z95 * Z95;
        return (p + z2 / (2 * n)) / (1 + z2 / n);
    }

    private static double halfWidth(double p, double n) {
        double z2 = Z95 * Z95;
        return Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    }
}
