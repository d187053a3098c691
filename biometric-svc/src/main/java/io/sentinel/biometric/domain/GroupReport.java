package io.sentinel.biometric.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns per-group check-in counts into rates, each group's ratio to the best group, and a
 * warning when a group is sent to manual review markedly more often than the best group.
 */
public final class GroupReport {
    private GroupReport() {
    }

    /** Check-in counts of one group. */
    public record Counts(String group, long verifications, long autoMatches, long manualReviews, long confirmedNoMatches) {
    }

    /** Rates of one group and its ratios to the best group. */
    public record Row(String group, long verifications, double autoMatchRate, double manualReviewRate, double confirmedNoMatchRate,
            double autoMatchRatio, double manualReviewRatio, double confirmedNoMatchRatio, boolean warning) {
    }

    public static List<Row> compute(List<Counts> counts, double warningFactor) {
        if (!(warningFactor >= 1)) {
            throw new IllegalArgumentException("warning factor must be at least 1, got " + warningFactor);
        }
        List<Counts> used = counts.stream().filter(c -> c.verifications() > 0).sorted(Comparator.comparing(Counts::group)).toList();
        double bestAuto = used.stream().mapToDouble(c -> rate(c.autoMatches(), c)).max().orElse(0);
        double bestManual = used.stream().mapToDouble(c -> rate(c.manualReviews(), c)).min().orElse(0);
        double bestNoMatch = used.stream().mapToDouble(c -> rate(c.confirmedNoMatches(), c)).min().orElse(0);
        List<Row> rows = new ArrayList<>();
        for (Counts c : used) {
            double auto = rate(c.autoMatches(), c);
            double manual = rate(c.manualReviews(), c);
            double noMatch = rate(c.confirmedNoMatches(), c);
            boolean warning = bestManual == 0 ? manual > 0 : manual > bestManual * warningFactor;
            rows.add(new Row(c.group(), c.verifications(), auto, manual, noMatch, ratio(auto, bestAuto), ratio(manual, bestManual),
                    ratio(noMatch, bestNoMatch), warning));
        }
        return rows;
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
