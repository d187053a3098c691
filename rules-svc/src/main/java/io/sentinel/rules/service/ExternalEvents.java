package io.sentinel.rules.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertSeverity;
import io.sentinel.api.rules.v1.CheckInEventKind;
import io.sentinel.api.rules.v1.DeviceEvent;
import io.sentinel.api.rules.v1.DeviceEventKind;
import io.sentinel.api.rules.v1.RecordCheckInEventRequest;
import io.sentinel.api.rules.v1.RecordReviewOverdueRequest;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.util.Uuids;
import io.sentinel.rules.repository.AlertEntity;
import io.sentinel.rules.repository.ProcessedEventEntity;
import io.sentinel.rules.repository.ProcessedEventRepository;
import io.sentinel.rules.repository.SharingGrantsRepository;
import io.sentinel.rules.repository.SubjectConditionsRepository;
import io.smallrye.mutiny.Uni;

/**
 * Alerts from other services' events: device health (location-svc), missed or reviewer-confirmed
 * failed check-ins (biometric-svc) and overdue order reviews (enrollment-svc). Each event is
 * applied once: its event_id is recorded with the alert in the same transaction.
 *
 * <p>rules-svc never sees a face-match verdict of the algorithm alone: biometric-svc sends
 * FAILED_CONFIRMED only after a human reviewer confirmed the mismatch, and there is no kind for an
 * unreviewed failure, so none can become an alert here.
 */
@ApplicationScoped
public class ExternalEvents {
    static final int MAX_DEVICE_EVENTS = 1_000;
    static final int MAX_DETAIL = 200;

    private final AlertWriter writer;
    private final ProcessedEventRepository processed;
    private final SubjectConditionsRepository conditions;
    private final SharingGrantsRepository grants;

    public ExternalEvents(AlertWriter writer, ProcessedEventRepository processed, SubjectConditionsRepository conditions,
            SharingGrantsRepository grants) {
        this.writer = writer;
        this.processed = processed;
        this.conditions = conditions;
        this.grants = grants;
    }

    /** What a batch of device events did: alerts opened, and events deferred (not applied, to be sent again). */
    public record DeviceEventsOutcome(int alertsOpened, List<String> deferredEventIds) {
    }

    /**
     * Applies device events. An event that would open an alert for a subject this service has no
     * monitoring order for yet (conditions from enrollment-svc not arrived, or the subject no longer
     * monitored) is deferred: not applied and not remembered, returned so the sender sends it again
     * later. The rest of the batch is applied, so one such event never holds back the others.
     */
    @WithTransaction
    public Uni<DeviceEventsOutcome> recordDeviceEvents(List<DeviceEvent> events) {
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
        List<String> deferred = new ArrayList<>();
        // One query for the events already applied rather than one per event: the lock is held meanwhile.
        return writer.lock().flatMap(x -> processed.list("eventId in ?1", List.copyOf(ids))).flatMap(done -> {
            Set<UUID> applied = new HashSet<>();
            done.forEach(d -> applied.add(d.eventId));
            List<DeviceEvent> fresh = events.stream().filter(e -> !applied.contains(UUID.fromString(e.getEventId()))).toList();
            return Sequential.sum(fresh, e -> device(e, deferred));
        }).map(opened -> new DeviceEventsOutcome(opened, deferred));
    }

    /** Applies one new device event; returns 1 if it opened an alert. */
    private Uni<Integer> device(DeviceEvent e, List<String> deferred) {
        UUID eventId = UUID.fromString(e.getEventId());
        UUID subject = UUID.fromString(e.getSubjectId());
        Instant at = Timestamps.required("occurred_at", e.getOccurredAt());
        String device = e.getDeviceId();
        Uni<AlertEntity> effect = switch (e.getKind()) {
            case DEVICE_EVENT_KIND_STRAP_TAMPER, DEVICE_EVENT_KIND_LOW_BATTERY, DEVICE_EVENT_KIND_NO_SIGNAL -> owningAgency(subject).flatMap(agency -> {
                if (agency == null) {
                    deferred.add(e.getEventId());
                    return Uni.createFrom().nullItem();
                }
                return switch (e.getKind()) {
                    case DEVICE_EVENT_KIND_STRAP_TAMPER -> openFor(agency, subject, AlertKind.ALERT_KIND_STRAP_TAMPER,
                            "device:" + device + ":strap", AlertSeverity.ALERT_SEVERITY_HIGH, at, device, e.getDetail());
                    case DEVICE_EVENT_KIND_LOW_BATTERY -> openFor(agency, subject, AlertKind.ALERT_KIND_LOW_BATTERY,
                            "device:" + device + ":battery", AlertSeverity.ALERT_SEVERITY_LOW, at, device, e.getDetail());
                    default -> openFor(agency, subject, AlertKind.ALERT_KIND_NO_SIGNAL,
                            "device:" + device + ":signal", AlertSeverity.ALERT_SEVERITY_HIGH, at, device, e.getDetail());
                };
            });
            // The alert that opened on the silence closes itself; its duration is the outage.
            case DEVICE_EVENT_KIND_SIGNAL_RESTORED -> writer.close(subject, "device:" + device + ":signal", at).replaceWith((AlertEntity) null);
            case DEVICE_EVENT_KIND_CHARGING_STARTED -> writer.close(subject, "device:" + device + ":battery", at).replaceWith((AlertEntity) null);
            default -> Uni.createFrom().nullItem();
        };
        return effect.flatMap(a -> {
            if (deferred.contains(e.getEventId())) {
                return Uni.createFrom().item(0);
            }
            return remember(eventId, "location-svc", subject, a).replaceWith(a != null ? 1 : 0);
        });
    }

    /** Returns the id of the alert opened, or empty (already applied, or one already live). */
    @WithTransaction
    public Uni<String> recordCheckIn(RecordCheckInEventRequest r) {
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
        return once(eventId, "biometric-svc", subject, () -> open("subject_id", subject, kind, "check-in:" + r.getCheckInId(),
                AlertSeverity.ALERT_SEVERITY_HIGH, at, null, detail));
    }

    @WithTransaction
    public Uni<String> recordReviewOverdue(RecordReviewOverdueRequest r) {
        UUID eventId = Check.uuid("event_id", r.getEventId());
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        Check.uuid("order_id", r.getOrderId());
        Instant due = Timestamps.required("review_due_at", r.getReviewDueAt());
        return once(eventId, "enrollment-svc", subject, () -> open("subject_id", subject, AlertKind.ALERT_KIND_ORDER_REVIEW_OVERDUE,
                "order-review:" + r.getOrderId(), AlertSeverity.ALERT_SEVERITY_HIGH, due, null, null));
    }

    private Uni<String> once(UUID eventId, String source, UUID subject, java.util.function.Supplier<Uni<AlertEntity>> effect) {
        return writer.lock().flatMap(x -> processed.findById(eventId)).flatMap(done -> {
            if (done != null) {
                return Uni.createFrom().item(done.alertId == null ? "" : done.alertId.toString());
            }
            return effect.get().flatMap(a -> remember(eventId, source, subject, a).replaceWith(a == null ? "" : a.alertId.toString()));
        });
    }

    private Uni<ProcessedEventEntity> remember(UUID eventId, String source, UUID subject, AlertEntity alert) {
        ProcessedEventEntity p = new ProcessedEventEntity();
        p.eventId = eventId;
        p.source = source;
        p.subjectId = subject;
        p.alertId = alert == null ? null : alert.alertId;
        p.at = Instant.now();
        return processed.persist(p);
    }

    /**
     * Opens an alert for a subject this service knows the owning agency of. An unknown subject is
     * refused (FAILED_PRECONDITION) so the sender retries once enrollment-svc's conditions arrive,
     * rather than an alert being dropped.
     */
    private Uni<AlertEntity> open(String subjectField, UUID subject, AlertKind kind, String conditionId, AlertSeverity severity,
            Instant startedAt, String deviceId, String detail) {
        return owningAgency(subject).flatMap(agency -> {
            if (agency == null) {
                throw SentinelException.precondition(subjectField, "no monitoring order is known for subject " + subject);
            }
            return openFor(agency, subject, kind, conditionId, severity, startedAt, deviceId, detail);
        });
    }

    private Uni<AlertEntity> openFor(String agency, UUID subject, AlertKind kind, String conditionId, AlertSeverity severity,
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
        return writer.open(a);
    }

    private Uni<String> owningAgency(UUID subject) {
        return conditions.findById(subject).flatMap(c -> {
            if (c != null) {
                return Uni.createFrom().item(c.owningAgencyId);
            }
            return grants.findById(subject).map(g -> g == null ? null : g.owningAgencyId);
        });
    }
}
