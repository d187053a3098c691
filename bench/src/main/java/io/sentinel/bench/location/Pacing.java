package io.sentinel.bench.location;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * When one of several gateway streams sends its next batch at a fixed rate. Real gateways are not
 * synchronised, so by default ({@code --arrival staggered}) stream s of n starts s/n of a batch
 * interval after stream 0 and the batches of all streams arrive evenly spread.
 * {@code --arrival aligned} starts every stream at once, so all their batches arrive together: a
 * burst of streams × batch fixes every interval, the harshest shape for the same rate.
 */
final class Pacing {
    private final double ratePerStream;
    private final int batch;
    private final long startNanos;

    private Pacing(double ratePerStream, int batch, long startNanos) {
        this.ratePerStream = ratePerStream;
        this.batch = batch;
        this.startNanos = startNanos;
    }

    /** The {@code --arrival} option: staggered (default) or aligned. */
    static boolean aligned(Map<String, String> options) {
        String arrival = options.getOrDefault("arrival", "staggered");
        if (!arrival.equals("staggered") && !arrival.equals("aligned")) {
            throw new IllegalArgumentException("--arrival is staggered or aligned, got " + arrival);
        }
        return arrival.equals("aligned");
    }

    /** Pacing of stream {@code stream} of {@code streams}; a rate of 0 or less means as fast as possible. */
    static Pacing of(int stream, int streams, int batch, double ratePerStream, boolean aligned) {
        long interval = ratePerStream > 0 ? (long) (batch / ratePerStream * 1e9) : 0;
        long offset = aligned ? 0 : interval * stream / streams;
        return new Pacing(ratePerStream, batch, System.nanoTime() + offset);
    }

    /** Waits until the batch after the first {@code sent} fixes is due. */
    void awaitTurn(long sent) throws InterruptedException {
        if (ratePerStream <= 0) {
            return;
        }
        long wait = startNanos + (long) ((sent + batch) / ratePerStream * 1e9) - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
