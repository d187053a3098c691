package io.sentinel.enrollment.service;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.sentinel.api.common.v1.Curfew;
import io.sentinel.api.common.v1.CurfewException;
import io.sentinel.api.common.v1.CurfewWindow;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.geo.Zones;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.domain.ConditionChecks;
import io.sentinel.enrollment.domain.SubjectChecks;

/** Validates an order's conditions and assigns identifiers to new zones and curfews. */
final class OrderConditions {
    private OrderConditions() {
    }

    static Conditions normalise(String f, Conditions c) {
        SubjectChecks.timeZone(f + ".time_zone", c.getTimeZone());
        Conditions.Builder out = c.toBuilder().clearZones().clearCurfews();
        int homes = 0;
        for (int i = 0; i < c.getZonesCount(); i++) {
            Zone z = c.getZones(i);
            String zf = f + ".zones[" + i + "]";
            Zone.Builder zb = z.toBuilder();
            if (z.getZoneId().isEmpty()) {
                zb.setZoneId(UUID.randomUUID().toString());
            } else {
                Check.uuid(zf + ".zone_id", z.getZoneId());
            }
            if (z.getKind() == ZoneKind.ZONE_KIND_UNSPECIFIED || z.getKind() == ZoneKind.UNRECOGNIZED) {
                throw SentinelException.invalid(zf + ".kind", "must be INCLUSION, EXCLUSION or HOME");
            }
            if (z.getKind() == ZoneKind.ZONE_KIND_HOME) {
                homes++;
            }
            if (z.getName().length() > 200) {
                throw SentinelException.invalid(zf + ".name", "must be at most 200 characters");
            }
            if (z.getShapeCase() == Zone.ShapeCase.GEOJSON) {
                Zones.polygon(zf + ".geojson", z.getGeojson());
            } else if (z.getShapeCase() == Zone.ShapeCase.CIRCLE) {
                Zones.circle(zf + ".circle", z.getCircle().getCentre().getLatitude(), z.getCircle().getCentre().getLongitude(),
                        z.getCircle().getRadiusMetres());
            } else {
                throw SentinelException.invalid(zf, "needs a geojson or circle shape");
            }
            out.addZones(zb);
        }
        if (homes > 1) {
            throw SentinelException.invalid(f + ".zones", "at most one HOME zone, got " + homes);
        }
        if (c.getCurfewsCount() > 0 && homes == 0) {
            throw SentinelException.invalid(f + ".curfews", "curfews need a HOME zone to be kept in");
        }
        List<ConditionChecks.WeeklyWindow> all = new ArrayList<>();
        for (int i = 0; i < c.getCurfewsCount(); i++) {
            Curfew cu = c.getCurfews(i);
            String cf = f + ".curfews[" + i + "]";
            Curfew.Builder cb = cu.toBuilder();
            if (cu.getCurfewId().isEmpty()) {
                cb.setCurfewId(UUID.randomUUID().toString());
            } else {
                Check.uuid(cf + ".curfew_id", cu.getCurfewId());
            }
            if (cu.getWindowsCount() == 0) {
                throw SentinelException.invalid(cf + ".windows", "a curfew needs at least one window");
            }
            for (int w = 0; w < cu.getWindowsCount(); w++) {
                CurfewWindow win = cu.getWindows(w);
                String wf = cf + ".windows[" + w + "]";
                LocalTime start = SubjectChecks.localTime(wf + ".start_time", win.getStartTime());
                LocalTime end = SubjectChecks.localTime(wf + ".end_time", win.getEndTime());
                all.add(ConditionChecks.window(wf, win.getStartDay(), start, end));
            }
            for (int x = 0; x < cu.getExceptionsCount(); x++) {
                CurfewException ex = cu.getExceptions(x);
                String xf = cf + ".exceptions[" + x + "]";
                var s = Timestamps.required(xf + ".start", ex.getStart());
                var e = Timestamps.required(xf + ".end", ex.getEnd());
                if (!e.isAfter(s)) {
                    throw SentinelException.invalid(xf + ".end", "must be after start");
                }
                Check.length(xf + ".reason", ex.getReason(), 1, 200);
            }
            out.addCurfews(cb);
        }
        ConditionChecks.noOverlap(f + ".curfews.windows", all);
        var ci = c.getCheckIns();
        if (ci.getPerDay() > 0) {
            ConditionChecks.checkIns(f + ".check_ins", ci.getPerDay(), SubjectChecks.localTime(f + ".check_ins.window_start", ci.getWindowStart()),
                    SubjectChecks.localTime(f + ".check_ins.window_end", ci.getWindowEnd()));
        } else if (ci.getPerDay() < 0) {
            throw SentinelException.invalid(f + ".check_ins.per_day", "must be 0 to 5, got " + ci.getPerDay());
        }
        if (c.getCadence() == LocationCadence.LOCATION_CADENCE_UNSPECIFIED || c.getCadence() == LocationCadence.UNRECOGNIZED) {
            throw SentinelException.invalid(f + ".cadence", "must be CONTINUOUS_TRAIL or CURFEW_AND_ZONES_ONLY");
        }
        return out.build();
    }
}
