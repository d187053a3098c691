package io.sentinel.rules.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.common.conditions.ConditionsInput;
import io.sentinel.common.conditions.ConditionsValidator;
import io.sentinel.common.conditions.ValidConditions;
import io.sentinel.common.error.Check;
import io.sentinel.common.window.OrderWindow;
import io.sentinel.rules.config.RulesConfig;
import io.sentinel.rules.domain.breach.BreachPolicy;
import io.sentinel.rules.domain.curfew.CurfewSchedule;
import io.sentinel.rules.domain.curfew.CurfewSuspension;
import io.sentinel.rules.domain.curfew.WeeklyWindow;
import io.sentinel.rules.domain.geo.PreparedZone;
import io.sentinel.rules.domain.geo.ZoneIndex;
import io.sentinel.rules.domain.geo.ZoneShape;
import io.sentinel.rules.domain.monitor.Condition;
import io.sentinel.rules.domain.monitor.MonitoringOrder;
import io.smallrye.mutiny.Uni;

/**
 * The compiled monitoring order of every monitored subject, held in memory (prepared geometries in
 * a {@link ZoneIndex}) so a fix is evaluated without touching the database. Each subject's entry is
 * replaced whole, so an update takes effect atomically and without restart.
 */
@ApplicationScoped
public class SubjectOrders {

    /**
     * One subject's conditions, ready for a {@link io.sentinel.rules.domain.monitor.SubjectMonitor}, and
     * the legal window of their order: nothing is evaluated outside it.
     */
    public record Compiled(UUID subjectId, String owningAgencyId, long version, MonitoringOrder order,
            Map<String, AlertKind> kinds, OrderWindow window) {
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

    /**
     * Validates and compiles a request; throws INVALID_ARGUMENT naming the offending field. The
     * conditions go through the one validator enrollment-svc also applies ({@link ConditionsValidator}),
     * so what enrollment-svc accepted compiles here; the domain's own checks below are invariants
     * that validated conditions always meet. CPU work on up to 50,000 vertices: from an event loop
     * use {@link #compileOffEventLoop}.
     */
    public Compiled compile(PutSubjectConditionsRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        OrderWindow window = OrderWindow.of("order_", r.getOrderStartsAt(), r.getOrderEndsAt());
        ValidConditions valid = ConditionsValidator.validate("", ConditionsInput.of(r));
        Map<String, PreparedZone> zones = new LinkedHashMap<>();
        List<Condition> conditions = new ArrayList<>();
        Map<String, AlertKind> kinds = new HashMap<>();
        String home = valid.home().map(ValidConditions.Zone::zoneId).orElse(null);
        for (ValidConditions.Zone z : valid.zones()) {
            zones.put(z.zoneId(), prepare(z));
            switch (z.kind()) {
                case INCLUSION -> {
                    conditions.add(Condition.inclusion(z.zoneId(), z.zoneId(), policy));
                    kinds.put(z.zoneId(), AlertKind.ALERT_KIND_INCLUSION_ZONE_LEFT);
                }
                case EXCLUSION -> {
                    conditions.add(Condition.exclusion(z.zoneId(), z.zoneId(), policy));
                    kinds.put(z.zoneId(), AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED);
                }
                case HOME -> {
                    // The zone curfews refer to; no condition of its own.
                }
            }
        }
        for (ValidConditions.Curfew c : valid.curfews()) {
            conditions.add(Condition.curfew(c.curfewId(), home, schedule(valid, c), policy));
            kinds.put(c.curfewId(), AlertKind.ALERT_KIND_CURFEW_BREACH);
        }
        MonitoringOrder order = MonitoringOrder.of(subject.toString(), conditions, ZoneIndex.of(zones));
        return new Compiled(subject, r.getOwningAgencyId(), r.getVersion(), order, Map.copyOf(kinds), window);
    }

    /** {@link #compile} on a worker thread, resuming on the caller's Vert.x context. */
    public Uni<Compiled> compileOffEventLoop(PutSubjectConditionsRequest r) {
        return ConditionsValidator.offEventLoop(() -> compile(r));
    }

    private static PreparedZone prepare(ValidConditions.Zone z) {
        if (z.polygonal() != null) {
            return PreparedZone.of(new ZoneShape.Polygonal(z.polygonal()));
        }
        var c = z.circle();
        return PreparedZone.of(new ZoneShape.Circle(c.latitude(), c.longitude(), c.radiusMetres()));
    }

    private static CurfewSchedule schedule(ValidConditions valid, ValidConditions.Curfew c) {
        List<WeeklyWindow> windows = new ArrayList<>();
        for (ValidConditions.Window w : c.windows()) {
            windows.add(new WeeklyWindow(w.startDay(), w.start(), w.end()));
        }
        List<CurfewSuspension> suspensions = new ArrayList<>();
        for (ValidConditions.Suspension s : c.exceptions()) {
            suspensions.add(new CurfewSuspension(s.start(), s.end()));
        }
        return CurfewSchedule.of(valid.timeZone(), windows, suspensions);
    }
}
