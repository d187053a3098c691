package io.sentinel.rules.domain.curfew;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import io.sentinel.rules.domain.curfew.CurfewSchedule.SuspensionSpec;
import io.sentinel.rules.domain.curfew.CurfewSchedule.WindowSpec;
import org.junit.jupiter.api.Test;

class CurfewScheduleTest {

    private static CurfewSchedule london(WindowSpec... windows) {
        return CurfewSchedule.parse("Europe/London", List.of(windows), List.of());
    }

    private static Instant utc(String t) {
        return Instant.parse(t);
    }

    private static InvalidCurfewException rejects(String zone, List<WindowSpec> windows, List<SuspensionSpec> suspensions) {
        return assertThrows(InvalidCurfewException.class, () -> CurfewSchedule.parse(zone, windows, suspensions));
    }

    @Test
    void inForceOnlyDuringAnEveningWindow() {
        CurfewSchedule s = london(new WindowSpec(1, "19:00", "23:00"));
        // Monday 2025-01-13, GMT.
        assertFalse(s.isInForce(utc("2025-01-13T18:59:59Z")));
        assertTrue(s.isInForce(utc("2025-01-13T19:00:00Z")));
        assertTrue(s.isInForce(utc("2025-01-13T22:59:59Z")));
        assertFalse(s.isInForce(utc("2025-01-13T23:00:00Z")));
        assertFalse(s.isInForce(utc("2025-01-14T20:00:00Z")), "Tuesday has no window");
    }

    @Test
    void windowAcrossMidnightEndsTheNextMorning() {
        CurfewSchedule s = london(new WindowSpec(5, "21:00", "07:00"), new WindowSpec(7, "22:00", "06:00"));
        assertTrue(s.isInForce(utc("2025-01-18T03:00:00Z")), "Saturday 03:00 is in Friday's window");
        assertFalse(s.isInForce(utc("2025-01-18T07:00:00Z")));
        assertEquals(Optional.of(new CurfewPeriod(utc("2025-01-17T21:00:00Z"), utc("2025-01-18T07:00:00Z"))),
                s.windowContaining(utc("2025-01-18T03:00:00Z")));
        assertTrue(s.isInForce(utc("2025-01-20T05:59:00Z")), "Sunday's window runs into Monday, across the week boundary");
        assertFalse(s.isInForce(utc("2025-01-20T06:00:00Z")));
    }

    @Test
    void curfewHonoursBritishSummerTime() {
        CurfewSchedule s = london(new WindowSpec(1, "19:00", "07:00"));
        // Monday 2025-07-14: 19:00 BST is 18:00 UTC.
        assertTrue(s.isInForce(utc("2025-07-14T18:30:00Z")));
        assertFalse(s.isInForce(utc("2025-07-14T17:59:00Z")));
        assertTrue(s.isInForce(utc("2025-07-15T05:59:00Z")));
        assertFalse(s.isInForce(utc("2025-07-15T06:00:00Z")), "07:00 BST");
    }

    @Test
    void overnightWindowOverTheMarchChangeLastsNineHours() {
        CurfewSchedule s = london(new WindowSpec(6, "21:00", "07:00"));
        // Clocks go forward at 01:00 UTC on Sunday 30 March 2025.
        CurfewPeriod p = s.windowContaining(utc("2025-03-30T03:00:00Z")).orElseThrow();
        assertEquals(new CurfewPeriod(utc("2025-03-29T21:00:00Z"), utc("2025-03-30T06:00:00Z")), p);
        assertEquals(Duration.ofHours(9), p.length());
    }

    @Test
    void overnightWindowOverTheOctoberChangeLastsElevenHours() {
        CurfewSchedule s = london(new WindowSpec(6, "21:00", "07:00"));
        // Clocks go back at 01:00 UTC on Sunday 26 October 2025.
        CurfewPeriod p = s.windowContaining(utc("2025-10-26T01:30:00Z")).orElseThrow();
        assertEquals(new CurfewPeriod(utc("2025-10-25T20:00:00Z"), utc("2025-10-26T07:00:00Z")), p);
        assertEquals(Duration.ofHours(11), p.length());
    }

    @Test
    void windowStartingInTheSkippedHourStartsWhenTheClocksGoForward() {
        CurfewSchedule s = london(new WindowSpec(7, "01:30", "06:00"));
        CurfewPeriod p = s.windowContaining(utc("2025-03-30T01:00:00Z")).orElseThrow();
        assertEquals(new CurfewPeriod(utc("2025-03-30T01:00:00Z"), utc("2025-03-30T05:00:00Z")), p);
        assertFalse(s.isInForce(utc("2025-03-30T00:59:59Z")));
    }

    @Test
    void windowEndingInTheSkippedHourEndsWhenTheClocksGoForward() {
        CurfewSchedule s = london(new WindowSpec(6, "22:00", "01:30"));
        assertEquals(new CurfewPeriod(utc("2025-03-29T22:00:00Z"), utc("2025-03-30T01:00:00Z")),
                s.windowContaining(utc("2025-03-30T00:30:00Z")).orElseThrow());
        assertFalse(s.isInForce(utc("2025-03-30T01:00:00Z")));
    }

    @Test
    void windowWhollyInsideTheSkippedHourIsEmptyThatWeekOnly() {
        CurfewSchedule s = london(new WindowSpec(7, "01:10", "01:50"));
        for (int m = 0; m <= 180; m += 5) {
            assertFalse(s.isInForce(utc("2025-03-30T00:00:00Z").plusSeconds(60L * m)));
        }
        assertTrue(s.isInForce(utc("2025-04-06T00:30:00Z")), "01:30 BST the week after");
        assertTrue(s.occurrencesBetween(utc("2025-03-29T00:00:00Z"), utc("2025-03-31T00:00:00Z")).isEmpty());
    }

    @Test
    void windowStartingInTheRepeatedHourStartsAtItsFirstOccurrence() {
        CurfewSchedule s = london(new WindowSpec(7, "01:30", "03:00"));
        // 01:30 BST is 00:30 UTC; 03:00 GMT is 03:00 UTC.
        assertEquals(new CurfewPeriod(utc("2025-10-26T00:30:00Z"), utc("2025-10-26T03:00:00Z")),
                s.windowContaining(utc("2025-10-26T01:40:00Z")).orElseThrow());
    }

    @Test
    void equalStartAndEndMakeATwentyFourHourWindow() {
        CurfewSchedule s = london(new WindowSpec(6, "00:00", "00:00"));
        assertTrue(s.isInForce(utc("2025-01-18T00:00:00Z")));
        assertTrue(s.isInForce(utc("2025-01-18T23:59:59Z")));
        assertFalse(s.isInForce(utc("2025-01-19T00:00:00Z")));
        // Saturday 25 October 2025 00:00 BST to Sunday 00:00 BST.
        assertEquals(Duration.ofHours(24), s.windowContaining(utc("2025-10-25T12:00:00Z")).orElseThrow().length());
    }

    @Test
    void suspensionLiftsTheCurfewAndCutsItsInForcePeriod() {
        CurfewSchedule s = CurfewSchedule.parse("Europe/London",
                List.of(new WindowSpec(1, "19:00", "23:00"), new WindowSpec(1, "23:00", "07:00")),
                List.of(new SuspensionSpec(utc("2025-01-14T02:00:00Z"), utc("2025-01-14T04:00:00Z"))));
        assertTrue(s.isInForce(utc("2025-01-14T01:59:59Z")));
        assertFalse(s.isInForce(utc("2025-01-14T02:00:00Z")));
        assertTrue(s.windowContaining(utc("2025-01-14T03:00:00Z")).isPresent(), "the window is still scheduled");
        assertTrue(s.isInForce(utc("2025-01-14T04:00:00Z")));
        assertEquals(Optional.of(utc("2025-01-14T02:00:00Z")), s.inForceUntil(utc("2025-01-13T20:00:00Z")),
                "touching windows run on until the suspension");
        assertEquals(Optional.of(utc("2025-01-14T07:00:00Z")), s.inForceUntil(utc("2025-01-14T05:00:00Z")));
        assertEquals(Optional.empty(), s.inForceUntil(utc("2025-01-14T03:00:00Z")));
        assertEquals(Optional.of(utc("2025-01-21T07:00:00Z")), s.inForceUntil(utc("2025-01-20T19:30:00Z")),
                "the next week has no suspension");
    }

    @Test
    void occurrencesOverTheMarchWeekHaveOneShortNight() {
        List<WindowSpec> nightly = new ArrayList<>();
        for (int d = 1; d <= 7; d++) {
            nightly.add(new WindowSpec(d, "21:00", "07:00"));
        }
        CurfewSchedule s = CurfewSchedule.parse("Europe/London", nightly, List.of());
        List<CurfewPeriod> week = s.occurrencesBetween(utc("2025-03-24T12:00:00Z"), utc("2025-03-31T12:00:00Z"));
        assertEquals(7, week.size());
        assertEquals(List.of(10L, 10L, 10L, 10L, 10L, 9L, 10L), week.stream().map(p -> p.length().toHours()).toList());
    }

    @Test
    void rejectsEmptyAndOversizedWindowLists() {
        assertEquals("windows: a curfew needs at least one window", rejects("Europe/London", List.of(), List.of()).getMessage());
        assertEquals("windows: a curfew needs at least one window", rejects("Europe/London", null, List.of()).getMessage());
        List<WindowSpec> many = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            many.add(new WindowSpec(1 + i % 7, "00:00", "00:01"));
        }
        assertEquals("windows: at most 50 windows, got 51", rejects("Europe/London", many, List.of()).getMessage());
        assertEquals("windows[0]: is missing",
                rejects("Europe/London", Arrays.asList((WindowSpec) null), List.of()).getMessage());
    }

    @Test
    void rejectsBadDaysAndTimesNamingTheField() {
        assertEquals("windows[0].startDay: 0 out of range [1, 7] (1 = Monday)",
                rejects("Europe/London", List.of(new WindowSpec(0, "19:00", "07:00")), List.of()).getMessage());
        assertEquals("windows[1].startDay: 8 out of range [1, 7] (1 = Monday)",
                rejects("Europe/London", List.of(new WindowSpec(1, "19:00", "20:00"), new WindowSpec(8, "19:00", "07:00")), List.of()).getMessage());
        assertEquals("windows[0].start: '7:00' is not a time HH:mm between 00:00 and 23:59",
                rejects("Europe/London", List.of(new WindowSpec(1, "7:00", "08:00")), List.of()).getMessage());
        assertEquals("windows[0].end: '24:00' is not a time HH:mm between 00:00 and 23:59",
                rejects("Europe/London", List.of(new WindowSpec(1, "19:00", "24:00")), List.of()).getMessage());
        assertEquals("windows[0].end: is missing",
                rejects("Europe/London", List.of(new WindowSpec(1, "19:00", null)), List.of()).getMessage());
    }

    @Test
    void rejectsOverlappingWindowsIncludingAcrossTheWeekBoundary() {
        assertEquals("windows[1]: (Mon 20:00-21:00) overlaps windows[0] (Mon 19:00-07:00 (next day))",
                rejects("Europe/London", List.of(new WindowSpec(1, "19:00", "07:00"), new WindowSpec(1, "20:00", "21:00")), List.of()).getMessage());
        assertEquals("windows[1]: (Mon 06:00-09:00) overlaps windows[0] (Sun 22:00-07:00 (next day))",
                rejects("Europe/London", List.of(new WindowSpec(7, "22:00", "07:00"), new WindowSpec(1, "06:00", "09:00")), List.of()).getMessage());
        assertEquals("windows[1]: (Tue 19:00-07:00 (next day)) overlaps windows[0] (Tue 19:00-07:00 (next day))",
                rejects("Europe/London", List.of(new WindowSpec(2, "19:00", "07:00"), new WindowSpec(2, "19:00", "07:00")), List.of()).getMessage());
        assertDoesNotThrow(() -> london(new WindowSpec(7, "22:00", "07:00"), new WindowSpec(1, "07:00", "09:00")),
                "touching windows are allowed");
    }

    @Test
    void rejectsUnknownAndFixedOffsetTimeZones() {
        List<WindowSpec> w = List.of(new WindowSpec(1, "19:00", "07:00"));
        assertEquals("timeZone: 'Europe/Londn' is not an IANA time zone id such as Europe/London",
                rejects("Europe/Londn", w, List.of()).getMessage());
        assertEquals("timeZone: '+01:00' is not an IANA time zone id such as Europe/London",
                rejects("+01:00", w, List.of()).getMessage());
        assertEquals("timeZone: is missing", rejects(" ", w, List.of()).getMessage());
    }

    @Test
    void rejectsBackwardsOrIncompleteSuspensions() {
        List<WindowSpec> w = List.of(new WindowSpec(1, "19:00", "07:00"));
        assertEquals("suspensions[0].until: 2025-01-01T00:00:00Z is not after from 2025-01-01T00:00:00Z",
                rejects("Europe/London", w, List.of(new SuspensionSpec(utc("2025-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z")))).getMessage());
        assertEquals("suspensions[0].from: is missing",
                rejects("Europe/London", w, List.of(new SuspensionSpec(null, utc("2025-01-01T00:00:00Z")))).getMessage());
    }

    /**
     * Independent statement of the rule: the first instant, stepping minute by minute, at which the
     * local wall clock reads at least the given local date-time.
     */
    private static Instant firstInstantShowing(ZoneId zone, LocalDateTime wall) {
        Instant t = wall.toInstant(ZoneOffset.ofHours(14));
        while (LocalDateTime.ofInstant(t, zone).isBefore(wall)) {
            t = t.plusSeconds(60);
        }
        return t;
    }

    private static boolean oracleInForce(ZoneId zone, List<WeeklyWindow> windows, Instant t) {
        LocalDate today = LocalDateTime.ofInstant(t, zone).toLocalDate();
        for (LocalDate d = today.minusDays(3); !d.isAfter(today.plusDays(1)); d = d.plusDays(1)) {
            for (WeeklyWindow w : windows) {
                if (w.startDay() != d.getDayOfWeek()) {
                    continue;
                }
                Instant start = firstInstantShowing(zone, d.atTime(w.start()));
                LocalDate endDay = w.end().isAfter(w.start()) ? d : d.plusDays(1);
                Instant end = firstInstantShowing(zone, endDay.atTime(w.end()));
                if (!t.isBefore(start) && t.isBefore(end)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void agreesWithAMinuteByMinuteOracleAroundDaylightSavingChanges() {
        Random rnd = new Random(17);
        int inForce = 0;
        int checked = 0;
        for (String id : List.of("Europe/London", "America/New_York", "Australia/Lord_Howe", "America/Havana")) {
            ZoneId zone = ZoneId.of(id);
            List<Instant> transitions = new ArrayList<>();
            ZoneOffsetTransition tr = zone.getRules().nextTransition(utc("2024-01-01T00:00:00Z"));
            while (tr.getInstant().isBefore(utc("2026-01-01T00:00:00Z"))) {
                transitions.add(tr.getInstant());
                tr = zone.getRules().nextTransition(tr.getInstant());
            }
            for (int round = 0; round < 12; round++) {
                List<WeeklyWindow> windows = randomWindows(rnd);
                CurfewSchedule s = CurfewSchedule.of(zone, windows, List.of());
                for (int i = 0; i < 120; i++) {
                    Instant t = i % 2 == 0
                            ? transitions.get(rnd.nextInt(transitions.size())).plusSeconds(rnd.nextInt(4 * 86_400) - 2 * 86_400)
                            : utc("2024-01-01T00:00:00Z").plusSeconds(rnd.nextInt(2 * 365 * 86_400));
                    // Minute-aligned instants hit window edges exactly.
                    t = i % 3 == 0 ? Instant.ofEpochSecond(t.getEpochSecond() / 60 * 60) : t;
                    boolean expected = oracleInForce(zone, windows, t);
                    assertEquals(expected, s.isInForce(t), id + " " + windows + " at " + t);
                    inForce += expected ? 1 : 0;
                    checked++;
                }
            }
        }
        assertTrue(inForce > checked / 10 && inForce < checked * 9 / 10, "both answers exercised: " + inForce + "/" + checked);
    }

    /** One to four non-overlapping windows; some start or end within an hour of 00:00-03:00, where changes happen. */
    private static List<WeeklyWindow> randomWindows(Random rnd) {
        int week = 7 * 1440;
        int n = 1 + rnd.nextInt(4);
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) {
            int day = rnd.nextInt(7);
            int minute = rnd.nextBoolean() ? rnd.nextInt(1440) : rnd.nextInt(4 * 60);
            starts[i] = day * 1440 + minute;
        }
        Arrays.sort(starts);
        List<WeeklyWindow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int gap = i + 1 < n ? starts[i + 1] - starts[i] : starts[0] + week - starts[i];
            if (gap == 0) {
                continue;
            }
            int len = 1 + rnd.nextInt(Math.min(gap, 1440));
            int s = starts[i] % 1440;
            int e = (s + len) % 1440;
            out.add(new WeeklyWindow(java.time.DayOfWeek.of(starts[i] / 1440 + 1),
                    java.time.LocalTime.of(s / 60, s % 60), java.time.LocalTime.of(e / 60, e % 60)));
        }
        return out;
    }
}
