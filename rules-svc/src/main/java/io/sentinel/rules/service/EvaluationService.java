package io.sentinel.rules.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertSeverity;
import io.sentinel.api.internal.v1.EvaluateFixesResponse;
import io.sentinel.api.internal.v1.EvaluatedFix;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.util.Uuids;
import io.sentinel.rules.domain.breach.BreachEvent;
import io.sentinel.rules.domain.monitor.ConditionEvent;
import io.sentinel.rules.domain.monitor.Fix;
import io.sentinel.rules.domain.monitor.SubjectMonitor;
import io.sentinel.rules.repository.AlertEntity;
import io.sentinel.rules.repository.FixProgressEntity;
import io.sentinel.rules.repository.FixProgressRepository;
import io.smallrye.mutiny.Uni;

/**
 * Feeds forwarded fixes to each subject's {@link SubjectMonitor} (zones with accuracy, curfews,
 * dwell and hysteresis) and turns the breaches that open or close into alerts. Delivery from
 * location-svc is at-least-once; the per-source progress row, written in the same transaction as
 * the alerts and the monitor states, makes a redelivered fix a no-op.
 */
@ApplicationScoped
public class EvaluationService {
    private static final Logger LOG = Logger.getLogger(EvaluationService.class);
    static final String SOURCE = "location-svc";
    public static final int MAX_BATCH = 5_000;
    static final double MAX_ACCURACY_METRES = 1_000_000;

    private final SubjectOrders orders;
    private final MonitorStates states;
    private final AlertWriter writer;
    private final FixProgressRepository progress;
    private final ConditionsService conditions;

    private final java.time.Duration slow;

    /** Evaluations slower than this are logged with their phases ({@code sentinel.rules.slow-evaluation}). */
    public java.time.Duration slowThreshold() {
        return slow;
    }

    public EvaluationService(SubjectOrders orders, MonitorStates states, AlertWriter writer, FixProgressRepository progress,
            ConditionsService conditions, io.sentinel.rules.config.RulesConfig config) {
        this.conditions = conditions;
        this.slow = config.slowEvaluation();
        this.orders = orders;
        this.states = states;
        this.writer = writer;
        this.progress = progress;
    }

    /** A breach change with the fix that caused it, if any. */
    record Change(SubjectOrders.Compiled subject, ConditionEvent event, EvaluatedFix fix) {
    }

    @WithTransaction
    public Uni<EvaluateFixesResponse> evaluate(List<EvaluatedFix> fixes) {
        return evaluateAll(List.of(fixes)).map(answers -> answers.get(0));
    }

    /**
     * Evaluates consecutive batches in one transaction (one lock, one progress update, one monitor
     * load and save, one commit) and answers each as if it had been evaluated alone: its highest
     * recorded fix id and the alerts its own fixes opened. A forwarding stream groups the batches
     * that queued while the previous group ran, so the per-transaction cost is paid once per group
     * rather than once per batch, and a queue never builds behind it.
     */
    @WithTransaction
    public Uni<List<EvaluateFixesResponse>> evaluateAll(List<List<EvaluatedFix>> batches) {
        batches.forEach(EvaluationService::validate);
        // Phase ends: lock taken, monitors loaded, alerts written, monitors and progress saved.
        long[] at = new long[5];
        at[0] = System.nanoTime();
        return writer.lockMonitors().invoke(() -> at[1] = System.nanoTime()).flatMap(x -> progress.findById(SOURCE)).flatMap(p -> {
            long done = p == null ? 0 : p.lastFixId;
            // The fixes not evaluated before, in one increasing run of fix ids, and the batch of each.
            List<EvaluatedFix> fresh = new ArrayList<>();
            List<Integer> batchOf = new ArrayList<>();
            long[] answered = new long[batches.size()];
            long high = done;
            for (int b = 0; b < batches.size(); b++) {
                for (EvaluatedFix f : batches.get(b)) {
                    if (f.getFixId() > high) {
                        fresh.add(f);
                        batchOf.add(b);
                        high = f.getFixId();
                    }
                }
                answered[b] = high;
            }
            long last = high;
            java.util.Set<UUID> mentioned = new java.util.LinkedHashSet<>();
            for (EvaluatedFix f : fresh) {
                mentioned.add(UUID.fromString(f.getSubjectId()));
            }
            Map<UUID, SubjectOrders.Compiled> subjects = new LinkedHashMap<>();
            // Another replica may have stored newer conditions since this one's last refresh: take
            // them up first, under the lock, so no fix is judged by conditions already replaced.
            return conditions.catchUp(mentioned).invoke(() -> {
                for (UUID s : mentioned) {
                    SubjectOrders.Compiled c = orders.get(s);
                    if (c != null) {
                        subjects.put(s, c);
                    }
                }
            }).flatMap(caughtUp -> states.load(subjects.keySet())).flatMap(saved -> {
                at[2] = System.nanoTime();
                Map<UUID, SubjectMonitor> monitors = new LinkedHashMap<>();
                subjects.forEach((id, c) -> monitors.put(id, new SubjectMonitor(c.order(), saved.getOrDefault(id, Map.of()))));
                List<Change> changes = new ArrayList<>();
                List<Integer> changeBatch = new ArrayList<>();
                for (int i = 0; i < fresh.size(); i++) {
                    EvaluatedFix f = fresh.get(i);
                    UUID s = UUID.fromString(f.getSubjectId());
                    SubjectMonitor m = monitors.get(s);
                    if (m == null) {
                        continue;
                    }
                    // Outside the order's legal window a fix is evidence of nothing: no breach opens or closes.
                    if (!subjects.get(s).window().contains(Timestamps.required("device_time", f.getDeviceTime()))) {
                        continue;
                    }
                    // A low-accuracy fix is treated like an implausible one: it never moves a breach.
                    Fix fix = new Fix(Timestamps.required("device_time", f.getDeviceTime()), f.getPosition().getLatitude(),
                            f.getPosition().getLongitude(), f.getAccuracyMetres(), f.getImplausible() || f.getLowAccuracy());
                    for (ConditionEvent e : m.onFix(fix)) {
                        changes.add(new Change(subjects.get(s), e, f));
                        changeBatch.add(batchOf.get(i));
                    }
                }
                int[] opened = new int[batches.size()];
                return apply(changes, i -> opened[changeBatch.get(i)]++)
                        .invoke(() -> at[3] = System.nanoTime())
                        .flatMap(n -> states.save(monitors))
                        .flatMap(y -> saveProgress(p, last))
                        .map(y -> {
                            at[4] = System.nanoTime();
                            if (at[4] - at[0] > slow.toNanos()) {
                                LOG.warnf("slow evaluation of %d fixes for %d subjects (%d alert changes), before commit: lock wait %.1f ms,"
                                        + " load %.1f ms, evaluate and write alerts %.1f ms, save monitors and progress %.1f ms", fresh.size(),
                                        subjects.size(), changes.size(), (at[1] - at[0]) / 1e6, (at[2] - at[1]) / 1e6, (at[3] - at[2]) / 1e6,
                                        (at[4] - at[3]) / 1e6);
                            }
                            List<EvaluateFixesResponse> out = new ArrayList<>(batches.size());
                            for (int b = 0; b < batches.size(); b++) {
                                out.add(EvaluateFixesResponse.newBuilder().setLastFixId(answered[b]).setAlertsOpened(opened[b]).build());
                            }
                            return out;
                        });
            });
        });
    }

    /**
     * Closes curfew breaches whose curfew ended at or before {@code now} though no fix arrived after
     * it (a tag that went quiet at home). Returns how many alerts closed.
     */
    @WithTransaction
    public Uni<Integer> advanceCurfews(Instant now) {
        return writer.lockMonitors().flatMap(x -> states.due(now)).flatMap(due -> {
            List<Change> changes = new ArrayList<>();
            Map<UUID, SubjectMonitor> monitors = new LinkedHashMap<>();
            List<UUID> unmonitored = new ArrayList<>();
            due.forEach((subject, saved) -> {
                SubjectOrders.Compiled c = orders.get(subject);
                if (c == null) {
                    unmonitored.add(subject);
                    return;
                }
                if (!c.window().contains(now)) {
                    // Outside the order's window the curfew clock stands still.
                    return;
                }
                SubjectMonitor m = new SubjectMonitor(c.order(), saved);
                for (ConditionEvent e : m.advanceTo(now)) {
                    changes.add(new Change(c, e, null));
                }
                monitors.put(subject, m);
            });
            return apply(changes).flatMap(n -> states.save(monitors)).flatMap(x -> states.clearDeadlines(unmonitored))
                    .replaceWith(changes.size());
        });
    }

    /** Writes the alert side of breach changes; returns how many alerts opened. */
    Uni<Integer> apply(List<Change> changes) {
        return apply(changes, i -> {
        });
    }

    /** As {@link #apply(List)}; {@code opened} receives the index of each change that opened an alert. */
    Uni<Integer> apply(List<Change> changes, IntConsumer opened) {
        List<AlertWriter.BreachWrite> writes = new ArrayList<>();
        List<Integer> changeOf = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            BreachEvent ev = c.event().event();
            if (ev instanceof BreachEvent.Opened o) {
                writes.add(AlertWriter.BreachWrite.open(draft(c.subject(), c.event().conditionId(), o, c.fix())));
                changeOf.add(i);
            } else if (ev instanceof BreachEvent.Closed cl) {
                writes.add(AlertWriter.BreachWrite.close(c.subject().subjectId(), c.event().conditionId(), cl.breachEndedAt()));
                changeOf.add(i);
            }
        }
        if (writes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return writer.applyBreaches(writes).map(took -> {
            int n = 0;
            for (int w = 0; w < took.length; w++) {
                AlertWriter.BreachWrite write = writes.get(w);
                if (write.draft() != null && took[w]) {
                    n++;
                    opened.accept(changeOf.get(w));
                } else if (write.draft() == null && !took[w]) {
                    LOG.debugf("breach of %s/%s closed without an unclosed alert", write.subjectId(), write.conditionId());
                }
            }
            return n;
        });
    }

    private static AlertEntity draft(SubjectOrders.Compiled subject, String conditionId, BreachEvent.Opened o, EvaluatedFix f) {
        AlertEntity a = new AlertEntity();
        a.alertId = Uuids.v7();
        a.subjectId = subject.subjectId();
        a.owningAgencyId = subject.owningAgencyId();
        a.kind = subject.kinds().getOrDefault(conditionId, AlertKind.ALERT_KIND_UNSPECIFIED).name();
        a.conditionId = conditionId;
        a.severity = AlertSeverity.ALERT_SEVERITY_HIGH.name();
        a.breachStartedAt = o.breachStartedAt();
        a.detail = "evidence_fixes=" + o.evidenceFixes();
        if (f != null) {
            a.deviceId = f.getDeviceId().isEmpty() ? null : UUID.fromString(f.getDeviceId());
            a.fixTime = Timestamps.required("device_time", f.getDeviceTime());
            a.latitude = f.getPosition().getLatitude();
            a.longitude = f.getPosition().getLongitude();
            a.accuracyMetres = f.getAccuracyMetres();
            a.fixId = f.getFixId();
        }
        return a;
    }

    private static void validate(List<EvaluatedFix> fixes) {
        if (fixes.size() > MAX_BATCH) {
            throw SentinelException.tooLarge("fixes", "at most " + MAX_BATCH + " fixes per call, got " + fixes.size());
        }
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < fixes.size(); i++) {
            EvaluatedFix f = fixes.get(i);
            String p = "fixes[" + i + "]";
            if (f.getFixId() <= previous) {
                throw SentinelException.invalid(p + ".fix_id", "must increase within a batch");
            }
            previous = f.getFixId();
            Check.uuid(p + ".subject_id", f.getSubjectId());
            if (!f.getDeviceId().isEmpty()) {
                Check.uuid(p + ".device_id", f.getDeviceId());
            }
            Check.range(p + ".position.latitude", f.getPosition().getLatitude(), -90, 90);
            Check.range(p + ".position.longitude", f.getPosition().getLongitude(), -180, 180);
            Check.range(p + ".accuracy_metres", f.getAccuracyMetres(), 0, MAX_ACCURACY_METRES);
            Timestamps.required(p + ".device_time", f.getDeviceTime());
        }
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
