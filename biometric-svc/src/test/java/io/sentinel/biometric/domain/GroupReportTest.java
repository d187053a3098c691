package io.sentinel.biometric.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

class GroupReportTest {
    /** Counts where every non-MATCH was reviewed and confirmed as the person, unless given as confirmed NO_MATCH. */
    static GroupReport.Counts counts(String group, long verifications, long autoMatches, long confirmedNoMatches) {
        long manual = verifications - autoMatches;
        long falseNonMatches = manual - confirmedNoMatches;
        return new GroupReport.Counts(group, verifications, autoMatches, manual, confirmedNoMatches, autoMatches + falseNonMatches,
                falseNonMatches, 0);
    }

    @Test
    void ratesAndRatiosAreRelativeToTheBestGroupAndWarnAboveTheFactor() {
        var rows = GroupReport.compute(List.of(counts("b", 100, 70, 3), counts("a", 100, 90, 1), counts("c", 100, 85, 1)), 1.5).rows();
        assertThat(rows).extracting(GroupReport.Row::group).containsExactly("a", "b", "c");
        var a = rows.get(0);
        var b = rows.get(1);
        var c = rows.get(2);
        assertThat(a.autoMatchRatio()).isEqualTo(1.0);
        assertThat(a.manualReviewRatio()).isEqualTo(1.0);
        assertThat(a.warning()).isFalse();
        assertThat(b.manualReviewRate()).isEqualTo(0.3);
        assertThat(b.manualReviewRatio()).isCloseTo(3.0, within(1e-9));
        assertThat(b.confirmedNoMatchRatio()).isCloseTo(3.0, within(1e-9));
        assertThat(b.autoMatchRatio()).isCloseTo(70.0 / 90, within(1e-9));
        assertThat(b.warning()).isTrue();
        // 0.15 is exactly 1.5 times 0.10: not above the factor.
        assertThat(c.warning()).isFalse();
    }

    @Test
    void aBestGroupWithNoManualReviewsMakesAnyOtherGroupWithSomeAWarning() {
        var rows = GroupReport.compute(List.of(counts("a", 10, 10, 0), counts("b", 10, 9, 0)), 1.5).rows();
        assertThat(rows.get(1).manualReviewRatio()).isInfinite();
        assertThat(rows.get(1).warning()).isTrue();
        assertThat(rows.get(1).confirmedNoMatchRatio()).isEqualTo(1.0);
        // The old warning fires on 1 in 10; the fairness warning does not: 1 of 10 proves nothing.
        assertThat(rows.get(1).disparityWarning()).isFalse();
        assertThat(rows.get(1).disparity()).isEqualTo(DisparityRule.Status.UNDECIDED);
    }

    @Test
    void groupsWithoutVerificationsAreLeftOutAndTheFactorMustBeAtLeastOne() {
        assertThat(GroupReport.compute(List.of(counts("a", 0, 0, 0)), 1.5).rows()).isEmpty();
        assertThatThrownBy(() -> GroupReport.compute(List.of(), 0.5)).hasMessageContaining("warning factor");
    }

    @Test
    void falseNonMatchRatesCarryTheirCountsAndIntervalsAndTheLowestIsTheReference() {
        var report = GroupReport.compute(List.of(
                counts("a", 202, 200, 0), // 2 false non-matches of 202 genuine
                counts("b", 100, 60, 0), // 40 of 100
                counts("c", 20, 18, 0)), 1.5); // 2 of 20
        assertThat(report.referenceGroup()).isEqualTo("a");
        var a = report.rows().get(0);
        var b = report.rows().get(1);
        var c = report.rows().get(2);
        assertThat(a.falseNonMatch()).isEqualTo(Proportion.of(2, 202));
        assertThat(a.disparity()).isEqualTo(DisparityRule.Status.REFERENCE);
        assertThat(b.falseNonMatch().numerator()).isEqualTo(40);
        assertThat(b.falseNonMatch().denominator()).isEqualTo(100);
        assertThat(b.falseNonMatch().lower()).isCloseTo(0.3094, within(0.0001));
        assertThat(b.disparity()).isEqualTo(DisparityRule.Status.EXCEEDS_FACTOR);
        assertThat(b.disparityWarning()).isTrue();
        assertThat(b.needed()).isNull();
        // 10 % [2.8 %, 30.1 %] against 1.5 × 3.5 %: too few check-ins to tell, and how many would.
        assertThat(c.disparity()).isEqualTo(DisparityRule.Status.UNDECIDED);
        assertThat(c.disparityWarning()).isFalse();
        assertThat(c.needed()).isEqualTo(DisparityRule.needed(Proportion.of(2, 20), Proportion.of(2, 202), 1.5));
        assertThat(c.needed().moreForGroup()).isPositive();
    }

    @Test
    void aGroupWithinTheFactorIsNotDecidableAndOneWithoutGenuineCheckInsHasNoRate() {
        var rows = GroupReport.compute(List.of(
                counts("a", 100, 90, 0),
                counts("b", 100, 88, 0),
                new GroupReport.Counts("c", 4, 0, 4, 3, 0, 0, 1)), 1.5).rows();
        assertThat(rows.get(1).disparity()).isEqualTo(DisparityRule.Status.NOT_DECIDABLE);
        assertThat(rows.get(1).needed()).isNull();
        var c = rows.get(2);
        assertThat(c.falseNonMatch()).isNull();
        assertThat(c.disparity()).isEqualTo(DisparityRule.Status.NO_DATA);
        assertThat(c.confirmedNoMatch()).isEqualTo(Proportion.of(3, 4));
        assertThat(c.pendingReviews()).isEqualTo(1);
    }

    @Test
    void onATieTheNarrowerIntervalIsTheReference() {
        var report = GroupReport.compute(List.of(counts("a", 10, 10, 0), counts("b", 500, 500, 0)), 1.5);
        assertThat(report.referenceGroup()).isEqualTo("b");
        assertThat(report.rows().get(0).disparity()).isEqualTo(DisparityRule.Status.NOT_DECIDABLE);
    }

    @Test
    void refusesInconsistentCounts() {
        assertThatThrownBy(() -> new GroupReport.Counts("x", 10, 5, 5, 0, 4, 5, 0))
                .hasMessage("counts of group x are inconsistent: 5 false non-matches of 4 genuine, 0 confirmed NO_MATCH, of 10 verifications");
        assertThatThrownBy(() -> new GroupReport.Counts("x", 10, 5, 5, 0, 4, -1, 0)).hasMessage("counts of group x must not be negative");
    }
}
