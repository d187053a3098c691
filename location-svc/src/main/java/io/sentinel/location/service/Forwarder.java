package io.sentinel.location.service;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.sentinel.location.client.RulesClient;
import io.sentinel.location.repository.FixRepository;
import io.sentinel.location.repository.FixRepository.StoredFix;
import io.smallrye.mutiny.Uni;

/**
 * Forwards every stored fix to rules-svc, in commit order, at least once. The cursor of what
 * rules-svc acknowledged is durable, so after either side restarts forwarding resumes from it
 * and no fix is lost; rules-svc skips what it already evaluated.
 */
@ApplicationScoped
public class Forwarder {
    private static final Logger LOG = Logger.getLogger(Forwarder.class);
    static final String TARGET = "rules-svc";

    private final FixRepository fixes;
    private final RulesClient rules;
    private final int batchSize;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long lastFailureLogged;
    private final io.sentinel.location.domain.LatencyHistogram latency = new io.sentinel.location.domain.LatencyHistogram();

    public Forwarder(FixRepository fixes, RulesClient rules, @ConfigProperty(name = "sentinel.forwarding.batch-size") int batchSize) {
        this.fixes = fixes;
        this.rules = rules;
        this.batchSize = batchSize;
    }

    /** Receive-to-forward latencies since start or the last reset. */
    public io.sentinel.location.domain.LatencyHistogram latency() {
        return latency;
    }

    /** New fixes were committed: forward them now rather than at the next poll. */
    public void wake() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            drain();
        }
    }

    @Scheduled(every = "${sentinel.forwarding.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        wake();
    }

    private void drain() {
        again.set(false);
        fixes.cursor(TARGET)
                .flatMap(cursor -> fixes.after(cursor, batchSize))
                .flatMap(this::send)
                .subscribe().with(sent -> {
                    running.set(false);
                    if (sent >= batchSize || again.get()) {
                        wake();
                    }
                }, failure -> {
                    running.set(false);
                    long now = System.nanoTime();
                    if (now - lastFailureLogged > Duration.ofSeconds(30).toNanos()) {
                        lastFailureLogged = now;
                        LOG.warnf("forwarding to rules-svc failed, will retry: %s", failure.getMessage());
                    }
                });
    }

    private Uni<Integer> send(List<StoredFix> batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return rules.evaluate(batch).flatMap(lastFixId -> fixes.saveCursor(TARGET, lastFixId)).invoke(() -> {
            // Receive-to-forward: from the moment a fix arrived to rules-svc's acknowledgement of it.
            long now = java.time.Instant.now().toEpochMilli() * 1_000_000L;
            for (StoredFix f : batch) {
                latency.record(now - f.receivedAt().toEpochMilli() * 1_000_000L);
            }
        }).replaceWith(batch.size());
    }
}
