package io.sentinel.location.service;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.EvaluateFixesResponse;
import io.sentinel.location.client.RulesClient;
import io.sentinel.common.util.LatencyHistogram;
import io.sentinel.location.repository.FixRepository;
import io.sentinel.location.repository.FixRepository.StoredFix;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Forwards every stored fix to rules-svc, in commit order, at least once, over one long-lived
 * {@code StreamFixes} stream. Up to {@code window} batches are in flight; rules-svc answers each in
 * order once it has durably recorded it, and a full window stops reading until an answer arrives
 * (flow control). Reading the next batch overlaps rules-svc's work on the previous ones.
 *
 * <p>The highest answered fix id is saved as the durable cursor (coalesced, off the critical
 * path). When the stream fails, times out or rules-svc restarts, the stream is reopened from the
 * last answered fix id; unanswered batches are sent again and rules-svc skips what it already
 * evaluated, so no fix is lost. After a restart of location-svc forwarding resumes from the saved
 * cursor.
 */
@ApplicationScoped
public class Forwarder {
    private static final Logger LOG = Logger.getLogger(Forwarder.class);
    static final String TARGET = "rules-svc";
    private static final long RETRY_AFTER_NANOS = Duration.ofSeconds(1).toNanos();

    private final FixRepository fixes;
    private final RulesClient rules;
    private final int batchSize;
    private final int window;
    private final long deadlineNanos;
    private final LatencyHistogram latency = new LatencyHistogram();

    /** One reader at a time; {@code again} records a wake-up that arrived while it ran. */
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    /** Highest fix id rules-svc answered; -1 until read from the durable cursor. */
    private final AtomicLong answered = new AtomicLong(-1);
    private final AtomicLong toSave = new AtomicLong();
    private final AtomicBoolean saving = new AtomicBoolean();

    private Stream stream; // guarded by this
    private long lastFailure; // guarded by this
    private volatile long lastFailureLogged;

    /** A batch sent and not yet answered. */
    private record InFlight(long lastFixId, long[] receivedAtMillis, long sentAtNanos) {
    }

    /** One open StreamFixes call. */
    private static final class Stream {
        final UnicastProcessor<EvaluateFixesRequest> out = UnicastProcessor.create();
        final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
        long sentUpTo;
        volatile Cancellable call;
        boolean closed;

        Stream(long from) {
            this.sentUpTo = from;
        }
    }

    public Forwarder(FixRepository fixes, RulesClient rules, @ConfigProperty(name = "sentinel.forwarding.batch-size") int batchSize,
            @ConfigProperty(name = "sentinel.forwarding.window") int window,
            @ConfigProperty(name = "sentinel.forwarding.deadline") Duration deadline) {
        this.fixes = fixes;
        this.rules = rules;
        this.batchSize = batchSize;
        this.window = window;
        this.deadlineNanos = deadline.toNanos();
    }

    /** Receive-to-forward latencies since start or the last reset. */
    public LatencyHistogram latency() {
        return latency;
    }

    /** New fixes were committed: forward them now rather than at the next poll. */
    public void wake() {
        again.set(true);
        if (reading.compareAndSet(false, true)) {
            fill();
        }
    }

    @Scheduled(every = "${sentinel.forwarding.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        Stream stale = null;
        synchronized (this) {
            InFlight oldest = stream == null ? null : stream.inFlight.peek();
            if (oldest != null && System.nanoTime() - oldest.sentAtNanos() > deadlineNanos) {
                stale = stream;
            }
        }
        if (stale != null) {
            Cancellable call = stale.call;
            if (call != null) {
                call.cancel();
            }
            failed(stale, new TimeoutException("rules-svc answered no batch within the deadline"));
        }
        wake();
    }

    @PreDestroy
    synchronized void close() {
        if (stream != null) {
            stream.closed = true;
            stream.out.onComplete();
        }
    }

    /** Sends batches while the window has room and there is something to send. */
    private void fill() {
        again.set(false);
        open().flatMap(s -> s == null ? Uni.createFrom().item(false) : sendNext(s))
                .subscribe().with(more -> {
                    reading.set(false);
                    if (more || again.get()) {
                        wake();
                    }
                }, failure -> {
                    reading.set(false);
                    logFailure(failure);
                });
    }

    /** The open stream, opening one from the last answered fix id when there is none; null while backing off. */
    private Uni<Stream> open() {
        synchronized (this) {
            if (stream != null) {
                return Uni.createFrom().item(stream);
            }
            if (lastFailure != 0 && System.nanoTime() - lastFailure < RETRY_AFTER_NANOS) {
                return Uni.createFrom().nullItem();
            }
        }
        Uni<Long> from = answered.get() >= 0 ? Uni.createFrom().item(answered.get())
                : fixes.cursor(TARGET).invoke(c -> answered.accumulateAndGet(c, Math::max)).map(c -> answered.get());
        return from.map(start -> {
            Stream s = new Stream(start);
            synchronized (this) {
                if (stream != null) {
                    return stream;
                }
                stream = s;
            }
            s.call = rules.stream(s.out).subscribe().with(ack -> answered(s, ack), failure -> failed(s, failure),
                    () -> failed(s, new IllegalStateException("rules-svc ended the forwarding stream")));
            return s;
        });
    }

    /** Reads and sends the next batch; true when it was full and the window has room for more. */
    private Uni<Boolean> sendNext(Stream s) {
        long from;
        synchronized (this) {
            if (s.closed || s.inFlight.size() >= window) {
                return Uni.createFrom().item(false);
            }
            from = s.sentUpTo;
        }
        return fixes.after(from, batchSize).map(batch -> {
            if (batch.isEmpty()) {
                return false;
            }
            long[] received = new long[batch.size()];
            for (int i = 0; i < received.length; i++) {
                received[i] = batch.get(i).receivedAt().toEpochMilli();
            }
            long last = batch.get(batch.size() - 1).fixId();
            synchronized (this) {
                if (s.closed) {
                    return false;
                }
                s.inFlight.add(new InFlight(last, received, System.nanoTime()));
                s.sentUpTo = last;
            }
            s.out.onNext(RulesClient.request(batch));
            return batch.size() >= batchSize;
        });
    }

    private void answered(Stream s, EvaluateFixesResponse ack) {
        InFlight done;
        synchronized (this) {
            if (s.closed) {
                return;
            }
            done = s.inFlight.poll();
        }
        answered.accumulateAndGet(ack.getLastFixId(), Math::max);
        if (done != null) {
            // Receive-to-forward: from the moment a fix arrived to rules-svc's answer that it is recorded.
            long now = System.currentTimeMillis();
            for (long r : done.receivedAtMillis()) {
                latency.record((now - r) * 1_000_000L);
            }
        }
        save(ack.getLastFixId());
        wake();
    }

    private void failed(Stream s, Throwable failure) {
        synchronized (this) {
            if (s.closed) {
                return;
            }
            s.closed = true;
            if (stream == s) {
                stream = null;
            }
            lastFailure = System.nanoTime();
        }
        s.out.onComplete();
        logFailure(failure);
    }

    /** Saves the durable cursor; saves that pile up while one runs collapse into one. */
    private void save(long lastFixId) {
        toSave.accumulateAndGet(lastFixId, Math::max);
        if (!saving.compareAndSet(false, true)) {
            return;
        }
        long id = toSave.get();
        fixes.saveCursor(TARGET, id).subscribe().with(x -> {
            saving.set(false);
            if (toSave.get() > id) {
                save(id);
            }
        }, failure -> {
            saving.set(false);
            logFailure(failure);
        });
    }

    private void logFailure(Throwable failure) {
        long now = System.nanoTime();
        if (now - lastFailureLogged > Duration.ofSeconds(30).toNanos()) {
            lastFailureLogged = now;
            LOG.warnf("forwarding to rules-svc failed, will resume from fix %d: %s", answered.get(), failure.getMessage());
        }
    }
}
