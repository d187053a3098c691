package io.sentinel.rules.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertOutcome;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.rules.repository.AlertEntity;
import io.sentinel.rules.repository.AlertEventEntity;
import io.sentinel.rules.repository.AlertEventRepository;
import io.sentinel.rules.repository.AlertRepository;
import io.smallrye.mutiny.Uni;

/**
 * Every change of an alert and the feed event that announces it, inside the caller's transaction.
 * Feed events are written without a cursor; {@link AlertFeed} numbers them once committed, so
 * writers need no common lock for the feed's order.
 *
 * <p>Whoever reads, advances and saves subject monitors (fix evaluation, the curfew clock) or
 * changes the orders they are built from first takes the monitors' lock ({@link #lockMonitors()}),
 * one transaction-scoped advisory lock, so two of them never advance the same monitor from the
 * same saved state. Alert writes that touch no monitor (escalations, device events, people's
 * decisions) do not take it: row locks keep them consistent, and live fix evaluation never waits
 * for them.
 */
@ApplicationScoped
public class AlertWriter {
    /** Arbitrary application-wide key of the monitors' lock. */
    public static final long MONITOR_LOCK = 0x5e17_1e1_5L;

    /*
     * Opens: insert the drafts that have no live alert for their subject and condition (the unique
     * index alert_one_live decides, so a duplicate is skipped, not an error) and their OPENED events.
     * ?1 is a JSON array of drafts, bound as text (a string bound as jsonb would be a JSON string).
     */
    private static final String OPEN_ALL = """
            with x as (select * from jsonb_to_recordset(cast(cast(?1 as text) as jsonb)) as r(i int, alert_id uuid, subject_id uuid,
                   owning_agency_id text, kind text, condition_id text, severity text, opened_at timestamptz,
                   breach_started_at timestamptz, detail text, device_id uuid, fix_time timestamptz, latitude float8,
                   longitude float8, accuracy_metres float8, fix_id bigint)),
            ins as (insert into alert (alert_id, subject_id, owning_agency_id, kind, condition_id, severity, state, opened_at,
                   breach_started_at, detail, device_id, fix_time, latitude, longitude, accuracy_metres, fix_id)
                 select alert_id, subject_id, owning_agency_id, kind, condition_id, severity, 'ALERT_STATE_OPEN', opened_at,
                   breach_started_at, detail, device_id, fix_time, latitude, longitude, accuracy_metres, fix_id from x order by i
                 on conflict (subject_id, condition_id) where closed_at is null and state <> 'ALERT_STATE_RESOLVED' do nothing
                 returning alert_id, owning_agency_id, opened_at),
            ev as (insert into alert_event (alert_id, owning_agency_id, state, at, type)
                 select alert_id, owning_agency_id, 'ALERT_STATE_OPEN', opened_at, 'ALERT_EVENT_TYPE_OPENED' from ins
                 returning alert_id)
            select cast(alert_id as text) from ev""";
    /*
     * Closes: the latest unclosed alert of each subject and condition gets its end (never before its
     * start) and duration, and a CLOSED event. ?1: JSON array of {i, subject_id, condition_id,
     * ended_at}; ?2: the events' time.
     */
    private static final String CLOSE_ALL = """
            with x as (select * from jsonb_to_recordset(cast(cast(?1 as text) as jsonb)) as r(i int, subject_id uuid,
                   condition_id text, ended_at timestamptz)),
            latest as (select distinct on (a.subject_id, a.condition_id) a.alert_id, x.i,
                   greatest(x.ended_at, coalesce(a.breach_started_at, a.opened_at)) as closed_at,
                   coalesce(a.breach_started_at, a.opened_at) as started_at
                 from alert a join x on a.subject_id = x.subject_id and a.condition_id = x.condition_id
                 where a.closed_at is null order by a.subject_id, a.condition_id, a.opened_at desc),
            upd as (update alert a set closed_at = l.closed_at,
                   duration_seconds = floor(extract(epoch from l.closed_at - l.started_at)), version = a.version + 1
                 from latest l where a.alert_id = l.alert_id returning a.alert_id, a.owning_agency_id, a.state, l.i),
            ev as (insert into alert_event (alert_id, owning_agency_id, state, at, type)
                 select alert_id, owning_agency_id, state, cast(cast(?2 as text) as timestamptz), 'ALERT_EVENT_TYPE_CLOSED'
                 from upd order by i returning alert_id)
            select cast(u.i as text) from upd u""";

    /**
     * Escalates up to ?3 OPEN alerts opened at or before ?1 and not yet escalated, at ?2, with their
     * events. Alerts another transaction holds (a breach closing, a decision) are skipped, not
     * waited for: they are taken at the next run, and escalation, which locks many rows, never
     * waits while holding some (so never deadlocks with an evaluation closing several alerts).
     */
    private static final String ESCALATE_DUE = """
            with due as (select alert_id from alert where state = 'ALERT_STATE_OPEN' and escalated_at is null
                   and opened_at <= cast(cast(?1 as text) as timestamptz) order by opened_at limit ?3 for update skip locked),
            upd as (update alert a set escalated_at = cast(cast(?2 as text) as timestamptz), version = a.version + 1
                 from due where a.alert_id = due.alert_id returning a.alert_id, a.owning_agency_id, a.state, a.opened_at),
            ev as (insert into alert_event (alert_id, owning_agency_id, state, at, type)
                 select alert_id, owning_agency_id, state, cast(cast(?2 as text) as timestamptz), 'ALERT_EVENT_TYPE_ESCALATED'
                 from upd order by opened_at returning alert_id)
            select count(*) from upd""";

    private final AlertRepository alerts;
    private final AlertEventRepository events;
    private final ObjectMapper json;

    public AlertWriter(AlertRepository alerts, AlertEventRepository events, ObjectMapper json) {
        this.alerts = alerts;
        this.events = events;
        this.json = json;
    }

    /** A breach that opened (an alert draft) or closed (subject, condition and when it ended). */
    public record BreachWrite(AlertEntity draft, UUID subjectId, String conditionId, Instant endedAt) {
        public static BreachWrite open(AlertEntity draft) {
            return new BreachWrite(draft, draft.subjectId, draft.conditionId, null);
        }

        public static BreachWrite close(UUID subjectId, String conditionId, Instant endedAt) {
            return new BreachWrite(null, subjectId, conditionId, endedAt);
        }

        String key() {
            return subjectId + "/" + conditionId;
        }
    }

    /**
     * Writes breach openings and closings as {@link #open} and {@link #close} would one by one, but
     * set-based: one statement for the openings and one for the closings of each run of writes in
     * which no subject and condition repeats (so each key's writes still apply in order). Returns,
     * per write, whether it took effect (an alert opened; an unclosed alert closed). These writes
     * run under the monitors' lock on the path of every forwarded fix, where one round trip per
     * lookup, insert and event cost several milliseconds per alert.
     */
    public Uni<boolean[]> applyBreaches(List<BreachWrite> writes) {
        boolean[] took = new boolean[writes.size()];
        List<List<Integer>> runs = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        List<Integer> run = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            if (!keys.add(writes.get(i).key())) {
                runs.add(run);
                run = new ArrayList<>();
                keys.clear();
                keys.add(writes.get(i).key());
            }
            run.add(i);
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return Sequential.sum(runs, r -> applyRun(writes, r, took)).replaceWith(took);
    }

    private Uni<Integer> applyRun(List<BreachWrite> writes, List<Integer> run, boolean[] took) {
        ArrayNode opens = json.createArrayNode();
        ArrayNode closes = json.createArrayNode();
        Map<String, Integer> indexOfAlert = new HashMap<>();
        Instant now = Instant.now();
        for (int i : run) {
            BreachWrite w = writes.get(i);
            if (w.draft() != null) {
                AlertEntity a = w.draft();
                ObjectNode o = opens.addObject();
                o.put("i", i);
                o.put("alert_id", a.alertId.toString());
                o.put("subject_id", a.subjectId.toString());
                o.put("owning_agency_id", a.owningAgencyId);
                o.put("kind", a.kind);
                o.put("condition_id", a.conditionId);
                o.put("severity", a.severity);
                o.put("opened_at", (a.openedAt != null ? a.openedAt : now).toString());
                o.put("breach_started_at", a.breachStartedAt == null ? null : a.breachStartedAt.toString());
                o.put("detail", a.detail);
                o.put("device_id", a.deviceId == null ? null : a.deviceId.toString());
                o.put("fix_time", a.fixTime == null ? null : a.fixTime.toString());
                o.put("latitude", a.latitude);
                o.put("longitude", a.longitude);
                o.put("accuracy_metres", a.accuracyMetres);
                o.put("fix_id", a.fixId);
                indexOfAlert.put(a.alertId.toString(), i);
            } else {
                ObjectNode c = closes.addObject();
                c.put("i", i);
                c.put("subject_id", w.subjectId().toString());
                c.put("condition_id", w.conditionId());
                c.put("ended_at", w.endedAt().toString());
            }
        }
        Uni<Void> opened = opens.isEmpty() ? Uni.createFrom().voidItem()
                : Panache.getSession().flatMap(s -> s.createNativeQuery(OPEN_ALL, String.class).setParameter(1, opens.toString()).getResultList())
                        .invoke(ids -> ids.forEach(id -> took[indexOfAlert.get(id)] = true)).replaceWithVoid();
        return opened.flatMap(x -> closes.isEmpty() ? Uni.createFrom().voidItem()
                : Panache.getSession().flatMap(s -> s.createNativeQuery(CLOSE_ALL, String.class).setParameter(1, closes.toString())
                        .setParameter(2, now.toString()).getResultList())
                        .invoke(is -> is.forEach(i -> took[Integer.parseInt(i)] = true)).replaceWithVoid())
                .replaceWith(run.size());
    }

    /** Takes the monitors' lock until the current transaction ends. */
    public Uni<Void> lockMonitors() {
        return lock(MONITOR_LOCK);
    }

    /** Takes the transaction-scoped advisory lock {@code key} until the current transaction ends. */
    public static Uni<Void> lock(long key) {
        return Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select 1 from (select pg_advisory_xact_lock(" + key + ")) l").getSingleResult())
                .replaceWithVoid();
    }

    /**
     * Opens {@code draft} unless the subject already has a live alert for the same condition
     * (one alert per subject and condition while the breach lasts). Returns the draft, now stored,
     * or null when it was a duplicate.
     */
    public Uni<AlertEntity> open(AlertEntity draft) {
        return applyBreaches(List.of(BreachWrite.open(draft))).map(took -> took[0] ? draft : null);
    }

    public Uni<AlertEntity> acknowledge(AlertEntity a, String by, Instant at) {
        a.state = AlertState.ALERT_STATE_ACKNOWLEDGED.name();
        a.acknowledgedAt = at;
        a.acknowledgedBy = by;
        return event(a, AlertEventType.ALERT_EVENT_TYPE_ACKNOWLEDGED, at);
    }

    public Uni<AlertEntity> resolve(AlertEntity a, AlertOutcome outcome, String note, String by, Instant at) {
        a.state = AlertState.ALERT_STATE_RESOLVED.name();
        a.resolvedAt = at;
        a.resolvedBy = by;
        a.outcome = outcome.name();
        a.resolutionNote = note;
        return event(a, AlertEventType.ALERT_EVENT_TYPE_RESOLVED, at);
    }

    /**
     * Escalates, at {@code at}, up to {@code limit} OPEN alerts opened at or before {@code cutoff}
     * and not escalated yet, oldest first, in one statement; returns how many.
     */
    public Uni<Integer> escalateDue(Instant cutoff, Instant at, int limit) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(ESCALATE_DUE, Long.class).setParameter(1, cutoff.toString())
                .setParameter(2, at.toString()).setParameter(3, limit).getSingleResult()).map(Long::intValue);
    }

    private Uni<AlertEntity> event(AlertEntity a, AlertEventType type, Instant at) {
        AlertEventEntity e = new AlertEventEntity();
        e.alertId = a.alertId;
        e.owningAgencyId = a.owningAgencyId;
        e.state = a.state;
        e.type = type.name();
        e.at = at;
        return events.persist(e).replaceWith(a);
    }

    /** Alerts of a subject not yet closed, any state; used when a subject's monitoring ends. */
    public Uni<Long> countUnclosed(UUID subjectId) {
        return alerts.count("subjectId = :s and closedAt is null", Parameters.with("s", subjectId));
    }
}
