package io.sentinel.biometric.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PromptPlannerTest {
    static final ZoneId LONDON = ZoneId.of("Europe/London");

    @Test
    void everyPromptFallsInsideTheWakingWindowInTheSubjectsZone() {
        Random random = new Random(1);
        for (int d = 0; d < 400; d++) {
            LocalDate day = LocalDate.of(2026, 1, 1).plusDays(d);
            var w = PromptPlanner.window(day, "Europe/London", "08:00", "20:00");
            List<Instant> prompts = PromptPlanner.plan(w, 5, random);
            assertThat(prompts).hasSize(5).isSorted();
            for (Instant p : prompts) {
                LocalTime local = p.atZone(LONDON).toLocalTime();
                assertThat(local).isBetween(LocalTime.of(8, 0), LocalTime.of(19, 59, 59));
                assertThat(p.atZone(LONDON).toLocalDate()).isEqualTo(day);
            }
        }
    }

    @Test
    void theWindowFollowsTheClockAcrossDstChanges() {
        // 2026-03-29: clocks go forward at 01:00 UTC; 2026-10-25: back at 01:00 UTC.
        var spring = PromptPlanner.window(LocalDate.of(2026, 3, 29), "Europe/London", "00:30", "20:00");
        assertThat(spring.start()).isEqualTo(Instant.parse("2026-03-29T00:30:00Z"));
        assertThat(spring.end()).isEqualTo(Instant.parse("2026-03-29T19:00:00Z"));
        assertThat(Duration.between(spring.start(), spring.end())).isEqualTo(Duration.ofMinutes(18 * 60 + 30));
        var autumn = PromptPlanner.window(LocalDate.of(2026, 10, 25), "Europe/London", "00:30", "20:00");
        assertThat(autumn.start()).isEqualTo(Instant.parse("2026-10-24T23:30:00Z"));
        assertThat(autumn.end()).isEqualTo(Instant.parse("2026-10-25T20:00:00Z"));
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            for (var w : List.of(spring, autumn)) {
                for (Instant p : PromptPlanner.plan(w, 5, random)) {
                    assertThat(w.contains(p)).isTrue();
                }
            }
        }
    }

    @Test
    void aWindowStartingInTheSpringGapStartsWhenTheClockResumes() {
        var w = PromptPlanner.window(LocalDate.of(2026, 3, 29), "Europe/London", "01:30", "09:00");
        assertThat(w.start().atZone(LONDON).toLocalTime()).isEqualTo(LocalTime.of(2, 30));
        assertThat(w.end()).isEqualTo(Instant.parse("2026-03-29T08:00:00Z"));
    }

    @Test
    void aWindowEndingAfterMidnightRunsIntoTheNextDay() {
        var w = PromptPlanner.window(LocalDate.of(2026, 6, 1), "America/New_York", "22:00", "02:00");
        assertThat(Duration.between(w.start(), w.end())).isEqualTo(Duration.ofHours(4));
        assertThat(w.start()).isEqualTo(Instant.parse("2026-06-02T02:00:00Z"));
    }

    @Test
    void makesExactlyPerDayPromptsFromZeroToFive() {
        var w = PromptPlanner.window(LocalDate.of(2026, 6, 1), "Asia/Kolkata", "07:00", "21:00");
        for (int n = 0; n <= 5; n++) {
            assertThat(PromptPlanner.plan(w, n, new Random(n))).hasSize(n);
        }
        assertThatThrownBy(() -> PromptPlanner.plan(w, 6, new Random())).hasMessageContaining("per_day");
        assertThatThrownBy(() -> PromptPlanner.plan(w, -1, new Random())).hasMessageContaining("per_day");
    }

    @Test
    void promptTimesDifferFromDayToDay() {
        var w = PromptPlanner.window(LocalDate.of(2026, 6, 1), "Europe/London", "08:00", "20:00");
        Random random = new Random(3);
        Set<Long> secondsOfWindow = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            secondsOfWindow.add(Duration.between(w.start(), PromptPlanner.plan(w, 1, random).get(0)).toSeconds());
        }
        assertThat(secondsOfWindow).hasSizeGreaterThan(45);
    }

    @Test
    void rejectsBadScheduleFieldsByName() {
        assertThatThrownBy(() -> PromptPlanner.window(LocalDate.of(2026, 6, 1), "Mars/Olympus", "08:00", "20:00"))
                .hasMessageContaining("time_zone");
        assertThatThrownBy(() -> PromptPlanner.window(LocalDate.of(2026, 6, 1), "Europe/London", "8am", "20:00"))
                .hasMessageContaining("window_start");
        assertThatThrownBy(() -> PromptPlanner.window(LocalDate.of(2026, 6, 1), "Europe/London", "08:00", "25:00"))
                .hasMessageContaining("window_end");
        var empty = PromptPlanner.window(LocalDate.of(2026, 6, 1), "Europe/London", "08:00", "08:00");
        assertThat(Duration.between(empty.start(), empty.end())).isEqualTo(Duration.ofHours(24));
    }
}
