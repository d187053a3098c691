package io.sentinel.enrollment.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.sentinel.common.error.SentinelException;

/**
 * When each category of a subject's data is due for deletion: a number of days after the end of
 * the subject's last order. Identity and order records are kept at most six years; nothing is
 * kept longer than the identity it belongs to, since deleting the identity deletes everything.
 */
public final class RetentionSchedule {
    /** Six years, counting two leap days. */
    public static final int MAX_RECORD_DAYS = 6 * 365 + 2;

    /** The categories, in the order of the wire enum DataCategory (whose names add a DATA_CATEGORY_ prefix). */
    public enum Category {
        IDENTITY, CONDITIONS, LOCATION_TRAIL, ALERTS, BIOMETRIC_RESULTS;

        public String wireName() {
            return "DATA_CATEGORY_" + name();
        }
    }

    private RetentionSchedule() {
    }

    /** Checks a complete policy; {@code fieldOf} names the request field that set each category. */
    public static void validate(Map<Category, Integer> days, Map<Category, String> fieldOf) {
        for (Map.Entry<Category, Integer> e : days.entrySet()) {
            String f = fieldOf.getOrDefault(e.getKey(), "retention." + e.getKey().name().toLowerCase());
            if (e.getValue() < 0) {
                throw SentinelException.invalid(f, "must not be negative, got " + e.getValue());
            }
            if ((e.getKey() == Category.IDENTITY || e.getKey() == Category.CONDITIONS) && e.getValue() > MAX_RECORD_DAYS) {
                throw SentinelException.invalid(f, "identity and order records are kept at most " + MAX_RECORD_DAYS + " days (6 years), got "
                        + e.getValue());
            }
        }
        int identity = days.get(Category.IDENTITY);
        for (Map.Entry<Category, Integer> e : days.entrySet()) {
            if (e.getValue() > identity) {
                // A category the request left alone conflicts because of the identity period the request set.
                String f = fieldOf.getOrDefault(e.getKey(), fieldOf.getOrDefault(Category.IDENTITY, "retention." + e.getKey().name().toLowerCase()));
                throw SentinelException.invalid(f, e.getKey().wireName() + " cannot be kept longer than DATA_CATEGORY_IDENTITY (" + identity
                        + " days), got " + e.getValue());
            }
        }
    }

    /** The date each category falls due, counted from {@code reference} (the end of the last order). */
    public static Map<Category, Instant> dueDates(Instant reference, Map<Category, Integer> days) {
        Map<Category, Instant> out = new EnumMap<>(Category.class);
        days.forEach((c, d) -> out.put(c, reference.plus(Duration.ofDays(d))));
        return out;
    }

    /**
     * The categories to purge now. A subject still under an active order has nothing due; once the
     * identity is due everything goes with it.
     */
    public static List<Category> due(boolean active, Instant reference, Map<Category, Integer> days, Instant now, Set<Category> purged) {
        List<Category> out = new ArrayList<>();
        if (active) {
            return out;
        }
        Map<Category, Instant> dates = dueDates(reference, days);
        boolean identityDue = !dates.get(Category.IDENTITY).isAfter(now);
        for (Category c : Category.values()) {
            if (!purged.contains(c) && (identityDue || !dates.get(c).isAfter(now))) {
                out.add(c);
            }
        }
        return out;
    }
}
