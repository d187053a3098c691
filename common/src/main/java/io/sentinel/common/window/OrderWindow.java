package io.sentinel.common.window;

import java.time.Instant;

import com.google.protobuf.Timestamp;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;

/**
 * The legal window of a monitoring order, half-open: monitoring applies at {@code startsAt} and no
 * longer at {@code endsAt}. The one rule every service applies to fixes, evaluations and prompts, so
 * a moment is inside the window in all of them or in none. A missing bound (a message written before
 * windows travelled between services) does not restrict that side.
 */
public record OrderWindow(Instant startsAt, Instant endsAt) {

    /** No bound on either side. */
    public static final OrderWindow UNBOUNDED = new OrderWindow(null, null);

    public OrderWindow {
        if (startsAt != null && endsAt != null && !endsAt.isAfter(startsAt)) {
            throw new IllegalArgumentException("endsAt " + endsAt + " must be after startsAt " + startsAt);
        }
    }

    /**
     * The window two wire timestamps state (unset: no bound); INVALID_ARGUMENT naming {@code prefix}
     * + {@code _ends_at} when the end is not after the start.
     */
    public static OrderWindow of(String prefix, Timestamp startsAt, Timestamp endsAt) {
        Instant s = Timestamps.optional(prefix + "starts_at", startsAt);
        Instant e = Timestamps.optional(prefix + "ends_at", endsAt);
        if (s != null && e != null && !e.isAfter(s)) {
            throw SentinelException.invalid(prefix + "ends_at", "must be after " + prefix + "starts_at " + s + ", got " + e);
        }
        return new OrderWindow(s, e);
    }

    /** The window of two stored columns, either of which may be null. */
    public static OrderWindow ofNullable(Instant startsAt, Instant endsAt) {
        return startsAt == null && endsAt == null ? UNBOUNDED : new OrderWindow(startsAt, endsAt);
    }

    /** Whether monitoring applies at {@code t}: {@code startsAt <= t < endsAt}. */
    public boolean contains(Instant t) {
        return (startsAt == null || !t.isBefore(startsAt)) && (endsAt == null || t.isBefore(endsAt));
    }

    /** Whether {@code t} falls before the window opens. */
    public boolean before(Instant t) {
        return startsAt != null && t.isBefore(startsAt);
    }

    /** Whether the window has closed at {@code t}. */
    public boolean over(Instant t) {
        return endsAt != null && !t.isBefore(endsAt);
    }

    /** The start as a wire timestamp, or null when unbounded (so a builder leaves the field unset). */
    public Timestamp startsAtProto() {
        return startsAt == null ? null : Timestamps.of(startsAt);
    }

    public Timestamp endsAtProto() {
        return endsAt == null ? null : Timestamps.of(endsAt);
    }

    /** Why {@code t} is outside, for a refusal: "... is before the order's window [s, e) opens". */
    public String describeOutside(Instant t) {
        return t + (before(t) ? " is before the order's window " : " is after the order's window ") + this + (before(t) ? " opens" : " closed");
    }

    /** "[startsAt, endsAt)" with "-inf"/"+inf" for a missing bound. */
    @Override
    public String toString() {
        return "[" + (startsAt == null ? "-inf" : startsAt) + ", " + (endsAt == null ? "+inf" : endsAt) + ")";
    }
}
