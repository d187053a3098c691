package io.sentinel.common.outbox;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The delivery engine behind {@link Outbox}, free of CDI so it can be tested on a bare pool. Every
 * replica runs one; they share the table and never deliver a row at the same time:
 * <ul>
 * <li>a round claims due rows with {@code FOR UPDATE SKIP LOCKED} and stamps a lease
 * ({@code claimed_by}, {@code lease_until}); a row under a live lease is nobody else's, and a row whose
 * lease ran out (its replica died mid-delivery) is claimed again by the next round anywhere;</li>
 * <li>only the head of each sequence (target + ordering key) is claimable: a row with an earlier PENDING
 * row of its sequence waits, also while that head backs off after a failure. PARKED rows hold nothing;</li>
 * <li>the outcome is written only while the lease is still this replica's, in one transaction with the
 * handler's {@code delivered}/{@code parked} hook.</li>
 * </ul>
 * Delivery is at least once (a replica that dies after the peer answered but before it recorded the
 * answer leaves the row to be sent again), so every receiver is idempotent.
 */
public class OutboxEngine {
    private static final Logger LOG = Logger.getLogger(OutboxEngine.class);
    private static final int PARALLEL = 8;
    private static final int PRUNE_BATCH = 1000;

    private static final String COLUMNS = "m.id, m.target, m.kind, m.ordering_key, m.subject_id, m.correlation_id, m.payload, m.attempts";
    /** Heads of their sequence, not leased by a live claim. */
    private static final String CLAIMABLE = """
            o.state = 'PENDING' and (o.lease_until is null or o.lease_until < now())
              and not exists (select 1 from outbox_message e where e.target = o.target and e.ordering_key = o.ordering_key
                              and e.state = 'PENDING' and e.id < o.id)""";
    private static final String CLAIM_DUE = "update outbox_message m set claimed_by = $1, lease_until = now() + $2 * interval '1 millisecond'"
            + " where m.id in (select o.id from outbox_message o where o.next_attempt_at <= now() and " + CLAIMABLE
            + " order by o.id limit $3 for update skip locked) returning " + COLUMNS;
    private static final String CLAIM_ONE = "update outbox_message m set claimed_by = $1, lease_until = now() + $2 * interval '1 millisecond'"
            + " where m.id in (select o.id from outbox_message o where o.id = $3 and " + CLAIMABLE
            + " for update skip locked) returning " + COLUMNS;

    /** Where a message stands. */
    public enum State {
        PENDING, DELIVERED, PARKED
    }

    /** A row as operators see it: no payload, no ordering key, no subject (those are personal data). */
    public record Entry(long id, String target, String kind, State state, int attempts, OffsetDateTime createdAt,
            OffsetDateTime nextAttemptAt, OffsetDateTime parkedAt, String lastError) {
    }

    /** Counts for readiness details. {@code oldestPendingSeconds} is 0 when nothing is pending. */
    public record Stats(long pending, long parked, long oldestPendingSeconds) {
    }

    private final Pool pool;
    private final String instance;
    private final OutboxSettings settings;
    private final Map<String, OutboxHandler<?>> handlers;

    public OutboxEngine(Pool pool, String instance, OutboxSettings settings, Map<String, OutboxHandler<?>> handlers) {
        this.pool = pool;
        this.instance = instance;
        this.settings = settings;
        this.handlers = Map.copyOf(handlers);
    }

    /** This replica's name in {@code claimed_by}. */
    public String instance() {
        return instance;
    }

    // ---- writing

    /** The insert for callers that write through their own SQL client or session: parameters in {@link #enqueue} order. */
    public static final String INSERT = """
            insert into outbox_message (target, kind, ordering_key, subject_id, correlation_id, payload) values ($1, $2, $3, $4, $5, $6)
            returning id""";

    /** Writes a message in the caller's transaction; answers its id (for {@link #deliverNow}). */
    public static Uni<Long> enqueue(SqlClient tx, String target, String kind, String orderingKey, UUID subjectId, UUID correlationId,
            byte[] payload) {
        return tx.preparedQuery(INSERT).execute(Tuple.from(new Object[] { target, kind, orderingKey, subjectId, correlationId,
                // Tuple.from passes values as they are: the driver takes a core Buffer, not the Mutiny wrapper.
                io.vertx.core.buffer.Buffer.buffer(payload) })).map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * Deletes, in the caller's transaction, every message about a purged subject except those of
     * {@code keepKinds} (the purge requests themselves, which must still go out). Answers how many.
     */
    public static Uni<Integer> forgetSubject(SqlClient tx, UUID subjectId, List<String> keepKinds) {
        return tx.preparedQuery("delete from outbox_message where subject_id = $1 and not (kind = any($2))")
                .execute(Tuple.of(subjectId, keepKinds.toArray(String[]::new))).map(RowSet::rowCount);
    }

    // ---- delivering

    /** One round: claims up to a batch of due heads and delivers them (in parallel, each sequence in order). Answers how many were claimed. */
    public Uni<Integer> deliverDue() {
        return claimDue().flatMap(claimed -> claimed.isEmpty() ? Uni.createFrom().item(0)
                : Multi.createFrom().iterable(claimed).onItem().transformToUni(this::deliver).merge(PARALLEL)
                        .collect().asList().replaceWith(claimed.size()));
    }

    /** Claims due heads for this replica (package-visible for tests that stop between claim and delivery). */
    Uni<List<OutboxMessage>> claimDue() {
        return pool.preparedQuery(CLAIM_DUE).execute(Tuple.of(instance, settings.lease().toMillis(), settings.batch()))
                .map(OutboxEngine::messages);
    }

    /**
     * Delivers one just-written message now, if it is the head of its sequence and nobody holds it, and
     * waits for its outcome at most {@code max}: true once delivered, false when the peer refused it, the
     * attempt failed, or {@code max} passed. Either way the row stays in the outbox, which goes on
     * delivering it; a timed-out attempt is not cancelled (its lease keeps other replicas off).
     */
    public Uni<Boolean> deliverNow(long id, Duration max) {
        Uni<Boolean> attempt = Uni.createFrom().emitter(em -> pool.preparedQuery(CLAIM_ONE)
                .execute(Tuple.of(instance, settings.lease().toMillis(), id)).map(OutboxEngine::messages)
                .flatMap(claimed -> claimed.isEmpty() ? awaitState(id) : deliver(claimed.get(0)).flatMap(x -> state(id))
                        .map(s -> s == State.DELIVERED))
                .subscribe().with(em::complete, em::fail));
        return attempt.ifNoItem().after(max).recoverWithItem(false);
    }

    /** Someone else holds the row (another replica, or an earlier row of its sequence): watch it until it settles. */
    private Uni<Boolean> awaitState(long id) {
        return state(id).flatMap(s -> s == State.PENDING
                ? Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(50)).flatMap(x -> awaitState(id))
                : Uni.createFrom().item(s == State.DELIVERED));
    }

    /** The state of a row; null when there is none (discarded or pruned). */
    public Uni<State> state(long id) {
        return pool.preparedQuery("select state from outbox_message where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : State.valueOf(rows.iterator().next().getString(0)));
    }

    private Uni<Void> deliver(OutboxMessage m) {
        @SuppressWarnings("unchecked")
        OutboxHandler<Object> handler = (OutboxHandler<Object>) handlers.get(m.kind());
        if (handler == null) {
            return park(m, null, "no handler for message kind " + m.kind() + " in this service");
        }
        Uni<Object> sent;
        try {
            sent = handler.send(m);
        } catch (RuntimeException e) {
            sent = Uni.createFrom().failure(e);
        }
        return sent.ifNoItem().after(settings.sendDeadline())
                .failWith(() -> new StatusRuntimeException(Status.DEADLINE_EXCEEDED.withDescription(
                        m.target() + " did not answer within " + settings.sendDeadline().toMillis() + " ms")))
                .onItemOrFailure().transformToUni((answer, failure) -> failure == null ? delivered(handler, m, answer)
                        : failed(handler, m, failure))
                .onFailure().recoverWithUni(t -> {
                    // Recording the outcome failed (database gone): the lease runs out and the row is sent again.
                    LOG.warnf("outbox message %d to %s: recording the outcome failed: %s", m.id(), m.target(), t.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    private Uni<Void> delivered(OutboxHandler<Object> handler, OutboxMessage m, Object answer) {
        return pool.withTransaction(c -> c.preparedQuery("""
                update outbox_message set state = 'DELIVERED', delivered_at = now(), attempts = attempts + 1, last_error = null,
                       claimed_by = null, lease_until = null
                where id = $1 and claimed_by = $2 and state = 'PENDING'""").execute(Tuple.of(m.id(), instance))
                // Lost the lease meanwhile: whoever holds the row now records its own outcome.
                .flatMap(r -> r.rowCount() == 0 ? Uni.createFrom().voidItem() : handler.delivered(c, m, answer)));
    }

    private Uni<Void> failed(OutboxHandler<Object> handler, OutboxMessage m, Throwable t) {
        Status status = Status.fromThrowable(t);
        String error = status.getCode() + ": " + (status.getDescription() != null ? status.getDescription()
                : t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        if (handler.permanent(t)) {
            return park(m, handler, error);
        }
        if (m.attempts() + 1 >= settings.maxAttempts()) {
            return park(m, handler, "gave up after " + (m.attempts() + 1) + " attempts; last: " + error);
        }
        Duration backoff = settings.backoff(m.attempts() + 1);
        LOG.debugf("outbox message %d (%s to %s) failed with %s; retry in %d ms", m.id(), m.kind(), m.target(), status.getCode(),
                backoff.toMillis());
        return pool.preparedQuery("""
                update outbox_message set attempts = attempts + 1, last_error = $3, claimed_by = null, lease_until = null,
                       next_attempt_at = now() + $4 * interval '1 millisecond'
                where id = $1 and claimed_by = $2 and state = 'PENDING'""")
                .execute(Tuple.of(m.id(), instance, error, backoff.toMillis())).replaceWithVoid();
    }

    private Uni<Void> park(OutboxMessage m, OutboxHandler<Object> handler, String reason) {
        // The reason may quote the message (a zone's coordinates): it is kept in the row, not logged.
        LOG.errorf("outbox message %d (%s to %s) parked after %d attempts; its reason is in outbox_message.last_error", m.id(), m.kind(),
                m.target(), m.attempts() + 1);
        return pool.withTransaction(c -> c.preparedQuery("""
                update outbox_message set state = 'PARKED', parked_at = now(), attempts = attempts + 1, last_error = $3,
                       claimed_by = null, lease_until = null
                where id = $1 and claimed_by = $2 and state = 'PENDING'""").execute(Tuple.of(m.id(), instance, reason))
                .flatMap(r -> r.rowCount() == 0 || handler == null ? Uni.createFrom().voidItem() : handler.parked(c, m, reason)));
    }

    // ---- housekeeping and operations

    /** Deletes delivered rows older than the configured period, in batches. Answers how many. */
    public Uni<Integer> prune() {
        return pruneBatch(0);
    }

    private Uni<Integer> pruneBatch(int sofar) {
        return pool.preparedQuery("""
                delete from outbox_message where id in (select id from outbox_message
                    where state = 'DELIVERED' and delivered_at < now() - $1 * interval '1 millisecond' limit $2)""")
                .execute(Tuple.of(settings.keepDelivered().toMillis(), PRUNE_BATCH))
                .flatMap(r -> r.rowCount() < PRUNE_BATCH ? Uni.createFrom().item(sofar + r.rowCount()) : pruneBatch(sofar + r.rowCount()));
    }

    /** Rows not yet delivered (state PENDING or PARKED, or both when null), oldest first, after id {@code afterId}. */
    public Uni<List<Entry>> list(State state, long afterId, int limit) {
        String where = state == null ? "state <> 'DELIVERED'" : "state = '" + state.name() + "'";
        return pool.preparedQuery("select id, target, kind, state, attempts, created_at, next_attempt_at, parked_at, last_error"
                + " from outbox_message where " + where + " and id > $1 order by id limit $2").execute(Tuple.of(afterId, limit))
                .map(rows -> {
                    List<Entry> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new Entry(r.getLong("id"), r.getString("target"), r.getString("kind"), State.valueOf(r.getString("state")),
                                r.getInteger("attempts"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("next_attempt_at"),
                                r.getOffsetDateTime("parked_at"), r.getString("last_error")));
                    }
                    return out;
                });
    }

    /** Puts a parked row back to be delivered now, attempts counted afresh, in the caller's transaction. False when no such parked row. */
    public static Uni<Boolean> retry(SqlClient tx, long id) {
        return tx.preparedQuery("""
                update outbox_message set state = 'PENDING', attempts = 0, next_attempt_at = now(), parked_at = null,
                       claimed_by = null, lease_until = null
                where id = $1 and state = 'PARKED'""").execute(Tuple.of(id)).map(r -> r.rowCount() == 1);
    }

    /** Deletes a parked row for good, in the caller's transaction. False when no such parked row. */
    public static Uni<Boolean> discard(SqlClient tx, long id) {
        return tx.preparedQuery("delete from outbox_message where id = $1 and state = 'PARKED'").execute(Tuple.of(id))
                .map(r -> r.rowCount() == 1);
    }

    public Uni<Stats> stats() {
        return pool.query("""
                select count(*) filter (where state = 'PENDING') as pending, count(*) filter (where state = 'PARKED') as parked,
                       coalesce(extract(epoch from now() - min(created_at) filter (where state = 'PENDING'))::bigint, 0) as oldest
                from outbox_message where state <> 'DELIVERED'""").execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Stats(r.getLong("pending"), r.getLong("parked"), r.getLong("oldest"));
                });
    }

    private static List<OutboxMessage> messages(RowSet<Row> rows) {
        List<OutboxMessage> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new OutboxMessage(r.getLong("id"), r.getString("target"), r.getString("kind"), r.getString("ordering_key"),
                    r.getUUID("subject_id"), r.getUUID("correlation_id"), r.getBuffer("payload").getBytes(), r.getInteger("attempts")));
        }
        // RETURNING of an UPDATE comes in no set order; sequences are independent, but keep the log readable.
        out.sort(java.util.Comparator.comparingLong(OutboxMessage::id));
        return out;
    }
}
