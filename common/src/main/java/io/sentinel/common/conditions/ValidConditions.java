package io.sentinel.common.conditions;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import org.locationtech.jts.geom.Geometry;

/** An order's conditions once {@link ConditionsValidator} accepted them: typed, checked, geometry built. */
public record ValidConditions(ZoneId timeZone, List<Zone> zones, List<Curfew> curfews) {

    public enum ZoneKind {
        INCLUSION, EXCLUSION, HOME
    }

    /** A zone: exactly one of {@code polygonal} (a valid Polygon or MultiPolygon, x = longitude) and {@code circle}. */
    public record Zone(String zoneId, String name, ZoneKind kind, Geometry polygonal, Circle circle) {
    }

    public record Circle(double latitude, double longitude, double radiusMetres) {
    }

    public record Curfew(String curfewId, List<Window> windows, List<Suspension> exceptions) {
    }

    /**
     * A weekly window in wall-clock time: from {@code start} on {@code startDay} to {@code end}, which
     * falls on the next day when it is not after {@code start}, so equal times make a whole day.
     */
    public record Window(DayOfWeek startDay, LocalTime start, LocalTime end) {
        /** Minutes from Monday 00:00 to the start. */
        public int weekMinuteOfStart() {
            return (startDay.getValue() - 1) * 1440 + start.getHour() * 60 + start.getMinute();
        }

        /** Length in wall-clock minutes, 1 to 1440 (equal times: 1440, a whole day). */
        public int wallMinutes() {
            int s = start.getHour() * 60 + start.getMinute();
            int e = end.getHour() * 60 + end.getMinute();
            return e > s ? e - s : e + 1440 - s;
        }

        @Override
        public String toString() {
            return startDay.getDisplayName(java.time.format.TextStyle.SHORT, java.util.Locale.ENGLISH) + " " + start + "-" + end
                    + (end.isAfter(start) ? "" : " (next day)");
        }
    }

    /** A one-off lifting of the curfew over [start, end). */
    public record Suspension(Instant start, Instant end, String reason) {
    }

    /** The HOME zone, which curfews require presence in. */
    public Optional<Zone> home() {
        return zones.stream().filter(z -> z.kind() == ZoneKind.HOME).findFirst();
    }
}
