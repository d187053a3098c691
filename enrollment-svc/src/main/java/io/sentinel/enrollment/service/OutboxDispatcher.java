package io.sentinel.enrollment.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.grpc.Status;
import io.quarkus.scheduler.Scheduled;
import io.sentinel.common.grpc.GrpcErrorMapping;
import io.sentinel.enrollment.client.PeerClients;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Delivers outbox messages to peers until each acknowledges. Per target, messages go in the
 * order they were written; a failure backs that target off exponentially and holds its later
 * messages, so a peer that was down receives everything, in order, when it returns. A message
 * the peer rejects as invalid is parked with the error rather than retried forever.
 */
@ApplicationScoped
public class OutboxDispatcher {
    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);

    public static final String RULES = "rules-svc";
    public static final String LOCATION = "location-svc";
    public static final String BIOMETRIC = "biometric-svc";
    public static final String PUT_CONDITIONS = "PutSubjectConditions";
    public static final String PUT_SCHEDULE = "PutCheckInSchedule";
    public static final String PUT_ASSIGNMENT = "PutDeviceAssignment";
    public static final String PUT_GRANTS = "PutSharingGrants";
    public static final String REVIEW_OVERDUE = "RecordReviewOverdue";
    public static final String PURGE_SUBJECT = "PurgeSubject";

    private final Pool pool;
    private final PeerClients peers;
    private final ConditionsStatusTracker conditionsStatus;
    private final Duration maxBackoff;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public OutboxDispatcher(Pool pool, PeerClients peers, ConditionsStatusTracker conditionsStatus,
            @ConfigProperty(name = "sentinel.outbox.max-backoff") Duration maxBackoff) {
        this.pool = pool;
        this.peers = peers;
        this.conditionsStatus = conditionsStatus;
        this.maxBackoff = maxBackoff;
    }

    record Message(long id, String target, String kind, byte[] payload, int attempts, UUID purgeId) {
    }

    /** Something was committed to the outbox: deliver now rather than at the next poll. */
    public void wake() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            again.set(false);
            deliverDue().subscribe().with(n -> finish(), t -> {
                LOG.warnf("outbox round failed: %s", t.getMessage());
                finish();
            });
        }
    }

    private void finish() {
        running.set(false);
        if (again.get()) {
            wake();
        }
    }

    @Scheduled(every = "${sentinel.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        wake();
    }

    /** One round: every due message, per target in order. Returns how many were delivered. */
    Uni<Integer> deliverDue() {
        return pool.query("""
                select id, target, kind, payload, attempts, purge_id from outbox
                where delivered_at is null and next_attempt_at <= now() order by id limit 500""").execute().flatMap(rows -> {
            Map<String, List<Message>> byTarget = new LinkedHashMap<>();
            for (Row r : rows) {
                byTarget.computeIfAbsent(r.getString("target"), t -> new ArrayList<>()).add(new Message(r.getLong("id"),
                        r.getString("target"), r.getString("kind"), r.getBuffer("payload").getBytes(), r.getInteger("attempts"),
                        r.getUUID("purge_id")));
            }
            List<Uni<Integer>> perTarget = new ArrayList<>();
            byTarget.values().forEach(list -> perTarget.add(deliverInOrder(list, 0, 0)));
            return perTarget.isEmpty() ? Uni.createFrom().item(0)
                    : Uni.join().all(perTarget).andCollectFailures().map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
        });
    }

    private Uni<Integer> deliverInOrder(List<Message> list, int index, int delivered) {
        if (index >= list.size()) {
            return Uni.createFrom().item(delivered);
        }
        Message m = list.get(index);
        return peers.deliver(m.target(), m.kind(), m.payload())
                .flatMap(counts -> delivered(m, counts))
                .flatMap(x -> deliverInOrder(list, index + 1, delivered + 1))
                .onFailure().recoverWithUni(t -> failed(m, t).replaceWith(delivered));
    }

    /** Marks a message delivered; a purge's confirmation also records the peer's counts for the purge report. */
    private Uni<Void> delivered(Message m, Map<String, Long> counts) {
        return pool.withTransaction(c -> {
            Uni<?> mark = c.preparedQuery("update outbox set delivered_at = now(), attempts = attempts + 1, last_error = null where id = $1")
                    .execute(Tuple.of(m.id()))
                    // Hook: an order's conditions status follows rules-svc's answer (see ConditionsStatusTracker).
                    .call(x -> conditionsStatus.delivered(c, m.target(), m.kind(), m.payload()));
            if (m.purgeId() == null || counts.isEmpty()) {
                return mark.replaceWithVoid();
            }
            List<Tuple> rows = new ArrayList<>();
            counts.forEach((category, n) -> rows.add(Tuple.of(m.purgeId(), m.target(), category, n)));
            return mark.flatMap(x -> c.preparedQuery("""
                    insert into purge_count (purge_id, source, category, count) values ($1, $2, $3, $4)
                    on conflict (purge_id, source, category) do update set count = purge_count.count + excluded.count""")
                    .executeBatch(rows)).replaceWithVoid();
        });
    }

    private Uni<Void> failed(Message m, Throwable t) {
        Status status = Status.fromThrowable(t);
        // A peer's refusal because the subject was purged (its tombstone) is as final as an invalid message.
        boolean permanent = status.getCode() == Status.Code.INVALID_ARGUMENT || status.getCode() == Status.Code.PERMISSION_DENIED
                || GrpcErrorMapping.subjectPurged(t);
        String error = status.getCode() + ": " + (status.getDescription() == null ? t.getMessage() : status.getDescription());
        if (permanent) {
            // The description may quote the message (a zone's coordinates): it is kept in the row, not logged.
            LOG.errorf("outbox message %d to %s (%s) rejected permanently: %s; the reason is in outbox.last_error", m.id(), m.target(),
                    m.kind(), status.getCode());
            return pool.withTransaction(c -> c.preparedQuery(
                    "update outbox set attempts = attempts + 1, last_error = $2, next_attempt_at = 'infinity' where id = $1")
                    .execute(Tuple.of(m.id(), error))
                    // Hook: a refused PutSubjectConditions shows on its order as not applied, with the reason.
                    .call(x -> conditionsStatus.parked(c, m.target(), m.kind(), m.payload(), error))).replaceWithVoid();
        }
        long backoffMs = Math.min(maxBackoff.toMillis(), 500L << Math.min(m.attempts(), 16));
        LOG.debugf("outbox message %d to %s failed (%s), retry in %d ms", m.id(), m.target(), error, backoffMs);
        return pool.preparedQuery("""
                update outbox set attempts = attempts + 1, last_error = $2,
                       next_attempt_at = now() + ($3 || ' milliseconds')::interval where id = $1""")
                .execute(Tuple.of(m.id(), error, Long.toString(backoffMs))).replaceWithVoid();
    }
}
