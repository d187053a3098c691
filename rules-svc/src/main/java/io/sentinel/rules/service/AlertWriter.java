package io.sentinel.rules.service;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

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
 *
 * <p>Writers first take one transaction-scoped advisory lock ({@link #lock()}). That serialises the
 * subject monitors (which are read, advanced and saved within one transaction) and makes feed
 * cursors commit in cursor order, so a subscriber reading "cursor > n" never sees n+2 before n+1
 * commits and therefore never skips one.
 */
@ApplicationScoped
public class AlertWriter {
    /** Arbitrary application-wide key of the writers' lock. */
    static final long WRITE_LOCK = 0x5e17_1e1_5L;

    private final AlertRepository alerts;
    private final AlertEventRepository events;

    public AlertWriter(AlertRepository alerts, AlertEventRepository events) {
        this.alerts = alerts;
        this.events = events;
    }

    /** Takes the writers' lock until the current transaction ends. */
    public Uni<Void> lock() {
        return Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select 1 from (select pg_advisory_xact_lock(" + WRITE_LOCK + ")) l")
                        .getSingleResult())
                .replaceWithVoid();
    }

    /**
     * Opens {@code draft} unless the subject already has a live alert for the same condition
     * (one alert per subject and condition while the breach lasts). Returns the opened alert, or
     * null when it was a duplicate.
     */
    public Uni<AlertEntity> open(AlertEntity draft) {
        return alerts.findLive(draft.subjectId, draft.conditionId).flatMap(live -> {
            if (live != null) {
                return Uni.createFrom().nullItem();
            }
            draft.state = AlertState.ALERT_STATE_OPEN.name();
            if (draft.openedAt == null) {
                draft.openedAt = Instant.now();
            }
            return alerts.persistAndFlush(draft).flatMap(a -> event(a, AlertEventType.ALERT_EVENT_TYPE_OPENED, a.openedAt));
        });
    }

    /**
     * Closes the subject's unclosed alert for a condition because the breach ended at
     * {@code endedAt}; records how long it lasted. Returns null when none was unclosed.
     */
    public Uni<AlertEntity> close(UUID subjectId, String conditionId, Instant endedAt) {
        return alerts.findUnclosed(subjectId, conditionId).flatMap(a -> {
            if (a == null) {
                return Uni.createFrom().nullItem();
            }
            Instant started = a.breachStartedAt != null ? a.breachStartedAt : a.openedAt;
            Instant end = endedAt.isBefore(started) ? started : endedAt;
            a.closedAt = end;
            a.durationSeconds = Duration.between(started, end).toSeconds();
            return event(a, AlertEventType.ALERT_EVENT_TYPE_CLOSED, Instant.now());
        });
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

    public Uni<AlertEntity> escalate(AlertEntity a, Instant at) {
        a.escalatedAt = at;
        return event(a, AlertEventType.ALERT_EVENT_TYPE_ESCALATED, at);
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
