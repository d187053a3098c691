package io.sentinel.rules.domain.breach;

import java.time.Instant;

/**
 * Snapshot of a {@link BreachTracker}, for persisting across restarts so that an open alert stays
 * open and a dwell in progress keeps its evidence. Null fields mean "not applicable in this phase".
 */
public record BreachState(Phase phase, Instant lastAcceptedAt, Instant streakStartedAt, int streakFixes,
                          int consecutiveFixes, Instant breachStartedAt, Instant openedAt) {

    /** Where the tracker stands. */
    public enum Phase {
        /** No breach and no evidence of one. */
        CLEAR,
        /** Certain-breach evidence is accumulating; no alert yet. */
        PENDING,
        /** Alert open. */
        OPEN,
        /** Alert open; certain-satisfied evidence is accumulating towards closing it. */
        CLEARING
    }

    public static final BreachState INITIAL = new BreachState(Phase.CLEAR, null, null, 0, 0, null, null);

    public BreachState {
        if (phase == null) {
            throw new IllegalArgumentException("phase: is missing");
        }
        boolean streak = phase != Phase.CLEAR && phase != Phase.OPEN;
        if (streak != (streakStartedAt != null) || (streak ? streakFixes < 1 : streakFixes != 0)) {
            throw new IllegalArgumentException("streakStartedAt/streakFixes: inconsistent with phase " + phase);
        }
        if (consecutiveFixes < 0 || consecutiveFixes > streakFixes) {
            throw new IllegalArgumentException("consecutiveFixes: " + consecutiveFixes + " out of range [0, " + streakFixes + "]");
        }
        boolean open = phase == Phase.OPEN || phase == Phase.CLEARING;
        if (open != (breachStartedAt != null) || open != (openedAt != null)) {
            throw new IllegalArgumentException("breachStartedAt/openedAt: inconsistent with phase " + phase);
        }
        if (phase != Phase.CLEAR && lastAcceptedAt == null) {
            throw new IllegalArgumentException("lastAcceptedAt: is missing for phase " + phase);
        }
    }
}
