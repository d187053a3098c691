package io.sentinel.common.security;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import io.sentinel.common.error.SentinelException;
import io.smallrye.mutiny.Multi;

/**
 * Long-lived streams end when the token they were opened with does: a stream still open at the
 * token's expiry fails with UNAUTHENTICATED, and the client reopens it with a fresh token (which
 * is checked again, with the grants in force then).
 */
public final class TokenBoundStreams {
    private TokenBoundStreams() {
    }

    public static <T> Multi<T> untilExpiry(Caller caller, Multi<T> stream) {
        Instant expiresAt = caller.tokenExpiresAt();
        if (expiresAt == null) {
            return stream;
        }
        Duration left = Duration.between(Instant.now(), expiresAt);
        if (left.isNegative() || left.isZero()) {
            return Multi.createFrom().failure(SentinelException.unauthenticated("the token has expired"));
        }
        AtomicBoolean ended = new AtomicBoolean();
        return stream.onCompletion().invoke(() -> ended.set(true))
                .select().first(left)
                .onCompletion().switchTo(() -> ended.get() ? Multi.createFrom().empty()
                        : Multi.createFrom().failure(SentinelException.unauthenticated("the token this stream was opened with expired at "
                                + expiresAt + "; reopen the stream with a fresh token")));
    }
}
