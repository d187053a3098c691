package io.sentinel.common.outbox;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The transactional outbox of a service that sends to peers (enabled by the build property
 * {@code sentinel.outbox.enabled=true}; the table comes from the Flyway location {@code db/outbox}).
 * A change writes its message with {@link OutboxEngine#enqueue} in its own transaction, then calls
 * {@link #wake} after commit; the {@link OutboxHandler} beans deliver each kind. See
 * {@link OutboxEngine} for the guarantees with several replicas.
 */
@ApplicationScoped
@IfBuildProperty(name = "sentinel.outbox.enabled", stringValue = "true")
public class Outbox {
    private static final Logger LOG = Logger.getLogger(Outbox.class);

    private final OutboxEngine engine;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public Outbox(Pool pool, Instance<OutboxHandler<?>> handlers,
            @ConfigProperty(name = "sentinel.outbox.lease") Duration lease,
            @ConfigProperty(name = "sentinel.outbox.deadline") Duration deadline,
            @ConfigProperty(name = "sentinel.outbox.base-backoff") Duration baseBackoff,
            @ConfigProperty(name = "sentinel.outbox.max-backoff") Duration maxBackoff,
            @ConfigProperty(name = "sentinel.outbox.max-attempts") int maxAttempts,
            @ConfigProperty(name = "sentinel.outbox.batch") int batch,
            @ConfigProperty(name = "sentinel.outbox.keep-delivered") Duration keepDelivered) {
        Map<String, OutboxHandler<?>> byKind = new HashMap<>();
        for (OutboxHandler<?> h : handlers) {
            if (byKind.put(h.kind(), h) != null) {
                throw new IllegalStateException("two outbox handlers for message kind " + h.kind());
            }
        }
        String host = System.getenv().getOrDefault("HOSTNAME", "local");
        this.engine = new OutboxEngine(pool, host + "/" + UUID.randomUUID().toString().substring(0, 8),
                new OutboxSettings(lease, deadline, baseBackoff, maxBackoff, maxAttempts, batch, keepDelivered), byKind);
    }

    public OutboxEngine engine() {
        return engine;
    }

    /** Something was committed to the outbox: deliver now rather than at the next poll. */
    public void wake() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            again.set(false);
            engine.deliverDue().subscribe().with(claimed -> finish(claimed > 0), t -> {
                LOG.warnf("outbox round failed: %s", t.getMessage());
                finish(false);
            });
        }
    }

    private void finish(boolean more) {
        running.set(false);
        // A full or productive round may have unblocked later rows of the same sequences.
        if (more || again.get()) {
            wake();
        }
    }

    /** See {@link OutboxEngine#deliverNow}. */
    public Uni<Boolean> deliverNow(long id, Duration max) {
        return engine.deliverNow(id, max);
    }

    @Scheduled(every = "${sentinel.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        wake();
    }

    @Scheduled(every = "${sentinel.outbox.prune-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        return engine.prune().invoke(n -> {
            if (n > 0) {
                LOG.debugf("outbox: pruned %d delivered messages", n);
            }
        }).replaceWithVoid();
    }
}
