package io.sentinel.location.domain;

/** Why an accepted fix is kept but must not raise an alert on its own in rules-svc. */
public enum FixFlag {
    /** Reaching it from the device's previous fix needs a speed above the plausible bound. */
    IMPLAUSIBLE_JUMP,
    /** Its accuracy radius is wider than the configured threshold. */
    LOW_ACCURACY
}
