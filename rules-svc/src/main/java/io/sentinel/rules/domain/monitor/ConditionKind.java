package io.sentinel.rules.domain.monitor;

/** The kinds of condition a monitoring order can impose. */
public enum ConditionKind {
    /** The subject must stay inside the zone. */
    INCLUSION_ZONE,
    /** The subject must stay out of the zone. */
    EXCLUSION_ZONE,
    /** While the curfew is in force the subject must be inside the (home) zone. */
    CURFEW
}
