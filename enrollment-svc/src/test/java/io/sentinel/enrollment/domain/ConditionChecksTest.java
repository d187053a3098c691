package io.sentinel.enrollment.domain;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalTime;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.sentinel.common.error.SentinelException;

class ConditionChecksTest {
    static ConditionChecks.WeeklyWindow w(int day, String start, String end) {
        return ConditionChecks.window("w", day, LocalTime.parse(start), LocalTime.parse(end));
    }

    @Test
    void windowsThatSpanMidnightOverlapTheNextMorning() {
        assertThatThrownBy(() -> ConditionChecks.noOverlap("windows", List.of(w(1, "21:00", "07:00"), w(2, "06:30", "08:00"))))
                .isInstanceOf(SentinelException.class).hasMessage("overlaps windows[0]");
    }

    @Test
    void sundayNightWindowWrapsIntoMonday() {
        assertThatThrownBy(() -> ConditionChecks.noOverlap("windows", List.of(w(7, "22:00", "06:00"), w(1, "05:00", "05:30"))))
                .isInstanceOf(SentinelException.class);
    }

    @Test
    void adjacentWindowsDoNotOverlap() {
        assertThatCode(() -> ConditionChecks.noOverlap("windows", List.of(w(1, "21:00", "07:00"), w(2, "07:00", "08:00"), w(2, "21:00", "07:00"))))
                .doesNotThrowAnyException();
    }

    @Test
    void rejectsAnEmptyWindowAndABadDay() {
        assertThatThrownBy(() -> w(1, "21:00", "21:00")).hasMessage("is empty: start_time equals end_time");
        assertThatThrownBy(() -> w(8, "21:00", "07:00")).hasMessage("must be 1 (Monday) to 7 (Sunday), got 8");
    }

    @Test
    void rejectsMoreThanFiveCheckInsADay() {
        assertThatThrownBy(() -> ConditionChecks.checkIns("check_ins", 6, LocalTime.of(8, 0), LocalTime.of(20, 0)))
                .hasMessage("must be 0 to 5, got 6");
        assertThatThrownBy(() -> ConditionChecks.checkIns("check_ins", 2, LocalTime.of(20, 0), LocalTime.of(8, 0)))
                .hasMessage("must be after window_start");
    }
}
