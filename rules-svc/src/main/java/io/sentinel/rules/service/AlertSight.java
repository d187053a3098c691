package io.sentinel.rules.service;

import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertKind;

/**
 * How much of an alert a reader may see: all of it, or the alert without what locates the subject
 * (minimal sharing: a grant for alerts alone shares that a condition broke, not where the person was).
 * The one place alerts are redacted; every public read path (list, get, feed) goes through
 * {@link #redact(Alert)}.
 *
 * <p>{@link #WITHOUT_LOCATION} withholds from every alert the triggering fix: {@code device_id},
 * {@code fix_time}, {@code position}, {@code accuracy_metres}, {@code fix_id}. For alerts whose times
 * trace movement (zone and curfew breaches: when the person entered or left a zone, how long they
 * stayed) it also withholds {@code breach_started_at}, {@code closed_at}, {@code duration_seconds} and
 * {@code detail}, and {@link #shows} hides their CLOSED feed events, whose time would give
 * {@code closed_at} away. Device alerts lose {@code detail}, free text composed by a peer that nothing
 * here checks for coordinates. Check-in and review alerts keep their times and detail, which rules-svc
 * composes from no location. A kind not listed here is treated as one that traces movement.
 */
public enum AlertSight {
    FULL,
    WITHOUT_LOCATION;

    /** The alert as this sight shows it. */
    public Alert redact(Alert alert) {
        if (this == FULL) {
            return alert;
        }
        Alert.Builder b = alert.toBuilder().clearDeviceId().clearFixTime().clearPosition().clearAccuracyMetres().clearFixId();
        switch (timesOf(alert.getKind())) {
            case TRACE_MOVEMENT -> b.clearBreachStartedAt().clearClosedAt().clearDurationSeconds().clearDetail();
            case FROM_A_DEVICE -> b.clearDetail();
            case LOCATION_FREE -> {
                // nothing more: their times and detail say nothing about where the subject was
            }
        }
        return b.build();
    }

    /** Whether a feed event of this type about an alert of this kind reaches a reader with this sight. */
    public boolean shows(AlertEventType type, AlertKind kind) {
        return this == FULL || type != AlertEventType.ALERT_EVENT_TYPE_CLOSED || timesOf(kind) != Times.TRACE_MOVEMENT;
    }

    private enum Times {
        TRACE_MOVEMENT, FROM_A_DEVICE, LOCATION_FREE
    }

    private static Times timesOf(AlertKind kind) {
        return switch (kind) {
            case ALERT_KIND_CHECK_IN_MISSED, ALERT_KIND_CHECK_IN_FAILED, ALERT_KIND_ORDER_REVIEW_OVERDUE -> Times.LOCATION_FREE;
            case ALERT_KIND_STRAP_TAMPER, ALERT_KIND_LOW_BATTERY, ALERT_KIND_NO_SIGNAL -> Times.FROM_A_DEVICE;
            default -> Times.TRACE_MOVEMENT; // zone and curfew breaches, and anything unknown: fail closed
        };
    }
}
