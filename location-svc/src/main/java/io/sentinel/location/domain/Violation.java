package io.sentinel.location.domain;

import java.time.Instant;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.window.OrderWindow;

/**
 * One reason a report was rejected: the offending field (snake_case, as on the wire), a message
 * that names it, e.g. {@code latitude must be within [-90, 90], got 91.5}, and the kind of refusal
 * (its gRPC status code name goes into the acknowledgement). A bad field is INVALID_ARGUMENT.
 */
public record Violation(String field, String message, SentinelException.Kind kind) {

    public Violation(String field, String message) {
        this(field, message, SentinelException.Kind.INVALID_ARGUMENT);
    }

    /** For the lead's database checks, so every path words it the same way. */
    public static Violation unknownDevice(String deviceId) {
        return new Violation("device_id", "device_id '" + deviceId + "' is not a registered device", SentinelException.Kind.NOT_FOUND);
    }

    /**
     * For the lead's database checks: the device is registered (the caller's agency has it) but no
     * active order uses it, so it is in no state to report: FAILED_PRECONDITION, not NOT_FOUND.
     */
    public static Violation unassignedDevice(String deviceId) {
        return new Violation("device_id", "device_id '" + deviceId + "' is not assigned to an active order (the device is registered,"
                + " but no assignment is in force here: not assigned, or its assignment has not reached location-svc yet)",
                SentinelException.Kind.FAILED_PRECONDITION);
    }

    /**
     * The fix was taken outside the legal window of the order its device is assigned under: not
     * evidence of anything, so not stored. OUT_OF_RANGE, naming the device and the window.
     */
    public static Violation outsideWindow(String deviceId, OrderWindow window, Instant deviceTime) {
        return new Violation("device_time", "device " + deviceId + ": device_time " + window.describeOutside(deviceTime)
                + "; a fix outside its order's window is not stored", SentinelException.Kind.OUT_OF_RANGE);
    }

    /** The calling gateway is not one the device is bound to (see {@link GatewayBinding}). */
    public static Violation notBound(String gateway, String deviceId) {
        return new Violation("device_id", "gateway '" + gateway + "' is not bound to device " + deviceId,
                SentinelException.Kind.PERMISSION_DENIED);
    }

    @Override
    public String toString() {
        return message;
    }
}
