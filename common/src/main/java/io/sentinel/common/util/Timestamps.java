package io.sentinel.common.util;

import java.time.Instant;

import com.google.protobuf.Timestamp;

import io.sentinel.common.error.SentinelException;

/** Conversions between protobuf timestamps and instants, with field-named validation. */
public final class Timestamps {
    private Timestamps() {
    }

    public static Timestamp of(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    /** Null when the timestamp is unset (all zero), which proto3 cannot tell from the epoch. */
    public static Instant optional(String field, Timestamp t) {
        if (t == null || (t.getSeconds() == 0 && t.getNanos() == 0)) {
            return null;
        }
        return required(field, t);
    }

    public static Instant required(String field, Timestamp t) {
        if (t == null || (t.getSeconds() == 0 && t.getNanos() == 0)) {
            throw SentinelException.invalid(field, "is required");
        }
        if (t.getNanos() < 0 || t.getNanos() > 999_999_999) {
            throw SentinelException.invalid(field, "nanos must be within [0, 999999999]");
        }
        // 0001-01-01 .. 9999-12-31, the range protobuf defines.
        if (t.getSeconds() < -62135596800L || t.getSeconds() > 253402300799L) {
            throw SentinelException.invalid(field, "is outside the range of valid timestamps");
        }
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
