package io.sentinel.common.util;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free latency histogram with 0.1 ms buckets up to 10 s (one overflow bucket above), for
 * percentiles of a latency without keeping every sample (location-svc's receive-to-forward,
 * rules-svc's evaluation latencies). Counts only: nothing about the fixes it timed.
 */
public final class LatencyHistogram {
    static final int BUCKETS = 100_000;
    private static final long NANOS_PER_BUCKET = 100_000;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

    public void record(long nanos) {
        long b = Math.max(0, nanos) / NANOS_PER_BUCKET;
        counts.incrementAndGet((int) Math.min(b, BUCKETS));
    }

    public void reset() {
        for (int i = 0; i <= BUCKETS; i++) {
            counts.set(i, 0);
        }
    }

    public long count() {
        long n = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** Upper edge in milliseconds of the bucket holding the given quantile (0 < q <= 1); NaN when empty. */
    public double percentileMillis(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be within (0, 1]");
        }
        long total = count();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return (i + 1) * (NANOS_PER_BUCKET / 1e6);
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
