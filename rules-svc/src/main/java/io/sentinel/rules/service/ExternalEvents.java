package io.sentinel.rules.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertSeverity;
import io.sentinel.api.internal.v1.CheckInEventKind;
import io.sentinel.api.internal.v1.DeviceEvent;
import io.sentinel.api.internal.v1.DeviceEventKind;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.security.Caller;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.util.Uuids;
import io.sentinel.rules.repository.AlertEntity;
import io.sentinel.rules.repository.ProcessedEventEntity;
import io.sentinel.rules.repository.ProcessedEventRepository;
import io.smallrye.mutiny.Uni;

/**
 * Alerts from other services' events: device health (location-svc), missed or reviewer-confirmed
 * failed check-ins (biometric-svc) and overdue order reviews (enrollment-svc). Each event is
 * applied once: its event_id is recorded with the alert in the same transaction, under the events'
 * lock ({@link #EVENTS_LOCK}), so two replicas given the same event never both apply it. That lock
 * is not the monitors' lock: live fix evaluation never waits for these events.
 *
 * <p>rules-svc never sees a face-match verdict of the algorithm alone: biometric-svc sends
 * FAILED_CONFIRMED only after a human reviewer confirmed the mismatch, and there is no kind for an
 * unreviewed failure, so none can become an alert here.
 */
@ApplicationScoped
public class ExternalEvents {
    /** ?1: comma-separated subject ids. Conditions first: they are the authority on the owning agency. */
    private static final String OWNING_AGENCIES = """
            select cast(subject_id as text), owning_agency_id, 0 as rank from subject_conditions
              where subject_id = any(cast(string_to_array(?1, ',') as uuid[]))
            union all
            select cast(subject_id as text), owning_agency_id, 1 from sharing_grants
              where subject_id = any(cast(string_to_array(?1, ',') as uuid[]))
            order by rank""";
    /** Arbitrary application-wide key of the events' lock. */
    public static final long EVENTS_LOCK = 0x5e17_e7e7L;
    static final int MAX_DEVICE_EVENTS = 1_000;
    static final int MAX_DETAIL = 200;

    private final AlertWriter writer;
    private final ProcessedEventRepository processed;
    private final AuditLog audit;
    private final SubjectOrders orders;

    public ExternalEvents(AlertWriter writer, ProcessedEventRepository processed, AuditLog audit, SubjectOrders orders) {
        this.orders = orders;
        this.writer = writer;
        this.processed = processed;
        this.audit = audit;
    }

    /** The record of what a peer's events changed, in the change's transaction: ids and counts only. */
    private Uni<Void> record(Caller caller, Justification why, String action, java.util.Collection<String> subjects, String detail) {
        return Panache.getSession().flatMap(s -> audit.write(s, AuditRecord.of(caller, why, action, subjects, AuditRecord.ALLOWED, detail)));
    }

    /**
     * What a batch of device events did: alerts opened, events deferred (not applied, to be sent
     * again), and events refused for good because their subject was purged here.
     */
    public record DeviceEventsOutcome(int alertsOpened, List<String> deferredEventIds, List<String> refusedEventIds) {
        DeviceEventsOutcome(int alertsOpened, List<String> deferredEventIds) {
            this(alertsOpened, deferredEventIds, List.of());
        }

        DeviceEventsOutcome withRefused(List<String> refused) {
            return new DeviceEventsOutcome(alertsOpened, deferredEventIds, refused);
        }
    }

    /**
     * Applies device events. An event that would open an alert for a subject this service has no
     * monitoring order for yet (conditions from enrollment-svc not arrived, or the subject no longer
     * monitored) is deferred: not applied and not remembered, returned so the sender sends it again
     * later. An event about a subject purged here is refused for good (its subject's tombstone) and
     * returned as refused. The rest of the batch is applied, so one such event never holds back the
     * others. A batch that applied events is recorded ("device-events.record") in its transaction.
     */
    @WithTransaction
    public Uni<DeviceEventsOutcome> recordDeviceEvents(Caller caller, Justification why, List<DeviceEvent> events) {
        if (events.size() > MAX_DEVICE_EVENTS) {
            throw SentinelException.tooLarge("events", "at most " + MAX_DEVICE_EVENTS + " events per call, got " + events.size());
        }
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            DeviceEvent e = events.get(i);
            String p = "events[" + i + "]";
            if (!ids.add(Check.uuid(p + ".event_id", e.getEventId()))) {
                throw SentinelException.invalid(p + ".event_id", "'" + e.getEventId() + "' appears twice in the batch");
            }
            Check.uuid(p + ".subject_id", e.getSubjectId());
            Check.uuid(p + ".device_id", e.getDeviceId());
            if (e.getKind() == DeviceEventKind.DEVICE_EVENT_KIND_UNSPECIFIED || e.getKind() == DeviceEventKind.UNRECOGNIZED) {
                throw SentinelException.invalid(p + ".kind", "must be a known device event kind");
            }
            Timestamps.required(p + ".occurred_at", e.getOccurredAt());
            if (e.getDetail().length() > MAX_DETAIL) {
                throw SentinelException.invalid(p + ".detail", "must be at most " + MAX_DETAIL + " characters");
            }
        }
        Set<UUID> all = new HashSet<>();
        events.forEach(e -> all.add(UUID.fromString(e.getSubjectId())));
        // Events about a purged subject are refused for good, one by one, so they never hold back the
        // rest of the batch (the tombstone locks come before any other lock of the transaction).
        return Panache.getSession().flatMap(s -> PurgedSubjects.purgedAmong(s, all)).flatMap(purged -> {
            List<String> refused = events.stream().filter(e -> purged.contains(UUID.fromString(e.getSubjectId())))
                    .map(DeviceEvent::getEventId).toList();
            List<DeviceEvent> live = events.stream().filter(e -> !purged.contains(UUID.fromString(e.getSubjectId()))).toList();
            Set<UUID> liveIds = new HashSet<>(ids);
            refused.forEach(id -> liveIds.remove(UUID.fromString(id)));
            return applyLive(caller, why, live, liveIds).map(o -> o.withRefused(refused));
        });
    }

    private Uni<DeviceEventsOutcome> applyLive(Caller caller, Justification why, List<DeviceEvent> events, Set<UUID> ids) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(new DeviceEventsOutcome(0, List.of()));
        }
        Set<UUID> subjects = new HashSet<>();
        events.forEach(e -> subjects.add(UUID.fromString(e.getSubjectId())));
        // Owning agencies are read before the events' lock: a batch in which every event waits for
        // its subject's order (a NO_SIGNAL wave for devices whose orders have not arrived, sent again
        // and again) is answered without it. An order that arrives meanwhile only defers an event to
        // the next attempt.
        return owningAgencies(subjects).flatMap(agencies -> {
            if (events.stream().allMatch(e -> waitsForOrder(e, agencies))) {
                // Already applied ones (sent again after a lost answer) are not deferred: they are done.
                return processed.list("eventId in ?1", List.copyOf(ids)).map(done -> new DeviceEventsOutcome(0,
                        fresh(events, done).stream().map(DeviceEvent::getEventId).toList()));
            }
            // Set-based throughout (already applied, alert writes, remembering): the events' lock is
            // held meanwhile, and other replicas' deliveries wait for it.
            return lockEvents().flatMap(x -> processed.list("eventId in ?1", List.copyOf(ids)))
                    .flatMap(done -> apply(caller, why, fresh(events, done), agencies));
        });
    }

    private static List<DeviceEvent> fresh(List<DeviceEvent> events, List<ProcessedEventEntity> done) {
        Set<UUID> applied = new HashSet<>();
        done.forEach(d -> applied.add(d.eventId));
        return events.stream().filter(e -> !applied.contains(UUID.fromString(e.getEventId()))).toList();
    }

    /** True for an event that would open an alert for a subject whose owning agency is unknown. */
    private static boolean waitsForOrder(DeviceEvent e, Map<UUID, String> agencies) {
        return write(e, agencies) == DEFERRED;
    }

    /** The alert write an event makes: an opening, a closing, {@link #DEFERRED}, or null for none. */
    private static AlertWriter.BreachWrite write(DeviceEvent e, Map<UUID, String> agencies) {
        UUID subject = UUID.fromString(e.getSubjectId());
        Instant at = Timestamps.required("occurred_at", e.getOccurredAt());
        String device = e.getDeviceId();
        return switch (e.getKind()) {
            case DEVICE_EVENT_KIND_STRAP_TAMPER -> opening(agencies.get(subject), subject, AlertKind.ALERT_KIND_STRAP_TAMPER,
                    "device:" + device + ":strap", AlertSeverity.ALERT_SEVERITY_HIGH, at, device, e.getDetail());
            case DEVICE_EVENT_KIND_LOW_BATTERY -> opening(agencies.get(subject), subject, AlertKind.ALERT_KIND_LOW_BATTERY,
                    "device:" + device + ":battery", AlertSeverity.ALERT_SEVERITY_LOW, at, device, e.getDetail());
            case DEVICE_EVENT_KIND_NO_SIGNAL -> opening(agencies.get(subject), subject, AlertKind.ALERT_KIND_NO_SIGNAL,
                    "device:" + device + ":signal", AlertSeverity.ALERT_SEVERITY_HIGH, at, device, e.getDetail());
            // The alert that opened on the silence closes itself; its duration is the outage.
            case DEVICE_EVENT_KIND_SIGNAL_RESTORED -> AlertWriter.BreachWrite.close(subject, "device:" + device + ":signal", at);
            case DEVICE_EVENT_KIND_CHARGING_STARTED -> AlertWriter.BreachWrite.close(subject, "device:" + device + ":battery", at);
            default -> null;
        };
    }

    private Uni<DeviceEventsOutcome> apply(Caller caller, Justification why, List<DeviceEvent> fresh, Map<UUID, String> agencies) {
        List<String> deferred = new ArrayList<>();
        List<DeviceEvent> kept = new ArrayList<>();
        List<AlertWriter.BreachWrite> writes = new ArrayList<>();
        List<Integer> eventOfWrite = new ArrayList<>();
        for (DeviceEvent e : fresh) {
            if (outsideWindow(UUID.fromString(e.getSubjectId()), Timestamps.required("occurred_at", e.getOccurredAt()))) {
                // Applied as nothing: outside the order's window a device event opens no alert.
                kept.add(e);
                continue;
            }
            AlertWriter.BreachWrite write = write(e, agencies);
            if (write == DEFERRED) {
                deferred.add(e.getEventId());
                continue;
            }
            if (write != null) {
                writes.add(write);
                eventOfWrite.add(kept.size());
            }
            kept.add(e);
        }
        UUID[] alertOf = new UUID[kept.size()];
        return writer.applyBreaches(writes).flatMap(took -> {
            int opened = 0;
            for (int w = 0; w < took.length; w++) {
                if (took[w] && writes.get(w).draft() != null) {
                    alertOf[eventOfWrite.get(w)] = writes.get(w).draft().alertId;
                    opened++;
                }
            }
            List<ProcessedEventEntity> remembered = new ArrayList<>();
            for (int i = 0; i < kept.size(); i++) {
                remembered.add(processedEvent(UUID.fromString(kept.get(i).getEventId()), "location-svc",
                        UUID.fromString(kept.get(i).getSubjectId()), alertOf[i]));
            }
            DeviceEventsOutcome outcome = new DeviceEventsOutcome(opened, deferred);
            if (remembered.isEmpty()) {
                return Uni.createFrom().item(outcome);
            }
            List<String> subjects = kept.stream().map(DeviceEvent::getSubjectId).distinct().toList();
            String detail = kept.size() + " events applied, " + opened + " alerts opened";
            return processed.persist(remembered).call(x -> record(caller, why, "device-events.record", subjects, detail))
                    .replaceWith(outcome);
        });
    }

    private static Uni<Void> lockEvents() {
        return AlertWriter.lock(EVENTS_LOCK);
    }

    /** What {@link #opening} returns while the subject's owning agency is unknown: the event waits. */
    private static final AlertWriter.BreachWrite DEFERRED = AlertWriter.BreachWrite.close(new UUID(0, 0), "deferred", Instant.EPOCH);

    /** The alert a device event opens, or {@link #DEFERRED} when the subject's owning agency is unknown. */
    private static AlertWriter.BreachWrite opening(String agency, UUID subject, AlertKind kind, String conditionId, AlertSeverity severity,
            Instant startedAt, String deviceId, String detail) {
        return agency == null ? DEFERRED
                : AlertWriter.BreachWrite.open(draft(agency, subject, kind, conditionId, severity, startedAt, deviceId, detail));
    }

    /** Owning agency of each subject known from its conditions or, failing those, its sharing grants. */
    private Uni<Map<UUID, String>> owningAgencies(Set<UUID> subjects) {
        if (subjects.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        StringJoiner ids = new StringJoiner(",");
        subjects.forEach(id -> ids.add(id.toString()));
        return Panache.getSession().flatMap(s -> s.createNativeQuery(OWNING_AGENCIES, Object[].class).setParameter(1, ids.toString())
                .getResultList()).map(rows -> {
                    Map<UUID, String> out = new HashMap<>();
                    for (Object[] row : rows) {
                        out.putIfAbsent(UUID.fromString((String) row[0]), (String) row[1]);
                    }
                    return out;
                });
    }

    /**
     * Returns the id of the alert opened, or empty (already applied, or one already live). Recorded
     * ("check-in-event.record") in its transaction.
     */
    @WithTransaction
    public Uni<String> recordCheckIn(Caller caller, Justification why, RecordCheckInEventRequest r) {
        UUID eventId = Check.uuid("event_id", r.getEventId());
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        Check.uuid("check_in_id", r.getCheckInId());
        Instant at = Timestamps.required("occurred_at", r.getOccurredAt());
        AlertKind kind = switch (r.getKind()) {
            case CHECK_IN_EVENT_KIND_MISSED -> AlertKind.ALERT_KIND_CHECK_IN_MISSED;
            case CHECK_IN_EVENT_KIND_FAILED_CONFIRMED -> {
                Check.required("reviewed_by", r.getReviewedBy());
                yield AlertKind.ALERT_KIND_CHECK_IN_FAILED;
            }
            default -> throw SentinelException.invalid("kind", "must be MISSED or FAILED_CONFIRMED");
        };
        String detail = r.getKind() == CheckInEventKind.CHECK_IN_EVENT_KIND_FAILED_CONFIRMED
                ? "confirmed_by=" + r.getReviewedBy() : null;
        return refuseIfPurged(subject).chain(() -> once(eventId, "biometric-svc", subject, () -> outsideWindow(subject, at)
                ? Uni.createFrom().<AlertEntity>nullItem()
                : open("subject_id", subject, kind, "check-in:" + r.getCheckInId(), AlertSeverity.ALERT_SEVERITY_HIGH, at, null, detail)))
                .call(id -> record(caller, why, "check-in-event.record", List.of(subject.toString()), outcome(eventId, id)));
    }

    /** Returns the id of the alert opened, or empty; recorded ("review-overdue.record") in its transaction. */
    @WithTransaction
    public Uni<String> recordReviewOverdue(Caller caller, Justification why, RecordReviewOverdueRequest r) {
        UUID eventId = Check.uuid("event_id", r.getEventId());
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        Check.uuid("order_id", r.getOrderId());
        Instant due = Timestamps.required("review_due_at", r.getReviewDueAt());
        return refuseIfPurged(subject).chain(() -> once(eventId, "enrollment-svc", subject, () -> open("subject_id", subject,
                AlertKind.ALERT_KIND_ORDER_REVIEW_OVERDUE, "order-review:" + r.getOrderId(), AlertSeverity.ALERT_SEVERITY_HIGH, due, null, null)))
                .call(id -> record(caller, why, "review-overdue.record", List.of(subject.toString()), outcome(eventId, id)));
    }

    /** Whether {@code at} falls outside the window of the subject's order held here (none held: not outside). */
    private boolean outsideWindow(UUID subject, Instant at) {
        SubjectOrders.Compiled held = orders.get(subject);
        return held != null && !held.window().contains(at);
    }

    /** FAILED_PRECONDITION (reason SUBJECT_PURGED) for a purged subject; the tombstone lock before any other. */
    private static Uni<Void> refuseIfPurged(UUID subject) {
        return Panache.getSession().flatMap(s -> PurgedSubjects.refuseIfPurged(s, "subject_id", subject));
    }

    private static String outcome(UUID eventId, String alertId) {
        return "event " + eventId + (alertId.isEmpty() ? ": no alert opened" : ": alert " + alertId);
    }

    private Uni<String> once(UUID eventId, String source, UUID subject, java.util.function.Supplier<Uni<AlertEntity>> effect) {
        return lockEvents().flatMap(x -> processed.findById(eventId)).flatMap(done -> {
            if (done != null) {
                return Uni.createFrom().item(done.alertId == null ? "" : done.alertId.toString());
            }
            return effect.get().flatMap(a -> remember(eventId, source, subject, a).replaceWith(a == null ? "" : a.alertId.toString()));
        });
    }

    private Uni<ProcessedEventEntity> remember(UUID eventId, String source, UUID subject, AlertEntity alert) {
        return processed.persist(processedEvent(eventId, source, subject, alert == null ? null : alert.alertId));
    }

    private static ProcessedEventEntity processedEvent(UUID eventId, String source, UUID subject, UUID alertId) {
        ProcessedEventEntity p = new ProcessedEventEntity();
        p.eventId = eventId;
        p.source = source;
        p.subjectId = subject;
        p.alertId = alertId;
        p.at = Instant.now();
        return p;
    }

    /**
     * Opens an alert for a subject this service knows the owning agency of. For an unknown subject the
     * answer is UNAVAILABLE ("not yet"): the sender's outbox retries it with backoff until
     * enrollment-svc's conditions arrive, rather than parking it as refused or the alert being dropped.
     */
    private Uni<AlertEntity> open(String subjectField, UUID subject, AlertKind kind, String conditionId, AlertSeverity severity,
            Instant startedAt, String deviceId, String detail) {
        return owningAgency(subject).flatMap(agency -> {
            if (agency == null) {
                throw new SentinelException(SentinelException.Kind.UNAVAILABLE, subjectField,
                        "no monitoring order is known for subject " + subject + " yet; send it again later");
            }
            return writer.open(draft(agency, subject, kind, conditionId, severity, startedAt, deviceId, detail));
        });
    }

    private static AlertEntity draft(String agency, UUID subject, AlertKind kind, String conditionId, AlertSeverity severity,
            Instant startedAt, String deviceId, String detail) {
        AlertEntity a = new AlertEntity();
        a.alertId = Uuids.v7();
        a.subjectId = subject;
        a.owningAgencyId = agency;
        a.kind = kind.name();
        a.conditionId = conditionId;
        a.severity = severity.name();
        a.breachStartedAt = startedAt;
        a.deviceId = deviceId == null ? null : UUID.fromString(deviceId);
        a.detail = detail == null || detail.isEmpty() ? null : detail;
        return a;
    }

    private Uni<String> owningAgency(UUID subject) {
        return owningAgencies(Set.of(subject)).map(agencies -> agencies.get(subject));
    }
}
