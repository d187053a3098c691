package io.sentinel.rules.domain.curfew;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A weekly curfew window in the subject's wall-clock time: from {@code start} on {@code startDay}
 * to {@code end}, which falls on the next day when it is not after {@code start} (so equal times
 * make a 24-hour window). Times have minute precision.
 */
public record WeeklyWindow(DayOfWeek startDay, LocalTime start, LocalTime end) {

    private static final Pattern HH_MM = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d");
    static final int MINUTES_PER_DAY = 24 * 60;

    public WeeklyWindow {
        Objects.requireNonNull(startDay, "startDay");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (start.getSecond() != 0 || start.getNano() != 0 || end.getSecond() != 0 || end.getNano() != 0) {
            throw new IllegalArgumentException("window times have minute precision, got " + start + " and " + end);
        }
    }

    /**
     * Parses the wire form: ISO day 1 (Monday) to 7 (Sunday) and "HH:mm" times; errors name
     * {@code path}'s fields.
     */
    public static WeeklyWindow parse(String path, int isoDay, String start, String end) {
        if (isoDay < 1 || isoDay > 7) {
            throw new InvalidCurfewException(path + ".startDay", isoDay + " out of range [1, 7] (1 = Monday)");
        }
        return new WeeklyWindow(DayOfWeek.of(isoDay), time(path + ".start", start), time(path + ".end", end));
    }

    private static LocalTime time(String path, String text) {
        if (text == null) {
            throw new InvalidCurfewException(path, "is missing");
        }
        if (!HH_MM.matcher(text).matches()) {
            throw new InvalidCurfewException(path, "'" + text + "' is not a time HH:mm between 00:00 and 23:59");
        }
        return LocalTime.of(Integer.parseInt(text.substring(0, 2)), Integer.parseInt(text.substring(3)));
    }

    /** Whether the window ends on the day after it starts. */
    public boolean endsNextDay() {
        return !end.isAfter(start);
    }

    /** Minutes from the start of the week (Monday 00:00) to the start, in wall-clock time. */
    int weekMinuteOfStart() {
        return (startDay.getValue() - 1) * MINUTES_PER_DAY + start.getHour() * 60 + start.getMinute();
    }

    /** Length in wall-clock minutes, 1 to 1440. */
    int wallMinutes() {
        int s = start.getHour() * 60 + start.getMinute();
        int e = end.getHour() * 60 + end.getMinute();
        return endsNextDay() ? e + MINUTES_PER_DAY - s : e - s;
    }

    @Override
    public String toString() {
        return startDay.getDisplayName(TextStyle.SHORT, Locale.ENGLISH) + " " + start + "-" + end
                + (endsNextDay() ? " (next day)" : "");
    }
}
