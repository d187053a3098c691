package io.sentinel.rules.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.common.v1.Curfew;
import io.sentinel.api.common.v1.CurfewException;
import io.sentinel.api.common.v1.CurfewWindow;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.geo.Zones;
import io.sentinel.common.util.Timestamps;
import io.sentinel.rules.config.RulesConfig;
import io.sentinel.rules.domain.breach.BreachPolicy;
import io.sentinel.rules.domain.curfew.CurfewSchedule;
import io.sentinel.rules.domain.curfew.InvalidCurfewException;
import io.sentinel.rules.domain.geo.GeoJsonZoneReader;
import io.sentinel.rules.domain.geo.InvalidZoneException;
import io.sentinel.rules.domain.geo.PreparedZone;
import io.sentinel.rules.domain.geo.ZoneIndex;
import io.sentinel.rules.domain.geo.ZoneShape;
import io.sentinel.rules.domain.monitor.Condition;
import io.sentinel.rules.domain.monitor.MonitoringOrder;

/**
 * The compiled monitoring order of every monitored subject, held in memory (prepared geometries in
 * a {@link ZoneIndex}) so a fix is evaluated without touching the database. Each subject's entry is
 * replaced whole, so an update takes effect atomically and without restart.
 */
@ApplicationScoped
public class SubjectOrders {

    /** One subject's conditions, ready for a {@link io.sentinel.rules.domain.monitor.SubjectMonitor}. */
    public record Compiled(UUID subjectId, String owningAgencyId, long version, MonitoringOrder order,
            Map<String, AlertKind> kinds) {
    }

    private final Map<UUID, Compiled> bySubject = new ConcurrentHashMap<>();
    private final BreachPolicy policy;

    public SubjectOrders(RulesConfig config) {
        this.policy = config.breach().policy();
    }

    public Compiled get(UUID subjectId) {
        return bySubject.get(subjectId);
    }

    public int size() {
        return bySubject.size();
    }

    /** Holds {@code compiled} (or drops the subject when inactive) unless a newer version is already held. */
    public void put(Compiled compiled, boolean active) {
        bySubject.compute(compiled.subjectId(), (id, held) -> {
            if (held != null && held.version() > compiled.version()) {
                return held;
            }
            return active ? compiled : null;
        });
    }

    public void remove(UUID subjectId) {
        bySubject.remove(subjectId);
    }

    /** Validates and compiles a request; throws INVALID_ARGUMENT naming the offending field. */
    public Compiled compile(PutSubjectConditionsRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        Map<String, PreparedZone> zones = new LinkedHashMap<>();
        List<Condition> conditions = new ArrayList<>();
        Map<String, AlertKind> kinds = new HashMap<>();
        String home = null;
        for (int i = 0; i < r.getZonesCount(); i++) {
            String f = "zones[" + i + "]";
            Zone z = r.getZones(i);
            Check.uuid(f + ".zone_id", z.getZoneId());
            if (zones.containsKey(z.getZoneId())) {
                throw SentinelException.invalid(f + ".zone_id", "'" + z.getZoneId() + "' is used twice");
            }
            zones.put(z.getZoneId(), prepare(f, z));
            switch (z.getKind()) {
                case ZONE_KIND_INCLUSION -> {
                    conditions.add(Condition.inclusion(z.getZoneId(), z.getZoneId(), policy));
                    kinds.put(z.getZoneId(), AlertKind.ALERT_KIND_INCLUSION_ZONE_LEFT);
                }
                case ZONE_KIND_EXCLUSION -> {
                    conditions.add(Condition.exclusion(z.getZoneId(), z.getZoneId(), policy));
                    kinds.put(z.getZoneId(), AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED);
                }
                case ZONE_KIND_HOME -> {
                    // The first home zone is the one curfews refer to.
                    if (home == null) {
                        home = z.getZoneId();
                    }
                }
                default -> throw SentinelException.invalid(f + ".kind", "must be INCLUSION, EXCLUSION or HOME");
            }
        }
        for (int i = 0; i < r.getCurfewsCount(); i++) {
            String f = "curfews[" + i + "]";
            Curfew c = r.getCurfews(i);
            Check.uuid(f + ".curfew_id", c.getCurfewId());
            if (kinds.containsKey(c.getCurfewId())) {
                throw SentinelException.invalid(f + ".curfew_id", "'" + c.getCurfewId() + "' is used twice");
            }
            if (home == null) {
                throw SentinelException.invalid(f, "a curfew needs a zone of kind HOME among zones");
            }
            conditions.add(Condition.curfew(c.getCurfewId(), home, schedule(f, r.getTimeZone(), c), policy));
            kinds.put(c.getCurfewId(), AlertKind.ALERT_KIND_CURFEW_BREACH);
        }
        if (conditions.size() > MonitoringOrder.MAX_CONDITIONS) {
            throw SentinelException.invalid("zones", "at most " + MonitoringOrder.MAX_CONDITIONS
                    + " inclusion/exclusion zones and curfews together, got " + conditions.size());
        }
        MonitoringOrder order = MonitoringOrder.of(subject.toString(), conditions, ZoneIndex.of(zones));
        return new Compiled(subject, r.getOwningAgencyId(), r.getVersion(), order, Map.copyOf(kinds));
    }

    private static PreparedZone prepare(String f, Zone z) {
        if (z.getShapeCase() == Zone.ShapeCase.GEOJSON) {
            // The shared validator gives the same field-named errors enrollment-svc gives.
            Zones.polygon(f + ".geojson", z.getGeojson());
            try {
                return PreparedZone.of(new GeoJsonZoneReader().read(z.getGeojson()));
            } catch (InvalidZoneException e) {
                throw SentinelException.invalid(f + ".geojson." + e.path(), e.problem());
            }
        }
        if (z.getShapeCase() == Zone.ShapeCase.CIRCLE) {
            var c = z.getCircle();
            Zones.circle(f + ".circle", c.getCentre().getLatitude(), c.getCentre().getLongitude(), c.getRadiusMetres());
            try {
                return PreparedZone.of(new ZoneShape.Circle(c.getCentre().getLatitude(), c.getCentre().getLongitude(),
                        c.getRadiusMetres()));
            } catch (IllegalArgumentException e) {
                throw SentinelException.invalid(f + ".circle", e.getMessage());
            }
        }
        throw SentinelException.invalid(f, "needs a geojson or circle shape");
    }

    private static CurfewSchedule schedule(String f, String timeZone, Curfew c) {
        List<CurfewSchedule.WindowSpec> windows = new ArrayList<>();
        for (CurfewWindow w : c.getWindowsList()) {
            windows.add(new CurfewSchedule.WindowSpec(w.getStartDay(), w.getStartTime(), w.getEndTime()));
        }
        List<CurfewSchedule.SuspensionSpec> suspensions = new ArrayList<>();
        for (int i = 0; i < c.getExceptionsCount(); i++) {
            CurfewException e = c.getExceptions(i);
            suspensions.add(new CurfewSchedule.SuspensionSpec(
                    Timestamps.optional(f + ".exceptions[" + i + "].start", e.hasStart() ? e.getStart() : null),
                    Timestamps.optional(f + ".exceptions[" + i + "].end", e.hasEnd() ? e.getEnd() : null)));
        }
        try {
            return CurfewSchedule.parse(timeZone, windows, suspensions);
        } catch (InvalidCurfewException e) {
            throw SentinelException.invalid(wirePath(f, e.path()), e.problem());
        }
    }

    /** The domain names fields after its own model; the error names them as on the wire. */
    static String wirePath(String curfewField, String domainPath) {
        if (domainPath.equals("timeZone")) {
            return "time_zone";
        }
        String p = domainPath
                .replace("suspensions", "exceptions")
                .replace(".startDay", ".start_day")
                .replaceAll("\\.start$", ".start_time")
                .replaceAll("\\.end$", ".end_time")
                .replaceAll("(exceptions\\[\\d+])\\.from$", "$1.start")
                .replaceAll("(exceptions\\[\\d+])\\.until$", "$1.end");
        return curfewField + "." + p;
    }
}
