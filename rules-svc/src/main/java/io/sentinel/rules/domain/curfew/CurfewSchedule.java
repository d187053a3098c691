package io.sentinel.rules.domain.curfew;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A weekly curfew in the subject's IANA time zone, with one-off suspensions; immutable.
 *
 * <p>Daylight saving: a window boundary at wall time T on date D is the <em>first instant at which
 * the subject's clock shows T or later on D</em>. When T falls in the hour skipped in spring, that
 * is the moment the clocks go forward (01:30 in London on the last Sunday of March becomes 02:00
 * BST); when T occurs twice in autumn, it is the first occurrence (BST). Hence a Saturday 21:00 to
 * Sunday 07:00 window lasts 9 hours over the March change and 11 hours over the October one, and a
 * window lying wholly inside the skipped hour is empty that week (never in force). Because this
 * mapping never goes backwards, windows that do not overlap on the wall clock never overlap in time.
 *
 * <p>Windows may touch (one ending when the next starts) but not overlap; a suspension lifts the
 * curfew over its range whatever the windows say.
 */
public final class CurfewSchedule {

    public static final int MAX_WINDOWS = 50;
    public static final int MAX_SUSPENSIONS = 500;
    private static final int MINUTES_PER_WEEK = 7 * WeeklyWindow.MINUTES_PER_DAY;

    private final ZoneId zone;
    private final List<WeeklyWindow> windows;
    private final List<CurfewSuspension> suspensions;

    private CurfewSchedule(ZoneId zone, List<WeeklyWindow> windows, List<CurfewSuspension> suspensions) {
        this.zone = zone;
        this.windows = List.copyOf(windows);
        this.suspensions = suspensions.stream().sorted(Comparator.comparing(CurfewSuspension::from)).toList();
    }

    /** Raw window as received: ISO day 1..7 and "HH:mm" times. */
    public record WindowSpec(int startDay, String start, String end) {
    }

    /** Raw suspension as received. */
    public record SuspensionSpec(Instant from, Instant until) {
    }

    /**
     * Validates and builds a schedule from its wire form; every error names its path
     * ({@code timeZone}, {@code windows[1].start}, {@code suspensions[0].until}, ...).
     */
    public static CurfewSchedule parse(String timeZone, List<WindowSpec> windows, List<SuspensionSpec> suspensions) {
        ZoneId zone = zone(timeZone);
        if (windows == null || windows.isEmpty()) {
            throw new InvalidCurfewException("windows", "a curfew needs at least one window");
        }
        if (windows.size() > MAX_WINDOWS) {
            throw new InvalidCurfewException("windows", "at most " + MAX_WINDOWS + " windows, got " + windows.size());
        }
        List<WeeklyWindow> parsed = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            WindowSpec w = windows.get(i);
            if (w == null) {
                throw new InvalidCurfewException("windows[" + i + "]", "is missing");
            }
            parsed.add(WeeklyWindow.parse("windows[" + i + "]", w.startDay(), w.start(), w.end()));
        }
        List<CurfewSuspension> lifted = new ArrayList<>();
        List<SuspensionSpec> specs = suspensions == null ? List.of() : suspensions;
        if (specs.size() > MAX_SUSPENSIONS) {
            throw new InvalidCurfewException("suspensions", "at most " + MAX_SUSPENSIONS + " suspensions, got " + specs.size());
        }
        for (int i = 0; i < specs.size(); i++) {
            SuspensionSpec s = specs.get(i);
            if (s == null) {
                throw new InvalidCurfewException("suspensions[" + i + "]", "is missing");
            }
            lifted.add(CurfewSuspension.of("suspensions[" + i + "]", s.from(), s.until()));
        }
        return of(zone, parsed, lifted);
    }

    /** Builds a schedule from typed parts, checking window count and overlaps. */
    public static CurfewSchedule of(ZoneId zone, List<WeeklyWindow> windows, List<CurfewSuspension> suspensions) {
        if (zone == null) {
            throw new InvalidCurfewException("timeZone", "is missing");
        }
        if (windows == null || windows.isEmpty()) {
            throw new InvalidCurfewException("windows", "a curfew needs at least one window");
        }
        if (windows.size() > MAX_WINDOWS) {
            throw new InvalidCurfewException("windows", "at most " + MAX_WINDOWS + " windows, got " + windows.size());
        }
        for (int j = 0; j < windows.size(); j++) {
            if (windows.get(j) == null) {
                throw new InvalidCurfewException("windows[" + j + "]", "is missing");
            }
            for (int i = 0; i < j; i++) {
                if (overlap(windows.get(i), windows.get(j))) {
                    throw new InvalidCurfewException("windows[" + j + "]", "(" + windows.get(j) + ") overlaps windows["
                            + i + "] (" + windows.get(i) + ")");
                }
            }
        }
        return new CurfewSchedule(zone, windows, suspensions == null ? List.of() : suspensions);
    }

    private static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            throw new InvalidCurfewException("timeZone", "is missing");
        }
        // Region ids only: a fixed offset would silently ignore the subject's daylight-saving changes.
        if (!ZoneId.getAvailableZoneIds().contains(timeZone)) {
            throw new InvalidCurfewException("timeZone", "'" + timeZone + "' is not an IANA time zone id such as Europe/London");
        }
        return ZoneId.of(timeZone);
    }

    /** Overlap on the weekly wall-clock circle; touching ends are allowed. */
    private static boolean overlap(WeeklyWindow a, WeeklyWindow b) {
        int forward = Math.floorMod(b.weekMinuteOfStart() - a.weekMinuteOfStart(), MINUTES_PER_WEEK);
        int backward = Math.floorMod(a.weekMinuteOfStart() - b.weekMinuteOfStart(), MINUTES_PER_WEEK);
        return forward < a.wallMinutes() || backward < b.wallMinutes();
    }

    public ZoneId zone() {
        return zone;
    }

    public List<WeeklyWindow> windows() {
        return windows;
    }

    public List<CurfewSuspension> suspensions() {
        return suspensions;
    }

    /** A copy with one more suspension. */
    public CurfewSchedule withSuspension(CurfewSuspension suspension) {
        List<CurfewSuspension> s = new ArrayList<>(suspensions);
        s.add(suspension);
        return new CurfewSchedule(zone, windows, s);
    }

    /** Whether the subject must be home at {@code t}: some window contains it and no suspension does. */
    public boolean isInForce(Instant t) {
        return windowContaining(t).isPresent() && suspensionAt(t).isEmpty();
    }

    /** The scheduled occurrence containing {@code t}, whether or not a suspension lifts it. */
    public Optional<CurfewPeriod> windowContaining(Instant t) {
        LocalDate today = t.atZone(zone).toLocalDate();
        // A window lasts at most 25 real hours and starts on its own date, so it began at most two
        // local dates ago; tomorrow is checked too for zones whose clocks step back across midnight.
        for (LocalDate d = today.minusDays(2); !d.isAfter(today.plusDays(1)); d = d.plusDays(1)) {
            for (WeeklyWindow w : windows) {
                if (w.startDay() == d.getDayOfWeek()) {
                    CurfewPeriod p = occurrence(w, d);
                    if (p.contains(t)) {
                        return Optional.of(p);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The suspension containing {@code t}, if any. */
    public Optional<CurfewSuspension> suspensionAt(Instant t) {
        for (CurfewSuspension s : suspensions) {
            if (s.contains(t)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * When the curfew in force at {@code t} stops being in force: the end of its window, continued
     * through touching windows, or the start of a suspension, whichever is first. Empty when not in force.
     */
    public Optional<Instant> inForceUntil(Instant t) {
        if (!isInForce(t)) {
            return Optional.empty();
        }
        Instant end = windowContaining(t).orElseThrow().end();
        for (int guard = 0; guard <= windows.size(); guard++) {
            Optional<CurfewPeriod> next = windowContaining(end);
            if (next.isEmpty()) {
                break;
            }
            end = next.get().end();
        }
        for (CurfewSuspension s : suspensions) {
            if (s.from().isAfter(t) && s.from().isBefore(end)) {
                end = s.from();
                break;
            }
        }
        return Optional.of(end);
    }

    /**
     * Scheduled, non-empty occurrences overlapping [from, to), in start order, ignoring suspensions.
     * The range may span at most 366 days.
     */
    public List<CurfewPeriod> occurrencesBetween(Instant from, Instant to) {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("to " + to + " is not after from " + from);
        }
        if (Duration.between(from, to).compareTo(Duration.ofDays(366)) > 0) {
            throw new IllegalArgumentException("range from " + from + " to " + to + " is longer than 366 days");
        }
        List<CurfewPeriod> out = new ArrayList<>();
        LocalDate last = to.atZone(zone).toLocalDate().plusDays(1);
        for (LocalDate d = from.atZone(zone).toLocalDate().minusDays(2); !d.isAfter(last); d = d.plusDays(1)) {
            for (WeeklyWindow w : windows) {
                if (w.startDay() == d.getDayOfWeek()) {
                    CurfewPeriod p = occurrence(w, d);
                    if (!p.isEmpty() && p.end().isAfter(from) && p.start().isBefore(to)) {
                        out.add(p);
                    }
                }
            }
        }
        out.sort(Comparator.comparing(CurfewPeriod::start));
        return out;
    }

    /** The occurrence of {@code w} starting on local date {@code d}; may be empty on a spring-forward day. */
    CurfewPeriod occurrence(WeeklyWindow w, LocalDate d) {
        Instant start = firstInstantShowing(d, w.start());
        Instant end = firstInstantShowing(w.endsNextDay() ? d.plusDays(1) : d, w.end());
        return new CurfewPeriod(start, end);
    }

    private Instant firstInstantShowing(LocalDate date, LocalTime time) {
        LocalDateTime wall = date.atTime(time);
        ZoneOffsetTransition transition = zone.getRules().getTransition(wall);
        if (transition != null && transition.isGap()) {
            return transition.getInstant();
        }
        // In an overlap atZone picks the earlier offset, i.e. the first time the clock shows this time.
        return wall.atZone(zone).toInstant();
    }
}
