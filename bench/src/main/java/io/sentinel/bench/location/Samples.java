package io.sentinel.bench.location;

import java.util.Arrays;

/** Latency samples in nanoseconds, every one kept (a run holds a few hundred thousand), for exact percentiles. */
final class Samples {
    private long[] values = new long[1 << 16];
    private int size;

    synchronized void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    synchronized int size() {
        return size;
    }

    /** The samples, sorted. */
    synchronized long[] sorted() {
        long[] out = Arrays.copyOf(values, size);
        Arrays.sort(out);
        return out;
    }

    /** The q-quantile in milliseconds of sorted samples (nearest rank), NaN when empty. */
    static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    /** "over N: p50 …, p99 …, p99.9 …, max … ms". */
    static String describe(long[] sorted) {
        if (sorted.length == 0) {
            return "no samples";
        }
        return String.format("over %d: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms", sorted.length, pct(sorted, 0.50),
                pct(sorted, 0.99), pct(sorted, 0.999), sorted[sorted.length - 1] / 1e6);
    }

    /** "prefix_p50=… prefix_p99=… prefix_max=…" for a RESULT line. */
    static String keyValues(String prefix, long[] sorted) {
        return String.format("%s_n=%d %s_p50=%.1f %s_p99=%.1f %s_max=%.1f", prefix, sorted.length, prefix, pct(sorted, 0.50), prefix,
                pct(sorted, 0.99), prefix, sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6);
    }
}
