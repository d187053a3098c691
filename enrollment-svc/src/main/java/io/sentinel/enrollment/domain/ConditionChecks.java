package io.sentinel.enrollment.domain;

import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

import io.sentinel.common.error.SentinelException;

/** Checks of curfew windows and check-in policies that need no proto types. */
public final class ConditionChecks {
    public static final int MAX_CHECK_INS_PER_DAY = 5;
    private static final int MINUTES_PER_WEEK = 7 * 24 * 60;

    private ConditionChecks() {
    }

    /** A weekly window as minutes from Monday 00:00, end exclusive, possibly past the week's end. */
    public record WeeklyWindow(int startMinute, int endMinute) {
        boolean overlaps(WeeklyWindow o) {
            // Compare on a circle of one week: shift the other window by -1, 0 and +1 weeks.
            for (int shift = -MINUTES_PER_WEEK; shift <= MINUTES_PER_WEEK; shift += MINUTES_PER_WEEK) {
                if (startMinute < o.endMinute + shift && o.startMinute + shift < endMinute) {
                    return true;
                }
            }
            return false;
        }
    }

    public static WeeklyWindow window(String field, int startDay, LocalTime start, LocalTime end) {
        if (startDay < 1 || startDay > 7) {
            throw SentinelException.invalid(field + ".start_day", "must be 1 (Monday) to 7 (Sunday), got " + startDay);
        }
        if (start.equals(end)) {
            throw SentinelException.invalid(field, "is empty: start_time equals end_time");
        }
        int s = (startDay - 1) * 24 * 60 + start.getHour() * 60 + start.getMinute();
        long length = Duration.between(start, end).toMinutes();
        if (length < 0) {
            length += 24 * 60; // ends the next day
        }
        return new WeeklyWindow(s, s + (int) length);
    }

    /** Rejects the first pair of overlapping windows, naming both. */
    public static void noOverlap(String field, List<WeeklyWindow> windows) {
        List<WeeklyWindow> seen = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            for (int j = 0; j < seen.size(); j++) {
                if (windows.get(i).overlaps(seen.get(j))) {
                    throw SentinelException.invalid(field + "[" + i + "]", "overlaps " + field + "[" + j + "]");
                }
            }
            seen.add(windows.get(i));
        }
    }

    public static void checkIns(String field, int perDay, LocalTime windowStart, LocalTime windowEnd) {
        if (perDay < 0 || perDay > MAX_CHECK_INS_PER_DAY) {
            throw SentinelException.invalid(field + ".per_day", "must be 0 to " + MAX_CHECK_INS_PER_DAY + ", got " + perDay);
        }
        if (perDay > 0 && !windowEnd.isAfter(windowStart)) {
            throw SentinelException.invalid(field + ".window_end", "must be after window_start");
        }
    }
}
