package io.sentinel.rules.service;

import java.time.OffsetDateTime;

import io.sentinel.api.common.v1.GeoPoint;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertKind;
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
        return b.build();
    }

    static Alert fromRow(Row r) {
        Alert.Builder b = Alert.newBuilder()
                .setAlertId(r.getUUID("alert_id").toString())
                .setSubjectId(r.getUUID("subject_id").toString())
                .setOwningAgencyId(r.getString("owning_agency_id"))
                .setKind(AlertKind.valueOf(r.getString("kind")))
                .setConditionId(r.getString("condition_id"))
                .setState(AlertState.valueOf(r.getString("event_state")))
                .setOpenedAt(Timestamps.of(r.getOffsetDateTime("opened_at").toInstant()));
        if (r.getUUID("device_id") != null) {
            b.setDeviceId(r.getUUID("device_id").toString());
        }
        OffsetDateTime fixTime = r.getOffsetDateTime("fix_time");
        if (fixTime != null) {
            b.setFixTime(Timestamps.of(fixTime.toInstant()));
        }
        if (r.getDouble("latitude") != null) {
            b.setPosition(GeoPoint.newBuilder().setLatitude(r.getDouble("latitude")).setLongitude(r.getDouble("longitude")));
            b.setAccuracyMetres(r.getDouble("accuracy_metres"));
        }
        if (r.getLong("fix_id") != null) {
            b.setFixId(r.getLong("fix_id"));
        }
        return b.build();
    }
}
