package io.sentinel.common.error;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

    /** Most gateways one device may be bound to. */
    public static final int MAX_GATEWAY_IDS = 16;

    /**
     * The gateways bound to a device (the token subjects that may report its fixes): {@code min} to
     * {@link #MAX_GATEWAY_IDS} of them, each 1 to 200 printable ASCII characters without whitespace or
     * commas (they are stored comma-separated), no repeats. One rule for enrollment-svc, which records
     * the binding ({@code min} 1), and location-svc, which enforces it ({@code min} 0: assignments sent
     * before bindings existed carry none). An element is named {@code field[i]}.
     */
    public static List<String> gatewayIds(String field, List<String> ids, int min) {
        if (ids.size() < min) {
            throw SentinelException.invalid(field, min == 1 ? "at least one gateway is required: name the gateways that may report this device"
                    : "at least " + min + " gateways are required");
        }
        if (ids.size() > MAX_GATEWAY_IDS) {
            throw SentinelException.invalid(field, "at most " + MAX_GATEWAY_IDS + " gateways, got " + ids.size());
        }
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            String element = field + "[" + i + "]";
            String id = ids.get(i);
            length(element, id, 1, 200);
            for (int c = 0; c < id.length(); c++) {
                char ch = id.charAt(c);
                if (ch < 0x21 || ch > 0x7e || ch == ',') {
                    throw SentinelException.invalid(element, "must be printable ASCII without whitespace or commas, got '" + abbreviate(id) + "'");
                }
            }
            if (!seen.add(id)) {
                throw SentinelException.invalid(element, "repeats '" + abbreviate(id) + "'");
            }
            out.add(id);
        }
        return List.copyOf(out);
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
