package io.sentinel.common.conditions;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import org.locationtech.jts.geom.Geometry;

import io.sentinel.common.conditions.ConditionsInput.CircleInput;
import io.sentinel.common.conditions.ConditionsInput.CurfewInput;
import io.sentinel.common.conditions.ConditionsInput.ExceptionInput;
import io.sentinel.common.conditions.ConditionsInput.WindowInput;
import io.sentinel.common.conditions.ConditionsInput.ZoneInput;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The one validator of an order's conditions: enrollment-svc runs it when a caseworker creates or
 * amends an order, rules-svc when PutSubjectConditions arrives, so enrollment refuses up front
 * exactly what rules-svc would refuse, with the same field-named INVALID_ARGUMENT.
 *
 * <p>The work is ordered from cheap to dear: the counts of zones, curfews, windows and exceptions;
 * then every zone's fields, with each GeoJSON text streamed once and its positions counted against
 * the zone's and the order's allowance ({@link ConditionLimits}); then curfews and their overlaps;
 * only then, once every limit held, the geometry of each zone (JTS rings, polygons, validity). It
 * is CPU work on up to {@value ConditionLimits#MAX_VERTICES_PER_ORDER} vertices: call
 * {@link #validateOffEventLoop} from a Vert.x event loop.
 */
public final class ConditionsValidator {
    private static final int MINUTES_PER_WEEK = 7 * 1440;

    private ConditionsValidator() {
    }

    /**
     * Validates {@code in}; every error names its field under {@code prefix} ("order.conditions" gives
     * {@code order.conditions.zones[2].geojson.coordinates[0][5]}; "" gives {@code zones[2]...}).
     * Zone and curfew ids must already be set (enrollment-svc assigns missing ones first).
     */
    public static ValidConditions validate(String prefix, ConditionsInput in) {
        String p = prefix == null || prefix.isEmpty() ? "" : prefix + ".";
        ZoneId timeZone = timeZone(p + "time_zone", in.timeZone());
        counts(p, in);

        // Zones: fields, and the GeoJSON streamed and counted; no geometry is built yet.
        GeoJsonPolygons.Allowance allowance = GeoJsonPolygons.Allowance.forOrder();
        Map<UUID, String> ids = new HashMap<>();
        List<Object> shapes = new ArrayList<>();
        int homes = 0;
        for (int i = 0; i < in.zones().size(); i++) {
            ZoneInput z = in.zones().get(i);
            String f = p + "zones[" + i + "]";
            unique(ids, f + ".zone_id", z.zoneId(), f);
            ValidConditions.ZoneKind kind = kind(f + ".kind", z.kind());
            if (kind == ValidConditions.ZoneKind.HOME && ++homes > 1) {
                throw SentinelException.invalid(f + ".kind", "at most one zone of kind HOME per order");
            }
            if (z.name().length() > ConditionLimits.MAX_NAME_CHARS) {
                throw SentinelException.invalid(f + ".name", "must be at most " + ConditionLimits.MAX_NAME_CHARS + " characters");
            }
            if (z.geojson() != null) {
                String gf = f + ".geojson";
                shapes.add(inside(gf, () -> GeoJsonPolygons.scan(z.geojson(), allowance)));
            } else if (z.circle() != null) {
                shapes.add(circle(f + ".circle", z.circle()));
            } else {
                throw SentinelException.invalid(f, "needs a geojson or circle shape");
            }
        }

        // Curfews: ids, windows, exceptions, and no two windows of the order overlapping.
        List<ValidConditions.Curfew> curfews = new ArrayList<>();
        List<String> windowFields = new ArrayList<>();
        List<ValidConditions.Window> allWindows = new ArrayList<>();
        for (int i = 0; i < in.curfews().size(); i++) {
            CurfewInput c = in.curfews().get(i);
            String f = p + "curfews[" + i + "]";
            unique(ids, f + ".curfew_id", c.curfewId(), f);
            if (homes == 0) {
                throw SentinelException.invalid(f, "a curfew needs a zone of kind HOME among zones");
            }
            List<ValidConditions.Window> windows = new ArrayList<>();
            for (int w = 0; w < c.windows().size(); w++) {
                String wf = f + ".windows[" + w + "]";
                ValidConditions.Window win = window(wf, c.windows().get(w));
                for (int o = 0; o < allWindows.size(); o++) {
                    if (overlap(allWindows.get(o), win)) {
                        throw SentinelException.invalid(wf, "(" + win + ") overlaps " + windowFields.get(o).substring(p.length())
                                + " (" + allWindows.get(o) + ")");
                    }
                }
                windows.add(win);
                allWindows.add(win);
                windowFields.add(wf);
            }
            List<ValidConditions.Suspension> exceptions = new ArrayList<>();
            for (int x = 0; x < c.exceptions().size(); x++) {
                exceptions.add(exception(f + ".exceptions[" + x + "]", c.exceptions().get(x)));
            }
            curfews.add(new ValidConditions.Curfew(c.curfewId(), List.copyOf(windows), List.copyOf(exceptions)));
        }

        // Every limit held: now the geometry.
        List<ValidConditions.Zone> zones = new ArrayList<>();
        for (int i = 0; i < in.zones().size(); i++) {
            ZoneInput z = in.zones().get(i);
            String f = p + "zones[" + i + "]";
            Object shape = shapes.get(i);
            ValidConditions.ZoneKind kind = kind(f + ".kind", z.kind());
            if (shape instanceof GeoJsonPolygons.Scanned scanned) {
                Geometry g = inside(f + ".geojson", scanned::build);
                zones.add(new ValidConditions.Zone(z.zoneId(), z.name(), kind, g, null));
            } else {
                zones.add(new ValidConditions.Zone(z.zoneId(), z.name(), kind, null, (ValidConditions.Circle) shape));
            }
        }
        return new ValidConditions(timeZone, List.copyOf(zones), List.copyOf(curfews));
    }

    /**
     * {@link #validate} on a worker thread, the result delivered back on the calling Vert.x context
     * (so a Hibernate Reactive session bound to it can be used next).
     */
    public static Uni<ValidConditions> validateOffEventLoop(String prefix, ConditionsInput in) {
        return offEventLoop(() -> validate(prefix, in));
    }

    /** Runs {@code work} on the worker pool and resumes on the caller's Vert.x context, when there is one. */
    public static <T> Uni<T> offEventLoop(Supplier<T> work) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        Uni<T> onWorker = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return context == null ? onWorker : onWorker.emitOn(task -> context.runOnContext(x -> task.run()));
    }

    private static void counts(String p, ConditionsInput in) {
        if (in.zones().size() > ConditionLimits.MAX_ZONES) {
            throw SentinelException.invalid(p + "zones", "at most " + ConditionLimits.MAX_ZONES + " zones per order, got " + in.zones().size());
        }
        if (in.curfews().size() > ConditionLimits.MAX_CURFEWS) {
            throw SentinelException.invalid(p + "curfews", "at most " + ConditionLimits.MAX_CURFEWS + " curfews per order, got "
                    + in.curfews().size());
        }
        for (int i = 0; i < in.curfews().size(); i++) {
            CurfewInput c = in.curfews().get(i);
            String f = p + "curfews[" + i + "]";
            if (c.windows().isEmpty()) {
                throw SentinelException.invalid(f + ".windows", "a curfew needs at least one window");
            }
            if (c.windows().size() > ConditionLimits.MAX_WINDOWS_PER_CURFEW) {
                throw SentinelException.invalid(f + ".windows", "at most " + ConditionLimits.MAX_WINDOWS_PER_CURFEW + " windows per curfew, got "
                        + c.windows().size());
            }
            if (c.exceptions().size() > ConditionLimits.MAX_EXCEPTIONS_PER_CURFEW) {
                throw SentinelException.invalid(f + ".exceptions", "at most " + ConditionLimits.MAX_EXCEPTIONS_PER_CURFEW
                        + " exceptions per curfew, got " + c.exceptions().size());
            }
        }
    }

    /** Runs a GeoJSON step, naming its errors under the zone's {@code geojson} field. */
    private static <T> T inside(String field, Supplier<T> step) {
        try {
            return step.get();
        } catch (SentinelException e) {
            String inner = e.field();
            String at = inner == null || inner.equals("$") ? field : field + "." + inner;
            throw new SentinelException(e.kind(), at, e.getMessage(), e.reason());
        }
    }

    static ZoneId timeZone(String field, String value) {
        Check.required(field, value);
        // Region ids only: a fixed offset would silently ignore the subject's daylight-saving changes.
        if (!ZoneId.getAvailableZoneIds().contains(value)) {
            throw SentinelException.invalid(field, "must be an IANA time zone (e.g. Europe/London), got '" + abbreviate(value) + "'");
        }
        return ZoneId.of(value);
    }

    private static void unique(Map<UUID, String> ids, String field, String id, String owner) {
        UUID uuid = Check.uuid(field, id);
        String first = ids.putIfAbsent(uuid, owner);
        if (first != null) {
            throw SentinelException.invalid(field, "'" + id + "' is already the id of " + first.substring(first.lastIndexOf('.') + 1));
        }
    }

    private static ValidConditions.ZoneKind kind(String field, String wireName) {
        return switch (wireName) {
            case "ZONE_KIND_INCLUSION" -> ValidConditions.ZoneKind.INCLUSION;
            case "ZONE_KIND_EXCLUSION" -> ValidConditions.ZoneKind.EXCLUSION;
            case "ZONE_KIND_HOME" -> ValidConditions.ZoneKind.HOME;
            default -> throw SentinelException.invalid(field, "must be INCLUSION, EXCLUSION or HOME");
        };
    }

    private static ValidConditions.Circle circle(String f, CircleInput c) {
        if (!c.hasCentre()) {
            throw SentinelException.invalid(f + ".centre", "is required");
        }
        Check.range(f + ".centre.latitude", c.latitude(), -90, 90);
        Check.range(f + ".centre.longitude", c.longitude(), -180, 180);
        Check.range(f + ".radius_metres", c.radiusMetres(), ConditionLimits.MIN_CIRCLE_RADIUS_METRES, ConditionLimits.MAX_CIRCLE_RADIUS_METRES);
        return new ValidConditions.Circle(c.latitude(), c.longitude(), c.radiusMetres());
    }

    private static ValidConditions.Window window(String f, WindowInput w) {
        if (w.startDay() < 1 || w.startDay() > 7) {
            throw SentinelException.invalid(f + ".start_day", "must be 1 (Monday) to 7 (Sunday), got " + w.startDay());
        }
        LocalTime start = localTime(f + ".start_time", w.startTime());
        LocalTime end = localTime(f + ".end_time", w.endTime());
        // An end not after the start falls on the next day; equal times make a whole day.
        return new ValidConditions.Window(DayOfWeek.of(w.startDay()), start, end);
    }

    static LocalTime localTime(String field, String value) {
        Check.required(field, value);
        if (!value.matches("([01]\\d|2[0-3]):[0-5]\\d")) {
            throw SentinelException.invalid(field, "must be a local time HH:mm, got '" + abbreviate(value) + "'");
        }
        return LocalTime.of(Integer.parseInt(value.substring(0, 2)), Integer.parseInt(value.substring(3)));
    }

    /** Overlap on the weekly wall-clock circle; a window ending when the next starts does not overlap it. */
    static boolean overlap(ValidConditions.Window a, ValidConditions.Window b) {
        int forward = Math.floorMod(b.weekMinuteOfStart() - a.weekMinuteOfStart(), MINUTES_PER_WEEK);
        int backward = Math.floorMod(a.weekMinuteOfStart() - b.weekMinuteOfStart(), MINUTES_PER_WEEK);
        return forward < a.wallMinutes() || backward < b.wallMinutes();
    }

    private static ValidConditions.Suspension exception(String f, ExceptionInput x) {
        Instant start = Timestamps.required(f + ".start", x.start());
        Instant end = Timestamps.required(f + ".end", x.end());
        if (!end.isAfter(start)) {
            throw SentinelException.invalid(f + ".end", "must be after start");
        }
        Check.length(f + ".reason", x.reason(), 1, ConditionLimits.MAX_REASON_CHARS);
        return new ValidConditions.Suspension(start, end, x.reason());
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
