package io.sentinel.rules.domain.breach;

import java.time.Instant;
import java.util.Objects;

/**
 * One assessed observation of a condition at device time {@code at}; {@code flagged} marks fixes that
 * location-svc judged implausible (jumps, spoofing, stale clocks), which never move a breach either way.
 */
public record Observation(Instant at, Assessment assessment, boolean flagged) {

    public Observation {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(assessment, "assessment");
    }
}
