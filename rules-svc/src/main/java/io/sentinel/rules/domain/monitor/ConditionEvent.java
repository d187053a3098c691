package io.sentinel.rules.domain.monitor;

import io.sentinel.rules.domain.breach.BreachEvent;

/** An alert change of one condition of one subject. */
public record ConditionEvent(String subjectId, String conditionId, BreachEvent event) {
}
