package io.sentinel.rules.domain.curfew;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** One occurrence of a curfew window as instants, half-open: in force at {@code start}, no longer at {@code end}. */
public record CurfewPeriod(Instant start, Instant end) {

    public CurfewPeriod {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("end " + end + " is before start " + start);
        }
    }

    public boolean contains(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }

    public boolean isEmpty() {
        return start.equals(end);
    }

    public Duration length() {
        return Duration.between(start, end);
    }
}
