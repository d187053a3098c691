package io.sentinel.location.domain;

import java.time.Instant;

/**
 * A device-health change for rules-svc.
 *
 * @param occurredAt device time of the fix that showed it, or for {@link DeviceEventType#NO_SIGNAL}
 *                   the instant the device became overdue
 * @param detail     human-readable specifics, e.g. {@code battery 14% (low at <= 20%)}
 */
public record DeviceEvent(String deviceId, DeviceEventType type, Instant occurredAt, String detail) {
}
