package io.sentinel.common.outbox;

import java.time.Duration;

/**
 * How the outbox delivers. {@code lease}: how long a claim keeps other replicas off a row (longer
 * than {@code sendDeadline}); retries back off from {@code baseBackoff} doubling to
 * {@code maxBackoff}; a row is parked after {@code maxAttempts} failed attempts; up to {@code batch}
 * rows are claimed per round; delivered rows are pruned after {@code keepDelivered}.
 */
public record OutboxSettings(Duration lease, Duration sendDeadline, Duration baseBackoff, Duration maxBackoff, int maxAttempts,
        int batch, Duration keepDelivered) {
    public OutboxSettings {
        if (lease.compareTo(sendDeadline) <= 0) {
            throw new IllegalArgumentException("sentinel.outbox.lease (" + lease + ") must be longer than the send deadline ("
                    + sendDeadline + ")");
        }
        if (maxAttempts < 1 || batch < 1) {
            throw new IllegalArgumentException("sentinel.outbox.max-attempts and batch must be at least 1");
        }
    }

    /** The backoff before the attempt after {@code attempts} failed ones. */
    public Duration backoff(int attempts) {
        long ms = Math.min(maxBackoff.toMillis(), baseBackoff.toMillis() << Math.min(Math.max(attempts - 1, 0), 20));
        return Duration.ofMillis(ms);
    }
}
