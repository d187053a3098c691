package io.sentinel.biometric.domain;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Picks the moments of one day's check-in prompts: uniformly at random inside the subject's
 * waking window, computed on the real time line so that a DST day's window is simply one hour
 * shorter or longer and no prompt ever falls outside it.
 */
public final class PromptPlanner {
    private PromptPlanner() {
    }

    /** The waking window of one local day as real instants: [start, end). */
    public record Window(Instant start, Instant end) {
        public boolean contains(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }

    /**
     * The window of {@code day} in {@code zone}. A local time skipped by a DST gap moves forward by
     * the gap; in an overlap the earlier offset is used. An end not after the start means the window
     * runs past midnight into the next day.
     */
    public static Window window(LocalDate day, String timeZone, String windowStart, String windowEnd) {
        ZoneId zone = zone(timeZone);
        LocalTime start = time("window_start", windowStart);
        LocalTime end = time("window_end", windowEnd);
        Instant from = day.atTime(start).atZone(zone).toInstant();
        Instant to = (end.isAfter(start) ? day : day.plusDays(1)).atTime(end).atZone(zone).toInstant();
        return new Window(from, to);
    }

    /**
     * {@code perDay} prompt moments inside the window, sorted, each drawn independently (so their
     * number and spacing give nothing away), truncated to whole seconds.
     */
    public static List<Instant> plan(Window window, int perDay, Random random) {
        if (perDay < 0 || perDay > 5) {
            throw new IllegalArgumentException("per_day must be 0 to 5, got " + perDay);
        }
        long seconds = Duration.between(window.start(), window.end()).toSeconds();
        if (seconds <= 0) {
            throw new IllegalArgumentException("window_end must differ from window_start");
        }
        List<Instant> out = new ArrayList<>(perDay);
        for (int i = 0; i < perDay; i++) {
            out.add(window.start().plusSeconds(random.nextLong(seconds)));
        }
        out.sort(null);
        return out;
    }

    public static ZoneId zone(String timeZone) {
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException | NullPointerException e) {
            throw new IllegalArgumentException("time_zone is not an IANA time zone: " + timeZone);
        }
    }

    static LocalTime time(String field, String value) {
        try {
            return LocalTime.parse(value);
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(field + " must be a local time HH:mm, got " + value);
        }
    }
}
