package io.sentinel.rules.domain.monitor;

import io.sentinel.rules.domain.breach.BreachPolicy;
import io.sentinel.rules.domain.curfew.CurfewSchedule;

/**
 * One condition of a monitoring order: its kind, the zone it refers to (the home zone for a
 * curfew), the curfew schedule for {@link ConditionKind#CURFEW}, and its dwell/hysteresis policy.
 */
public record Condition(String id, ConditionKind kind, String zoneId, CurfewSchedule curfew, BreachPolicy policy) {

    public Condition {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("id: is missing");
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind: is missing");
        }
        if (zoneId == null || zoneId.isBlank()) {
            throw new IllegalArgumentException("zoneId: is missing");
        }
        if (kind == ConditionKind.CURFEW && curfew == null) {
            throw new IllegalArgumentException("curfew: is missing for a CURFEW condition");
        }
        if (kind != ConditionKind.CURFEW && curfew != null) {
            throw new IllegalArgumentException("curfew: only a CURFEW condition has a schedule, this one is " + kind);
        }
        if (policy == null) {
            throw new IllegalArgumentException("policy: is missing");
        }
    }

    public static Condition inclusion(String id, String zoneId, BreachPolicy policy) {
        return new Condition(id, ConditionKind.INCLUSION_ZONE, zoneId, null, policy);
    }

    public static Condition exclusion(String id, String zoneId, BreachPolicy policy) {
        return new Condition(id, ConditionKind.EXCLUSION_ZONE, zoneId, null, policy);
    }

    public static Condition curfew(String id, String homeZoneId, CurfewSchedule schedule, BreachPolicy policy) {
        return new Condition(id, ConditionKind.CURFEW, homeZoneId, schedule, policy);
    }
}
