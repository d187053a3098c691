package io.sentinel.location.domain;

/**
 * One reason a report was rejected: the offending field (snake_case, as on the wire) and a
 * message that names it, e.g. {@code latitude must be within [-90, 90], got 91.5}.
 */
public record Violation(String field, String message) {

    /** For the lead's database checks, so every path words it the same way. */
    public static Violation unknownDevice(String deviceId) {
        return new Violation("device_id", "device_id '" + deviceId + "' is not a registered device");
    }

    /** For the lead's database checks: the device exists but no active order uses it. */
    public static Violation unassignedDevice(String deviceId) {
        return new Violation("device_id", "device_id '" + deviceId + "' is not assigned to an active order");
    }

    @Override
    public String toString() {
        return message;
    }
}
