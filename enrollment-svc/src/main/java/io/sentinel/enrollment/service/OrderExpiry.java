package io.sentinel.enrollment.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.sentinel.common.outbox.Outbox;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Ends every active order whose legal window has closed (ends_at passed), through the same path as
 * EndOrder ({@link CaseService#end}): state ENDED with ended_at = ends_at, the peers told, the device
 * released, an audit record. Orders are claimed a few at a time with FOR UPDATE SKIP LOCKED, each
 * batch in its own short transaction, so two replicas running the job at once share the work and
 * never end an order twice, and a caseworker's EndOrder on the same order waits for, then sees, the end.
 */
@ApplicationScoped
public class OrderExpiry {
    private static final Logger LOG = Logger.getLogger(OrderExpiry.class);
    /** Orders per transaction: each ends with a few outbox rows and an audit record, so locks stay short. */
    static final int BATCH = 20;

    private final CaseService cases;
    private final Outbox outbox;

    public OrderExpiry(CaseService cases, Outbox outbox) {
        this.cases = cases;
        this.outbox = outbox;
    }

    @Scheduled(every = "${sentinel.orders.expiry-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return expireDue().invoke(n -> {
            if (n > 0) {
                LOG.infof("ended %d orders whose window had closed", n);
            }
        }).onFailure().invoke(t -> LOG.warnf("ending expired orders failed: %s", t.getMessage())).replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    /** Ends every due order, batch after batch; returns how many this run ended. */
    public Uni<Integer> expireDue() {
        return expireBatch().flatMap(b -> b.claimed() < BATCH ? Uni.createFrom().item(b.ended())
                : expireDue().map(more -> b.ended() + more));
    }

    private record Batch(int claimed, int ended) {
    }

    /** One transaction: claims up to {@link #BATCH} due orders another runner does not hold, and ends them. */
    private Uni<Batch> expireBatch() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                select cast(order_id as text) from monitoring_order
                where state = 'ORDER_STATE_ACTIVE' and ends_at <= cast(cast(?1 as text) as timestamptz)
                order by ends_at limit ?2 for update skip locked""", String.class).setParameter(1, now.toString()).setParameter(2, BATCH)
                .getResultList())
                .flatMap(ids -> Multi.createFrom().iterable(ids).onItem()
                        .transformToUniAndConcatenate(id -> cases.expire(UUID.fromString(id), now))
                        .collect().asList()
                        .map(done -> new Batch(ids.size(), (int) done.stream().filter(Boolean::booleanValue).count()))))
                .invoke(b -> {
                    if (b.ended() > 0) {
                        outbox.wake();
                    }
                });
    }
}
