package io.sentinel.rules.domain.breach;

import java.time.Duration;

/**
 * Dwell and hysteresis of a condition: a breach opens once certain-breach evidence spans
 * {@code openAfter} with at least {@code openAfterFixes} fixes, and closes once certain-satisfied
 * evidence spans {@code clearAfter} with at least {@code clearAfterFixes} fixes.
 */
public record BreachPolicy(Duration openAfter, int openAfterFixes, Duration clearAfter, int clearAfterFixes) {

    public static final int MAX_FIXES = 1000;
    public static final Duration MAX_DWELL = Duration.ofDays(1);

    public BreachPolicy {
        dwell("openAfter", openAfter);
        dwell("clearAfter", clearAfter);
        fixes("openAfterFixes", openAfterFixes);
        fixes("clearAfterFixes", clearAfterFixes);
    }

    /** A policy suited to GPS tags reporting every 30-60 s: 2 min and 3 fixes to open, 1 min and 2 fixes to close. */
    public static BreachPolicy standard() {
        return new BreachPolicy(Duration.ofMinutes(2), 3, Duration.ofMinutes(1), 2);
    }

    private static void dwell(String field, Duration d) {
        if (d == null) {
            throw new IllegalArgumentException(field + ": is missing");
        }
        if (d.isNegative() || d.compareTo(MAX_DWELL) > 0) {
            throw new IllegalArgumentException(field + ": " + d + " out of range [PT0S, " + MAX_DWELL + "]");
        }
    }

    private static void fixes(String field, int n) {
        if (n < 1 || n > MAX_FIXES) {
            throw new IllegalArgumentException(field + ": " + n + " out of range [1, " + MAX_FIXES + "]");
        }
    }
}
