package io.sentinel.rules.domain.breach;

import java.time.Duration;
import java.time.Instant;

/** A change of a condition's alert: it opened, or it closed and how long the breach lasted. */
public sealed interface BreachEvent permits BreachEvent.Opened, BreachEvent.Closed {

    /** When the breach began: the first certain-breach fix of the evidence that opened it. */
    Instant breachStartedAt();

    /** The alert opens: the breach has persisted for the policy's dwell. */
    record Opened(Instant breachStartedAt, Instant openedAt, int evidenceFixes) implements BreachEvent {
    }

    /** The alert closes; {@link #duration()} is how long the breach lasted. */
    record Closed(Instant breachStartedAt, Instant openedAt, Instant breachEndedAt, Instant closedAt,
                  CloseReason reason) implements BreachEvent {

        public Duration duration() {
            return Duration.between(breachStartedAt, breachEndedAt);
        }
    }

    /** Why an alert closed. */
    enum CloseReason {
        /** The condition was certainly met again for the clearing dwell; the breach ended at the first such fix. */
        SATISFIED,
        /** The condition stopped applying (curfew window over, condition removed); the breach ended then. */
        CONDITION_ENDED
    }
}
