package io.sentinel.enrollment.domain;

import java.time.LocalTime;

import io.sentinel.common.error.SentinelException;

/**
 * Checks of the check-in policy, the part of an order's conditions only enrollment-svc and
 * biometric-svc read. Zones and curfews are checked by the one validator rules-svc applies too
 * ({@link io.sentinel.common.conditions.ConditionsValidator}).
 */
public final class ConditionChecks {
    public static final int MAX_CHECK_INS_PER_DAY = 5;

    private ConditionChecks() {
    }

    public static void checkIns(String field, int perDay, LocalTime windowStart, LocalTime windowEnd) {
        if (perDay < 0 || perDay > MAX_CHECK_INS_PER_DAY) {
            throw SentinelException.invalid(field + ".per_day", "must be 0 to " + MAX_CHECK_INS_PER_DAY + ", got " + perDay);
        }
        if (perDay > 0 && !windowEnd.isAfter(windowStart)) {
            throw SentinelException.invalid(field + ".window_end", "must be after window_start");
        }
    }
}
