package io.sentinel.rules.domain.curfew;

import java.time.Instant;

/** A one-off exception lifting the curfew over [from, until), e.g. an approved hospital visit. */
public record CurfewSuspension(Instant from, Instant until) {

    /** Checks the fields, naming them under {@code path} (e.g. {@code suspensions[2]}). */
    public static CurfewSuspension of(String path, Instant from, Instant until) {
        if (from == null) {
            throw new InvalidCurfewException(path + ".from", "is missing");
        }
        if (until == null) {
            throw new InvalidCurfewException(path + ".until", "is missing");
        }
        if (!until.isAfter(from)) {
            throw new InvalidCurfewException(path + ".until", until + " is not after from " + from);
        }
        return new CurfewSuspension(from, until);
    }

    public CurfewSuspension {
        if (from == null || until == null || !until.isAfter(from)) {
            throw new IllegalArgumentException("a suspension needs from < until, got " + from + " and " + until);
        }
    }

    public boolean contains(Instant t) {
        return !t.isBefore(from) && t.isBefore(until);
    }
}
