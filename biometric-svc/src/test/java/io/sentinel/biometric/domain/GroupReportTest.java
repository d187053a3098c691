package io.sentinel.biometric.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class GroupReportTest {
    @Test
    void ratesAndRatiosAreRelativeToTheBestGroupAndWarnAboveTheFactor() {
        var rows = GroupReport.compute(List.of(
                new GroupReport.Counts("b", 100, 70, 30, 3),
                new GroupReport.Counts("a", 100, 90, 10, 1),
                new GroupReport.Counts("c", 100, 85, 15, 1)), 1.5);
        assertThat(rows).extracting(GroupReport.Row::group).containsExactly("a", "b", "c");
        var a = rows.get(0);
        var b = rows.get(1);
        var c = rows.get(2);
        assertThat(a.autoMatchRatio()).isEqualTo(1.0);
        assertThat(a.manualReviewRatio()).isEqualTo(1.0);
        assertThat(a.warning()).isFalse();
        assertThat(b.manualReviewRate()).isEqualTo(0.3);
        assertThat(b.manualReviewRatio()).isCloseTo(3.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(b.confirmedNoMatchRatio()).isCloseTo(3.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(b.autoMatchRatio()).isCloseTo(70.0 / 90, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(b.warning()).isTrue();
        // 0.15 is exactly 1.5 times 0.10: not above the factor.
        assertThat(c.warning()).isFalse();
    }

    @Test
    void aBestGroupWithNoManualReviewsMakesAnyOtherGroupWithSomeAWarning() {
        var rows = GroupReport.compute(List.of(new GroupReport.Counts("a", 10, 10, 0, 0), new GroupReport.Counts("b", 10, 9, 1, 0)), 1.5);
        assertThat(rows.get(1).manualReviewRatio()).isInfinite();
        assertThat(rows.get(1).warning()).isTrue();
        assertThat(rows.get(1).confirmedNoMatchRatio()).isEqualTo(1.0);
    }

    @Test
    void groupsWithoutVerificationsAreLeftOutAndTheFactorMustBeAtLeastOne() {
        assertThat(GroupReport.compute(List.of(new GroupReport.Counts("a", 0, 0, 0, 0)), 1.5)).isEmpty();
        assertThatThrownBy(() -> GroupReport.compute(List.of(), 0.5)).hasMessageContaining("warning factor");
    }
}
