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

    /**
     * When the simulated devices of this stream produce fix number {@code index} (0-based): the
     * devices keep their schedule whether or not the client keeps up, so a fix's clock starts here,
     * before it waits for its batch, for its turn or for a window slot. At an unlimited rate a fix is
     * produced when it is built: {@code nowNanos}.
     */
    long producedAt(long index, long nowNanos) {
        if (ratePerStream <= 0) {
            return nowNanos;
        }
        return startNanos + (long) ((index + 1) / ratePerStream * 1e9);
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
