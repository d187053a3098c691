package io.sentinel.rules.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.sentinel.api.common.v1.GeoPoint;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertOutcome;
import io.sentinel.api.rules.v1.AlertSeverity;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.common.util.Timestamps;

class AlertSightTest {
    static final Set<AlertKind> MOVEMENT = EnumSet.of(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED, AlertKind.ALERT_KIND_INCLUSION_ZONE_LEFT,
            AlertKind.ALERT_KIND_CURFEW_BREACH);
    static final Set<AlertKind> DEVICE = EnumSet.of(AlertKind.ALERT_KIND_STRAP_TAMPER, AlertKind.ALERT_KIND_LOW_BATTERY,
            AlertKind.ALERT_KIND_NO_SIGNAL);
    static final Set<AlertKind> LOCATION_FREE = EnumSet.of(AlertKind.ALERT_KIND_CHECK_IN_MISSED, AlertKind.ALERT_KIND_CHECK_IN_FAILED,
            AlertKind.ALERT_KIND_ORDER_REVIEW_OVERDUE);

    /** An alert with every field set, as the owning agency sees it. */
    static Alert full(AlertKind kind) {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        return Alert.newBuilder().setAlertId("a-1").setSubjectId("s-1").setOwningAgencyId("agency-a").setKind(kind)
                .setConditionId("zone-1").setState(AlertState.ALERT_STATE_RESOLVED).setOpenedAt(Timestamps.of(t.plusSeconds(120)))
                .setDeviceId("d-1").setFixTime(Timestamps.of(t.plusSeconds(120)))
                .setPosition(GeoPoint.newBuilder().setLatitude(51.501).setLongitude(-0.127)).setAccuracyMetres(8).setFixId(42)
                .setBreachStartedAt(Timestamps.of(t)).setClosedAt(Timestamps.of(t.plusSeconds(600))).setDurationSeconds(600)
                .setEscalated(true).setEscalatedAt(Timestamps.of(t.plusSeconds(1000)))
                .setAcknowledgedAt(Timestamps.of(t.plusSeconds(1100))).setAcknowledgedBy("alice")
                .setResolvedAt(Timestamps.of(t.plusSeconds(1200))).setResolvedBy("alice").setOutcome(AlertOutcome.ALERT_OUTCOME_FALSE_ALARM)
                .setResolutionNote("seen on camera elsewhere").setSeverity(AlertSeverity.ALERT_SEVERITY_HIGH).setDetail("evidence_fixes=5")
                .build();
    }

    /** What every reader keeps: identity, kind, condition, state, opening, severity, escalation and decisions. */
    static Alert kept(Alert a) {
        return Alert.newBuilder().setAlertId(a.getAlertId()).setSubjectId(a.getSubjectId()).setOwningAgencyId(a.getOwningAgencyId())
                .setKind(a.getKind()).setConditionId(a.getConditionId()).setState(a.getState()).setOpenedAt(a.getOpenedAt())
                .setSeverity(a.getSeverity()).setEscalated(a.getEscalated()).setEscalatedAt(a.getEscalatedAt())
                .setAcknowledgedAt(a.getAcknowledgedAt()).setAcknowledgedBy(a.getAcknowledgedBy())
                .setResolvedAt(a.getResolvedAt()).setResolvedBy(a.getResolvedBy()).setOutcome(a.getOutcome())
                .setResolutionNote(a.getResolutionNote()).build();
    }

    @Test
    void fullSightChangesNothing() {
        for (AlertKind kind : AlertKind.values()) {
            if (kind != AlertKind.UNRECOGNIZED) {
                assertThat(AlertSight.FULL.redact(full(kind))).isEqualTo(full(kind));
            }
        }
    }

    @Test
    void withoutLocationAZoneOrCurfewBreachKeepsOnlyWhatDoesNotTraceMovement() {
        for (AlertKind kind : MOVEMENT) {
            Alert a = full(kind);
            assertThat(AlertSight.WITHOUT_LOCATION.redact(a)).as(kind.name()).isEqualTo(kept(a));
        }
    }

    @Test
    void withoutLocationADeviceAlertKeepsItsTimesButNotItsDetail() {
        for (AlertKind kind : DEVICE) {
            Alert a = full(kind).toBuilder().setDetail("last seen at 51.501,-0.127").build();
            assertThat(AlertSight.WITHOUT_LOCATION.redact(a)).as(kind.name()).isEqualTo(kept(a).toBuilder()
                    .setBreachStartedAt(a.getBreachStartedAt()).setClosedAt(a.getClosedAt()).setDurationSeconds(a.getDurationSeconds()).build());
        }
    }

    @Test
    void withoutLocationACheckInOrReviewAlertKeepsItsTimesAndDetail() {
        for (AlertKind kind : LOCATION_FREE) {
            Alert a = full(kind).toBuilder().setDetail("confirmed_by=rita").build();
            Alert shown = AlertSight.WITHOUT_LOCATION.redact(a);
            assertThat(shown).as(kind.name()).isEqualTo(kept(a).toBuilder().setBreachStartedAt(a.getBreachStartedAt())
                    .setClosedAt(a.getClosedAt()).setDurationSeconds(a.getDurationSeconds()).setDetail("confirmed_by=rita").build());
            assertThat(shown.hasPosition()).isFalse();
            assertThat(shown.hasFixTime()).isFalse();
        }
    }

    @Test
    void anUnknownKindIsTreatedAsOneThatTracesMovement() {
        Alert a = full(AlertKind.ALERT_KIND_UNSPECIFIED);
        assertThat(AlertSight.WITHOUT_LOCATION.redact(a)).isEqualTo(kept(a));
        assertThat(AlertSight.WITHOUT_LOCATION.shows(AlertEventType.ALERT_EVENT_TYPE_CLOSED, AlertKind.ALERT_KIND_UNSPECIFIED)).isFalse();
    }

    @Test
    void withoutLocationTheClosingOfABreachThatTracesMovementIsNotShown() {
        for (AlertKind kind : AlertKind.values()) {
            if (kind == AlertKind.UNRECOGNIZED) {
                continue;
            }
            for (AlertEventType type : AlertEventType.values()) {
                if (type == AlertEventType.UNRECOGNIZED) {
                    continue;
                }
                boolean hidden = type == AlertEventType.ALERT_EVENT_TYPE_CLOSED && !DEVICE.contains(kind) && !LOCATION_FREE.contains(kind);
                assertThat(AlertSight.WITHOUT_LOCATION.shows(type, kind)).as(kind + " " + type).isEqualTo(!hidden);
                assertThat(AlertSight.FULL.shows(type, kind)).isTrue();
            }
        }
    }
}
