package io.sentinel.rules.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.api.rules.v1.EvaluateFixesResponse;
import io.sentinel.api.rules.v1.EvaluatedFix;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.util.Uuids;
import io.sentinel.rules.repository.AlertEntity;
import io.sentinel.rules.repository.AlertEventEntity;
import io.sentinel.rules.repository.AlertEventRepository;
import io.sentinel.rules.repository.AlertRepository;
import io.sentinel.rules.repository.FixProgressEntity;
import io.sentinel.rules.repository.FixProgressRepository;
import io.smallrye.mutiny.Uni;

/**
 * Evaluates forwarded fixes against each subject's zones and opens alerts. Delivery from
 * location-svc is at-least-once; the per-source progress row, written in the same transaction
 * as the alerts, makes a redelivered fix a no-op.
 */
@ApplicationScoped
public class EvaluationService {
    static final String SOURCE = "location-svc";
    static final int MAX_BATCH = 5_000;

    private final ConditionsIndex index;
    private final AlertRepository alerts;
    private final AlertEventRepository events;
    private final FixProgressRepository progress;

    public EvaluationService(ConditionsIndex index, AlertRepository alerts, AlertEventRepository events, FixProgressRepository progress) {
        this.index = index;
        this.alerts = alerts;
        this.events = events;
        this.progress = progress;
    }

    /** A zone a fix breaks. */
    record Breach(EvaluatedFix fix, UUID subjectId, String agencyId, ConditionsIndex.ZoneRule zone, AlertKind kind) {
    }

    @WithTransaction
    public Uni<EvaluateFixesResponse> evaluate(List<EvaluatedFix> fixes) {
        if (fixes.size() > MAX_BATCH) {
            throw SentinelException.tooLarge("fixes", "at most " + MAX_BATCH + " fixes per call, got " + fixes.size());
        }
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < fixes.size(); i++) {
            EvaluatedFix f = fixes.get(i);
            if (f.getFixId() <= previous) {
                throw SentinelException.invalid("fixes[" + i + "].fix_id", "must increase within a batch");
            }
            previous = f.getFixId();
            Check.uuid("fixes[" + i + "].subject_id", f.getSubjectId());
            Check.range("fixes[" + i + "].position.latitude", f.getPosition().getLatitude(), -90, 90);
            Check.range("fixes[" + i + "].position.longitude", f.getPosition().getLongitude(), -180, 180);
            Timestamps.required("fixes[" + i + "].device_time", f.getDeviceTime());
        }
        return progress.findById(SOURCE).flatMap(p -> {
            long done = p == null ? 0 : p.lastFixId;
            List<Breach> breaches = new ArrayList<>();
            long last = done;
            for (EvaluatedFix f : fixes) {
                if (f.getFixId() <= done) {
                    continue;
                }
                last = f.getFixId();
                breaches.addAll(breachesOf(f));
            }
            long newLast = last;
            return openAlerts(breaches).flatMap(opened -> saveProgress(p, newLast).map(x -> EvaluateFixesResponse.newBuilder()
                    .setLastFixId(Math.max(newLast, fixes.isEmpty() ? done : fixes.get(fixes.size() - 1).getFixId()))
                    .setAlertsOpened(opened)
                    .build()));
        });
    }

    private List<Breach> breachesOf(EvaluatedFix f) {
        ConditionsIndex.SubjectRules rules = index.get(UUID.fromString(f.getSubjectId()));
        if (rules == null || f.getImplausible() || f.getLowAccuracy()) {
            // Flagged fixes never open an alert on their own.
            return List.of();
        }
        List<Breach> out = new ArrayList<>();
        double lat = f.getPosition().getLatitude();
        double lon = f.getPosition().getLongitude();
        for (ConditionsIndex.ZoneRule z : rules.zones()) {
            boolean inside = z.contains(lat, lon);
            if (z.kind() == ZoneKind.ZONE_KIND_EXCLUSION && inside) {
                out.add(new Breach(f, rules.subjectId(), rules.owningAgencyId(), z, AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED));
            } else if (z.kind() == ZoneKind.ZONE_KIND_INCLUSION && !inside) {
                out.add(new Breach(f, rules.subjectId(), rules.owningAgencyId(), z, AlertKind.ALERT_KIND_INCLUSION_ZONE_LEFT));
            }
        }
        return out;
    }

    private Uni<Integer> openAlerts(List<Breach> breaches) {
        Set<String> openedNow = new HashSet<>();
        Uni<Integer> chain = Uni.createFrom().item(0);
        for (Breach b : breaches) {
            String key = b.subjectId() + "/" + b.zone().zoneId();
            if (!openedNow.add(key)) {
                continue;
            }
            chain = chain.flatMap(n -> alerts.findOpen(b.subjectId(), b.zone().zoneId())
                    .flatMap(open -> open != null ? Uni.createFrom().item(n) : open(b).map(x -> n + 1)));
        }
        return chain;
    }

    private Uni<AlertEntity> open(Breach b) {
        AlertEntity a = new AlertEntity();
        a.alertId = Uuids.v7();
        a.subjectId = b.subjectId();
        a.owningAgencyId = b.agencyId();
        a.kind = b.kind().name();
        a.conditionId = b.zone().zoneId();
        a.state = AlertState.ALERT_STATE_OPEN.name();
        a.openedAt = Instant.now();
        a.deviceId = b.fix().getDeviceId().isEmpty() ? null : UUID.fromString(b.fix().getDeviceId());
        a.fixTime = Timestamps.required("device_time", b.fix().getDeviceTime());
        a.latitude = b.fix().getPosition().getLatitude();
        a.longitude = b.fix().getPosition().getLongitude();
        a.accuracyMetres = b.fix().getAccuracyMetres();
        a.fixId = b.fix().getFixId();
        return alerts.persist(a).flatMap(saved -> {
            AlertEventEntity e = new AlertEventEntity();
            e.alertId = saved.alertId;
            e.owningAgencyId = saved.owningAgencyId;
            e.state = saved.state;
            e.at = saved.openedAt;
            return events.persist(e).replaceWith(saved);
        });
    }

    private Uni<FixProgressEntity> saveProgress(FixProgressEntity existing, long lastFixId) {
        if (existing != null) {
            if (lastFixId > existing.lastFixId) {
                existing.lastFixId = lastFixId;
                existing.updatedAt = Instant.now();
            }
            return Uni.createFrom().item(existing);
        }
        FixProgressEntity p = new FixProgressEntity();
        p.source = SOURCE;
        p.lastFixId = lastFixId;
        p.updatedAt = Instant.now();
        return progress.persist(p);
    }
}
