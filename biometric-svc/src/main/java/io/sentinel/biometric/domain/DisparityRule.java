package io.sentinel.biometric.domain;

/**
 * When a group's false non-match rate is shown, beyond doubt, to exceed the best-served group's by
 * more than a factor; and, while it cannot be shown yet, how many genuine check-ins would show it.
 *
 * <p><b>Separation</b>: the group's 95 % Wilson interval lies wholly above factor × the reference
 * group's: {@code lower(group) > factor × upper(reference)}. Since each interval holds its rate,
 * this implies {@code rate(group) > factor × rate(reference)}; the converse needs enough data.
 *
 * <p><b>Genuine check-ins needed</b>: the smallest n such that, were both groups to have at least n
 * genuine check-ins (a group already above n keeps its count) at the rates observed now, their
 * intervals would separate. Both bounds move monotonically with n (the lower bound rises, the upper
 * falls), so separation, once reached, holds for every larger n and the smallest n is found by
 * doubling and bisection. When the observed rate is at most factor × the reference's, no n
 * separates them: the number is not decidable. The search stops at {@link #NEEDED_CAP}.
 */
public final class DisparityRule {
    /** Where the search for the genuine check-ins needed stops. */
    public static final long NEEDED_CAP = 1_000_000;

    private DisparityRule() {
    }

    /** A group's false non-match rate against the reference group's. */
    public enum Status {
        /** No genuine check-ins: no rate. */
        NO_DATA,
        /** The group with the lowest rate, the others are compared with. */
        REFERENCE,
        /** Separated: the warning. */
        EXCEEDS_FACTOR,
        /** The observed rate exceeds factor × the reference's, but the intervals still overlap. */
        UNDECIDED,
        /** The observed rate is within the factor of the reference's: more data would not separate them. */
        NOT_DECIDABLE
    }

    /**
     * The estimate of {@link #needed}: genuine check-ins each group would need, and how many more
     * that is for the group and for the reference; {@code exceedsCap} when even
     * {@link #NEEDED_CAP} does not separate them (then {@code n} is the cap, a lower bound).
     */
    public record Needed(long n, long moreForGroup, long moreForReference, boolean exceedsCap) {
    }

    /** Whether the group's interval lies wholly above factor × the reference's. */
    public static boolean separated(Proportion group, Proportion reference, double factor) {
        return group.lower() > factor * reference.upper();
    }

    /**
     * Separation had both groups at least n genuine check-ins at their observed rates.
     */
    static boolean separatedAt(long n, Proportion group, Proportion reference, double factor) {
        double g = Proportion.lower(group.rate(), Math.max(n, group.denominator()));
        double r = Proportion.upper(reference.rate(), Math.max(n, reference.denominator()));
        return g > factor * r;
    }

    /**
     * The genuine check-ins needed to tell, at the observed rates, whether the group's rate exceeds
     * factor × the reference's; null when it is not decidable (group rate at most factor × reference
     * rate). Meant for groups not yet separated; for a separated pair it returns the current counts.
     */
    public static Needed needed(Proportion group, Proportion reference, double factor) {
        return needed(group, reference, factor, NEEDED_CAP);
    }

    static Needed needed(Proportion group, Proportion reference, double factor, long cap) {
        checkFactor(factor);
        if (group.rate() <= factor * reference.rate()) {
            return null;
        }
        long floor = Math.min(group.denominator(), reference.denominator());
        if (separatedAt(floor, group, reference, factor)) {
            return needed(floor, group, reference, false);
        }
        long lo = floor;
        long hi = floor;
        do {
            if (hi >= cap) {
                return needed(cap, group, reference, true);
            }
            lo = hi;
            hi = Math.min(cap, Math.max(1, hi * 2));
        } while (!separatedAt(hi, group, reference, factor));
        // separatedAt(lo) is false and separatedAt(hi) true: bisect to the smallest true.
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (separatedAt(mid, group, reference, factor)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return needed(hi, group, reference, false);
    }

    private static Needed needed(long n, Proportion group, Proportion reference, boolean exceedsCap) {
        return new Needed(n, Math.max(0, n - group.denominator()), Math.max(0, n - reference.denominator()), exceedsCap);
    }

    static void checkFactor(double factor) {
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("warning factor must be a finite number of at least 1, got " + factor);
        }
    }
}
