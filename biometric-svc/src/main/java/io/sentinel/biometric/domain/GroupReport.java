package io.sentinel.biometric.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns per-group check-in counts into the fairness report: each group's false non-match rate and
 * reviewer-confirmed NO_MATCH rate with 95 % Wilson intervals ({@link Proportion}), and whether the
 * false non-match rate exceeds the best-served group's by more than the warning factor beyond
 * doubt ({@link DisparityRule}). Also the older point rates (automatic MATCH, manual review) with
 * their ratios to the best group and the manual-review warning, kept for workload monitoring.
 */
public final class GroupReport {
    private GroupReport() {
    }

    /**
     * Check-in counts of one group: all verified; passed as MATCH without review; sent to review;
     * confirmed NO_MATCH by a reviewer; genuine (the algorithm's MATCH or a reviewer's
     * CONFIRMED_MATCH); false non-matches (genuine, but not MATCHed by the algorithm); still pending.
     */
    public record Counts(String group, long verifications, long autoMatches, long manualReviews, long confirmedNoMatches,
            long genuine, long falseNonMatches, long pendingReviews) {
        public Counts {
            if (verifications < 0 || autoMatches < 0 || manualReviews < 0 || confirmedNoMatches < 0 || genuine < 0 || falseNonMatches < 0
                    || pendingReviews < 0) {
                throw new IllegalArgumentException("counts of group " + group + " must not be negative");
            }
            if (falseNonMatches > genuine || genuine > verifications || confirmedNoMatches > verifications) {
                throw new IllegalArgumentException("counts of group " + group + " are inconsistent: " + falseNonMatches + " false non-matches of "
                        + genuine + " genuine, " + confirmedNoMatches + " confirmed NO_MATCH, of " + verifications + " verifications");
            }
        }
    }

    /**
     * One group's row. {@code falseNonMatch} is null when the group has no genuine check-ins;
     * {@code needed} is set only for {@link DisparityRule.Status#UNDECIDED}.
     */
    public record Row(String group, long verifications, double autoMatchRate, double manualReviewRate, double confirmedNoMatchRate,
            double autoMatchRatio, double manualReviewRatio, double confirmedNoMatchRatio, boolean warning,
            Proportion falseNonMatch, Proportion confirmedNoMatch, long pendingReviews, DisparityRule.Status disparity,
            DisparityRule.Needed needed) {
        /** The fairness warning: the false non-match rate exceeds the factor beyond doubt. */
        public boolean disparityWarning() {
            return disparity == DisparityRule.Status.EXCEEDS_FACTOR;
        }
    }

    /** The rows, by group name, and the reference group (null when no group has genuine check-ins). */
    public record Result(List<Row> rows, String referenceGroup) {
    }

    public static Result compute(List<Counts> counts, double warningFactor) {
        DisparityRule.checkFactor(warningFactor);
        List<Counts> used = counts.stream().filter(c -> c.verifications() > 0).sorted(Comparator.comparing(Counts::group)).toList();
        double bestAuto = used.stream().mapToDouble(c -> rate(c.autoMatches(), c)).max().orElse(0);
        double bestManual = used.stream().mapToDouble(c -> rate(c.manualReviews(), c)).min().orElse(0);
        double bestNoMatch = used.stream().mapToDouble(c -> rate(c.confirmedNoMatches(), c)).min().orElse(0);
        // The best-served group: lowest false non-match rate; on a tie the narrower interval, then the name.
        Counts reference = used.stream().filter(c -> c.genuine() > 0)
                .min(Comparator.comparingDouble((Counts c) -> falseNonMatch(c).rate())
                        .thenComparingDouble(c -> falseNonMatch(c).upper()).thenComparing(Counts::group))
                .orElse(null);
        Proportion ref = reference == null ? null : falseNonMatch(reference);
        List<Row> rows = new ArrayList<>();
        for (Counts c : used) {
            double auto = rate(c.autoMatches(), c);
            double manual = rate(c.manualReviews(), c);
            double noMatch = rate(c.confirmedNoMatches(), c);
            boolean warning = bestManual == 0 ? manual > 0 : manual > bestManual * warningFactor;
            Proportion fnm = c.genuine() > 0 ? falseNonMatch(c) : null;
            DisparityRule.Status status;
            DisparityRule.Needed needed = null;
            if (fnm == null) {
                status = DisparityRule.Status.NO_DATA;
            } else if (c == reference) {
                status = DisparityRule.Status.REFERENCE;
            } else if (DisparityRule.separated(fnm, ref, warningFactor)) {
                status = DisparityRule.Status.EXCEEDS_FACTOR;
            } else {
                needed = DisparityRule.needed(fnm, ref, warningFactor);
                status = needed == null ? DisparityRule.Status.NOT_DECIDABLE : DisparityRule.Status.UNDECIDED;
            }
            rows.add(new Row(c.group(), c.verifications(), auto, manual, noMatch, ratio(auto, bestAuto), ratio(manual, bestManual),
                    ratio(noMatch, bestNoMatch), warning, fnm, Proportion.of(c.confirmedNoMatches(), c.verifications()), c.pendingReviews(),
                    status, needed));
        }
        return new Result(rows, reference == null ? null : reference.group());
    }

    private static Proportion falseNonMatch(Counts c) {
        return Proportion.of(c.falseNonMatches(), c.genuine());
    }

    static double rate(long n, Counts c) {
        return (double) n / c.verifications();
    }

    /** value / best, with 0/0 as 1 (the group equals the best) and x/0 as +Inf. */
    static double ratio(double value, double best) {
        if (best == 0) {
            return value == 0 ? 1 : Double.POSITIVE_INFINITY;
        }
        return value / best;
    }
}
