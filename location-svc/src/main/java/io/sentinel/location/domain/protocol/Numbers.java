package io.sentinel.location.domain.protocol;

import io.sentinel.location.domain.Violation;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Strict text-to-number parsing shared by the protocol parsers.
 *
 * <p>{@link Double#parseDouble} also accepts hex floats, a trailing {@code d}/{@code f} and
 * surrounding blanks; none of those is a coordinate a device meant to send. NaN and Infinity are
 * let through so the validator can reject them by name ("latitude is NaN").
 */
public final class Numbers {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern SPECIAL = Pattern.compile("[+-]?(NaN|Infinity)", Pattern.CASE_INSENSITIVE);

    private Numbers() {
    }

    /** True when {@code text} is a plain decimal number (no NaN/Infinity). */
    public static boolean isDecimal(String text) {
        return text != null && DECIMAL.matcher(text).matches();
    }

    /**
     * The number in {@code text}, or null after adding "{field} is not a number: '…'" to
     * {@code errors}. Null or empty text is reported as missing.
     */
    public static Double decimal(String field, String text, List<Violation> errors) {
        if (text == null || text.isEmpty()) {
            errors.add(new Violation(field, field + " is empty"));
            return null;
        }
        if (DECIMAL.matcher(text).matches()) {
            return Double.parseDouble(text);
        }
        if (SPECIAL.matcher(text).matches()) {
            String lower = text.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("nan")) {
                return Double.NaN;
            }
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        errors.add(new Violation(field, field + " is not a number: '" + abbreviate(text) + "'"));
        return null;
    }

    /** Keeps error messages short when a client sends a huge value. */
    public static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
