package io.sentinel.rules.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertOutcome;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.rules.config.RulesConfig;
import io.sentinel.rules.repository.AlertEntity;
import io.sentinel.rules.repository.AlertRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** People's decisions on alerts (acknowledge, resolve) and escalation of alerts nobody acknowledged. */
@ApplicationScoped
public class AlertLifecycle {
    static final int ESCALATION_CHUNK = 200;

    static final int MAX_NOTE = 1000;

    private final AlertRepository alerts;
    private final AlertWriter writer;
    private final RulesConfig config;
    private final AuditLog audit;

    public AlertLifecycle(AlertRepository alerts, AlertWriter writer, RulesConfig config, AuditLog audit) {
        this.alerts = alerts;
        this.writer = writer;
        this.config = config;
        this.audit = audit;
    }

    /**
     * OPEN -> ACKNOWLEDGED, by a caseworker of the owning agency; recorded ("alert.acknowledge") in the
     * change's transaction, a refusal on its own.
     */
    public Uni<Alert> acknowledge(Caller caller, Justification why, String alertId) {
        UUID id = Check.uuid("alert_id", alertId);
        List<String> subjects = new ArrayList<>(1);
        return audit.recordingRefusal(caller, why, "alert.acknowledge", subjects, Panache.withTransaction(() -> owned(caller, id, alertId,
                subjects).flatMap(a -> {
                    if (!AlertState.ALERT_STATE_OPEN.name().equals(a.state)) {
                        throw SentinelException.precondition("alert_id", "alert is " + a.state + "; only an OPEN alert can be acknowledged");
                    }
                    return writer.acknowledge(a, caller.subject(), Instant.now());
                }).call(a -> recordChange(caller, why, "alert.acknowledge", a))).map(AlertMapping::toProto));
    }

    /**
     * OPEN or ACKNOWLEDGED -> RESOLVED with an outcome and a note, by a caseworker of the owning agency;
     * recorded ("alert.resolve", with the outcome, never the note) in the change's transaction.
     */
    public Uni<Alert> resolve(Caller caller, Justification why, String alertId, AlertOutcome outcome, String note) {
        UUID id = Check.uuid("alert_id", alertId);
        if (outcome == null || outcome == AlertOutcome.ALERT_OUTCOME_UNSPECIFIED || outcome == AlertOutcome.UNRECOGNIZED) {
            throw SentinelException.invalid("outcome", "must be CONFIRMED_BREACH, FALSE_ALARM or DEVICE_FAULT");
        }
        Check.length("note", note, 1, MAX_NOTE);
        if (note.isBlank()) {
            throw SentinelException.invalid("note", "must not be blank");
        }
        List<String> subjects = new ArrayList<>(1);
        return audit.recordingRefusal(caller, why, "alert.resolve", subjects, Panache.withTransaction(() -> owned(caller, id, alertId,
                subjects).flatMap(a -> {
                    if (AlertState.ALERT_STATE_RESOLVED.name().equals(a.state)) {
                        throw SentinelException.precondition("alert_id", "alert is already RESOLVED");
                    }
                    return writer.resolve(a, outcome, note, caller.subject(), Instant.now());
                }).call(a -> recordChange(caller, why, "alert.resolve", a))).map(AlertMapping::toProto));
    }

    /** The decision's record, in the decision's transaction: the alert (an id) and its outcome, no note. */
    private Uni<Void> recordChange(Caller caller, Justification why, String action, AlertEntity a) {
        String detail = "alert " + a.alertId + " " + a.state + (a.outcome == null ? "" : " " + a.outcome);
        return Panache.getSession().flatMap(s -> audit.write(s, AuditRecord.of(caller, why, action, List.of(a.subjectId.toString()),
                AuditRecord.ALLOWED, detail)));
    }

    /**
     * Marks OPEN alerts older than the escalation time as escalated; returns how many. Each
     * transaction escalates at most {@link #ESCALATION_CHUNK} in one statement, so a backlog is
     * taken in short transactions whose row locks are soon released.
     */
    public Uni<Integer> escalateDue(Instant now) {
        AtomicInteger total = new AtomicInteger();
        return Multi.createBy().repeating().uni(() -> Panache.withTransaction(() -> escalateChunk(now)))
                .whilst(n -> n == ESCALATION_CHUNK)
                .onItem().invoke(total::addAndGet)
                .collect().last().map(x -> total.get());
    }

    private Uni<Integer> escalateChunk(Instant now) {
        return writer.escalateDue(now.minus(config.escalation().after()), now, ESCALATION_CHUNK);
    }

    /**
     * The alert, locked until the transaction ends (an escalation or a breach closing meanwhile
     * waits, rather than failing this decision on a stale version), if the caller's agency owns it. A partner that may see it through a grant is
     * refused; anyone else is told it does not exist, so ids cannot be probed across agencies. The
     * subject goes to {@code subjects} (for the record) only when the caller's agency may see the alert.
     */
    private Uni<AlertEntity> owned(Caller caller, UUID id, String alertId, List<String> subjects) {
        return alerts.findById(id, LockModeType.PESSIMISTIC_WRITE).flatMap(a -> {
            if (a == null) {
                throw SentinelException.notFound("alert", alertId);
            }
            if (a.owningAgencyId.equals(caller.agencyId())) {
                subjects.add(a.subjectId.toString());
                return Uni.createFrom().item(a);
            }
            return alerts.visible(caller.agencyId(), id).map(visible -> {
                if (visible) {
                    subjects.add(a.subjectId.toString());
                    throw SentinelException.denied("only the owning agency decides on an alert");
                }
                throw SentinelException.notFound("alert", alertId);
            });
        });
    }
}
