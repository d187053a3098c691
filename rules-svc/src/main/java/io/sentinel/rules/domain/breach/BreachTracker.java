package io.sentinel.rules.domain.breach;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import io.sentinel.rules.domain.breach.BreachEvent.CloseReason;
import io.sentinel.rules.domain.breach.BreachState.Phase;

/**
 * Decides when a breach of one condition of one subject opens and closes, so that there is at most one
 * open alert per (subject, condition) and it is neither opened on weak evidence nor flapping.
 *
 * <p>Rules, for observations fed in device-time order:
 * <ul>
 * <li>Only certain (BREACHED/SATISFIED), unflagged observations are evidence. Flagged ones are
 *     skipped entirely. An UNCERTAIN one is no evidence, but it breaks a run of consecutive fixes:
 *     otherwise someone walking along a fence would, over hours, collect enough stray "certainly
 *     outside" fixes (GPS errors beyond the reported accuracy) to raise a false alert.</li>
 * <li>Opening: a streak starts at the first certain-breach fix and lasts until a certain-satisfied
 *     fix. The alert opens when the streak spans {@code openAfter} and its last
 *     {@code openAfterFixes} observations were all certain breaches. The breach is dated from the
 *     streak's first fix.</li>
 * <li>Closing (hysteresis): while open, a clearing streak starts at the first certain-satisfied fix
 *     and is cut by any certain-breach fix; the alert closes when that streak spans
 *     {@code clearAfter} and its last {@code clearAfterFixes} observations were all certainly
 *     satisfied. The breach is taken to have ended at the clearing streak's first fix.</li>
 * <li>Late, duplicate or out-of-order observations (device time not after the last accepted one) are
 *     ignored: replayed or buffered fixes must not count twice or rewrite a decision already taken.
 *     Flagged observations do not advance the clock, so a fix with a wild timestamp cannot block
 *     later genuine ones.</li>
 * </ul>
 * Not thread-safe: confine each tracker to one thread at a time (e.g. per-subject serialisation).
 */
public final class BreachTracker {

    /** How an observation was used. */
    public enum Effect {
        /** Device time not after the last accepted observation. */
        IGNORED_OUT_OF_ORDER,
        /** Flagged implausible by location-svc. */
        IGNORED_FLAGGED,
        /** Neither breach nor satisfaction is certain. */
        NO_EVIDENCE,
        /** Certain breach: started or extended a pending streak, kept an alert open, or cut a clearing streak. */
        BREACH_EVIDENCE,
        /** Certain satisfaction: cut a pending streak, extended a clearing streak, or confirmed all clear. */
        SATISFIED_EVIDENCE
    }

    /** The effect of one observation and the alert change it caused, if any. */
    public record Outcome(Effect effect, Optional<BreachEvent> event) {
    }

    private BreachPolicy policy;
    private Phase phase = Phase.CLEAR;
    private Instant lastAcceptedAt;
    private Instant streakStartedAt;
    private int streakFixes;
    private int consecutiveFixes;
    private Instant breachStartedAt;
    private Instant openedAt;

    public BreachTracker(BreachPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Resumes from a persisted snapshot. */
    public static BreachTracker restore(BreachPolicy policy, BreachState state) {
        BreachTracker t = new BreachTracker(policy);
        t.phase = state.phase();
        t.lastAcceptedAt = state.lastAcceptedAt();
        t.streakStartedAt = state.streakStartedAt();
        t.streakFixes = state.streakFixes();
        t.consecutiveFixes = state.consecutiveFixes();
        t.breachStartedAt = state.breachStartedAt();
        t.openedAt = state.openedAt();
        return t;
    }

    public BreachState state() {
        return new BreachState(phase, lastAcceptedAt, streakStartedAt, streakFixes, consecutiveFixes, breachStartedAt, openedAt);
    }

    public Phase phase() {
        return phase;
    }

    /** Whether an alert is open (also while it is clearing). */
    public boolean isOpen() {
        return phase == Phase.OPEN || phase == Phase.CLEARING;
    }

    /** A new policy applies from the next observation; evidence gathered so far is kept. */
    public void setPolicy(BreachPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public Outcome observe(Observation o) {
        Objects.requireNonNull(o, "observation");
        if (o.flagged()) {
            return new Outcome(Effect.IGNORED_FLAGGED, Optional.empty());
        }
        if (lastAcceptedAt != null && !o.at().isAfter(lastAcceptedAt)) {
            return new Outcome(Effect.IGNORED_OUT_OF_ORDER, Optional.empty());
        }
        lastAcceptedAt = o.at();
        return switch (o.assessment()) {
            case UNCERTAIN -> {
                consecutiveFixes = 0;
                yield new Outcome(Effect.NO_EVIDENCE, Optional.empty());
            }
            case BREACHED -> new Outcome(Effect.BREACH_EVIDENCE, onBreach(o.at()));
            case SATISFIED -> new Outcome(Effect.SATISFIED_EVIDENCE, onSatisfied(o.at()));
        };
    }

    private Optional<BreachEvent> onBreach(Instant t) {
        switch (phase) {
            case CLEAR -> {
                phase = Phase.PENDING;
                startStreak(t);
                return maybeOpen(t);
            }
            case PENDING -> {
                streakFixes++;
                consecutiveFixes++;
                return maybeOpen(t);
            }
            case CLEARING -> {
                phase = Phase.OPEN;
                endStreak();
                return Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private Optional<BreachEvent> maybeOpen(Instant t) {
        if (consecutiveFixes < policy.openAfterFixes()
                || Duration.between(streakStartedAt, t).compareTo(policy.openAfter()) < 0) {
            return Optional.empty();
        }
        BreachEvent opened = new BreachEvent.Opened(streakStartedAt, t, streakFixes);
        phase = Phase.OPEN;
        breachStartedAt = streakStartedAt;
        openedAt = t;
        endStreak();
        return Optional.of(opened);
    }

    private Optional<BreachEvent> onSatisfied(Instant t) {
        switch (phase) {
            case PENDING -> {
                phase = Phase.CLEAR;
                endStreak();
                return Optional.empty();
            }
            case OPEN -> {
                phase = Phase.CLEARING;
                startStreak(t);
                return maybeClose(t);
            }
            case CLEARING -> {
                streakFixes++;
                consecutiveFixes++;
                return maybeClose(t);
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private Optional<BreachEvent> maybeClose(Instant t) {
        if (consecutiveFixes < policy.clearAfterFixes()
                || Duration.between(streakStartedAt, t).compareTo(policy.clearAfter()) < 0) {
            return Optional.empty();
        }
        return Optional.of(close(streakStartedAt, t, CloseReason.SATISFIED));
    }

    /**
     * The condition stopped applying at {@code at} (curfew window over, condition withdrawn): an open
     * alert closes at once, without hysteresis, and pending evidence is dropped. A clearing streak
     * already under way dates the end of the breach from its first fix.
     */
    public Optional<BreachEvent> conditionEnded(Instant at) {
        Objects.requireNonNull(at, "at");
        if (lastAcceptedAt == null || at.isAfter(lastAcceptedAt)) {
            lastAcceptedAt = at;
        }
        switch (phase) {
            case PENDING -> {
                phase = Phase.CLEAR;
                endStreak();
                return Optional.empty();
            }
            case OPEN -> {
                return Optional.of(close(at.isBefore(breachStartedAt) ? breachStartedAt : at, at, CloseReason.CONDITION_ENDED));
            }
            case CLEARING -> {
                Instant ended = streakStartedAt.isBefore(at) ? streakStartedAt : at;
                return Optional.of(close(ended, at, CloseReason.CONDITION_ENDED));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private void startStreak(Instant t) {
        streakStartedAt = t;
        streakFixes = 1;
        consecutiveFixes = 1;
    }

    private void endStreak() {
        streakStartedAt = null;
        streakFixes = 0;
        consecutiveFixes = 0;
    }

    private BreachEvent close(Instant breachEndedAt, Instant closedAt, CloseReason reason) {
        BreachEvent closed = new BreachEvent.Closed(breachStartedAt, openedAt, breachEndedAt, closedAt, reason);
        phase = Phase.CLEAR;
        endStreak();
        breachStartedAt = null;
        openedAt = null;
        return closed;
    }
}
