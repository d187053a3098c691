package io.sentinel.common.error;

import java.util.UUID;

/** Small argument checks that name the field they reject. */
public final class Check {
    private Check() {
    }

    public static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw SentinelException.invalid(field, "is required");
        }
        return value;
    }

    public static String length(String field, String value, int min, int max) {
        if (value == null || value.length() < min || value.length() > max) {
            throw SentinelException.invalid(field, "must be " + min + " to " + max + " characters");
        }
        return value;
    }

    /**
     * A device serial (IMEI, Traccar unique id, manufacturer serial): 1 to 64 letters, digits and
     * {@code . _ : / -}. One rule for enrollment-svc, which registers it, and location-svc, which
     * resolves devices by it.
     */
    public static String serial(String field, String value) {
        length(field, value, 1, 64);
        if (!value.matches("[A-Za-z0-9._:/-]+")) {
            throw SentinelException.invalid(field, "may contain only letters, digits and . _ : / -");
        }
        return value;
    }

    public static UUID uuid(String field, String value) {
        required(field, value);
        try {
            UUID id = UUID.fromString(value);
            if (!id.toString().equalsIgnoreCase(value)) {
                throw new IllegalArgumentException();
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw SentinelException.invalid(field, "must be a UUID, got '" + abbreviate(value) + "'");
        }
    }

    public static double range(String field, double value, double min, double max) {
        if (Double.isNaN(value)) {
            throw SentinelException.invalid(field, "is NaN");
        }
        if (value < min || value > max) {
            throw SentinelException.invalid(field, "must be within [" + fmt(min) + ", " + fmt(max) + "], got " + value);
        }
        return value;
    }

    public static int pageSize(String field, int requested, int defaultSize, int max) {
        if (requested < 0 || requested > max) {
            throw SentinelException.invalid(field, "must be within [1, " + max + "] (0 means " + defaultSize + ")");
        }
        return requested == 0 ? defaultSize : requested;
    }

    static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "…";
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
