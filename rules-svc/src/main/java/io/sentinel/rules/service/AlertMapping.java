package io.sentinel.rules.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

import io.sentinel.api.common.v1.GeoPoint;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertOutcome;
import io.sentinel.api.rules.v1.AlertSeverity;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.common.util.Timestamps;
import io.sentinel.rules.repository.AlertEntity;
import io.vertx.mutiny.sqlclient.Row;

/** Stored alerts to wire alerts. */
public final class AlertMapping {
    private AlertMapping() {
    }

    public static Alert toProto(AlertEntity e) {
        Alert.Builder b = Alert.newBuilder()
                .setAlertId(e.alertId.toString())
                .setSubjectId(e.subjectId.toString())
                .setOwningAgencyId(e.owningAgencyId)
                .setKind(AlertKind.valueOf(e.kind))
                .setConditionId(e.conditionId)
                .setState(AlertState.valueOf(e.state))
                .setOpenedAt(Timestamps.of(e.openedAt));
        if (e.deviceId != null) {
            b.setDeviceId(e.deviceId.toString());
        }
        if (e.fixTime != null) {
            b.setFixTime(Timestamps.of(e.fixTime));
        }
        if (e.latitude != null) {
            b.setPosition(GeoPoint.newBuilder().setLatitude(e.latitude).setLongitude(e.longitude));
            b.setAccuracyMetres(e.accuracyMetres);
        }
        if (e.fixId != null) {
            b.setFixId(e.fixId);
        }
        lifecycle(b, e.breachStartedAt, e.closedAt, e.durationSeconds, e.severity, e.detail, e.acknowledgedAt, e.acknowledgedBy,
                e.resolvedAt, e.resolvedBy, e.outcome, e.resolutionNote, e.escalatedAt);
        return b.build();
    }

    /** A feed row: the alert's current columns, with the state as of the event. */
    static Alert fromRow(Row r) {
        Alert.Builder b = Alert.newBuilder()
                .setAlertId(r.getUUID("alert_id").toString())
                .setSubjectId(r.getUUID("subject_id").toString())
                .setOwningAgencyId(r.getString("owning_agency_id"))
                .setKind(AlertKind.valueOf(r.getString("kind")))
                .setConditionId(r.getString("condition_id"))
                .setState(AlertState.valueOf(r.getString("event_state")))
                .setOpenedAt(Timestamps.of(r.getOffsetDateTime("opened_at").toInstant()));
        UUID device = r.getUUID("device_id");
        if (device != null) {
            b.setDeviceId(device.toString());
        }
        Instant fixTime = instant(r, "fix_time");
        if (fixTime != null) {
            b.setFixTime(Timestamps.of(fixTime));
        }
        if (r.getDouble("latitude") != null) {
            b.setPosition(GeoPoint.newBuilder().setLatitude(r.getDouble("latitude")).setLongitude(r.getDouble("longitude")));
            b.setAccuracyMetres(r.getDouble("accuracy_metres"));
        }
        if (r.getLong("fix_id") != null) {
            b.setFixId(r.getLong("fix_id"));
        }
        lifecycle(b, instant(r, "breach_started_at"), instant(r, "closed_at"), r.getLong("duration_seconds"), r.getString("severity"),
                r.getString("detail"), instant(r, "acknowledged_at"), r.getString("acknowledged_by"), instant(r, "resolved_at"),
                r.getString("resolved_by"), r.getString("outcome"), r.getString("resolution_note"), instant(r, "escalated_at"));
        return b.build();
    }

    static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    private static void lifecycle(Alert.Builder b, Instant breachStartedAt, Instant closedAt, Long durationSeconds, String severity,
            String detail, Instant acknowledgedAt, String acknowledgedBy, Instant resolvedAt, String resolvedBy, String outcome,
            String note, Instant escalatedAt) {
        if (breachStartedAt != null) {
            b.setBreachStartedAt(Timestamps.of(breachStartedAt));
        }
        if (closedAt != null) {
            b.setClosedAt(Timestamps.of(closedAt));
        }
        if (durationSeconds != null) {
            b.setDurationSeconds(durationSeconds);
        }
        if (severity != null) {
            b.setSeverity(AlertSeverity.valueOf(severity));
        }
        if (detail != null) {
            b.setDetail(detail);
        }
        if (acknowledgedAt != null) {
            b.setAcknowledgedAt(Timestamps.of(acknowledgedAt)).setAcknowledgedBy(acknowledgedBy);
        }
        if (resolvedAt != null) {
            b.setResolvedAt(Timestamps.of(resolvedAt)).setResolvedBy(resolvedBy);
        }
        if (outcome != null) {
            b.setOutcome(AlertOutcome.valueOf(outcome));
        }
        if (note != null) {
            b.setResolutionNote(note);
        }
        if (escalatedAt != null) {
            b.setEscalated(true).setEscalatedAt(Timestamps.of(escalatedAt));
        }
    }
}
