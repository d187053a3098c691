package io.sentinel.common.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Seals new audit rows into each agency's keyed chain, in the order they became visible, then
 * writes a signed checkpoint of each grown chain outside the database. Only this job takes a lock
 * (a transaction-level advisory lock, tried, never waited for, so replicas take turns); requests
 * that append records never wait for it or for each other.
 */
@ApplicationScoped
public class AuditChainer {
    private static final Logger LOG = Logger.getLogger(AuditChainer.class);
    private static final long SEAL_LOCK = 0x5e471e1a0d18L;
    private static final int BATCH = 2000;

    private final Pool pool;
    private final AuditSeal seal;
    private final CheckpointSink checkpoints;

    public AuditChainer(Pool pool, AuditSeal seal, CheckpointSink checkpoints) {
        this.pool = pool;
        this.seal = seal;
        this.checkpoints = checkpoints;
    }

    @Scheduled(every = "${sentinel.audit.seal-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        return sealPending().replaceWithVoid().onFailure().invoke(t -> LOG.warnf("sealing the audit log failed: %s", t.toString()))
                .onFailure().recoverWithNull();
    }

    /** Seals everything visible now; returns how many records it sealed. */
    public Uni<Integer> sealPending() {
        return sealBatch().flatMap(n -> n == BATCH ? sealPending().map(m -> n + m) : Uni.createFrom().item(n));
    }

    private Uni<Integer> sealBatch() {
        return pool.withTransaction(c -> c.preparedQuery("select pg_try_advisory_xact_lock($1)").execute(Tuple.of(SEAL_LOCK))
                .flatMap(locked -> !locked.iterator().next().getBoolean(0) ? Uni.createFrom().item(List.<CheckpointSink.ChainHead>of())
                        : c.query("select " + AuditRows.COLUMNS + " from audit_entry where seq is null order by id limit " + BATCH
                                + " for update").execute().flatMap(rows -> seal(c, rows))))
                .call(heads -> Uni.createFrom().item(() -> {
                    checkpoints.append(heads);
                    return heads;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .map(heads -> heads.stream().mapToInt(h -> (int) h.sealed()).sum());
    }

    private Uni<List<CheckpointSink.ChainHead>> seal(SqlConnection c, io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        Map<String, List<Row>> byAgency = new LinkedHashMap<>();
        for (Row r : rows) {
            byAgency.computeIfAbsent(r.getString("agency_id"), a -> new ArrayList<>()).add(r);
        }
        Uni<List<CheckpointSink.ChainHead>> done = Uni.createFrom().item(new ArrayList<>());
        for (Map.Entry<String, List<Row>> e : byAgency.entrySet()) {
            done = done.flatMap(heads -> sealAgency(c, e.getKey(), e.getValue()).map(h -> {
                heads.add(h);
                return heads;
            }));
        }
        return done;
    }

    private Uni<CheckpointSink.ChainHead> sealAgency(SqlConnection c, String agency, List<Row> rows) {
        return c.preparedQuery("select seq, mac from audit_entry where agency_id = $1 and seq is not null order by seq desc limit 1")
                .execute(Tuple.of(agency)).flatMap(head -> {
                    long seq = 0;
                    String prev = AuditSeal.GENESIS;
                    for (Row h : head) {
                        seq = h.getLong("seq");
                        prev = h.getString("mac");
                    }
                    List<Tuple> updates = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        seq++;
                        String mac = seal.mac(seq, AuditRows.record(r), prev);
                        updates.add(Tuple.of(r.getLong("id"), seq, prev, mac));
                        prev = mac;
                    }
                    long last = seq;
                    String lastMac = prev;
                    return c.preparedQuery("update audit_entry set seq = $2, prev_mac = $3, mac = $4 where id = $1").executeBatch(updates)
                            .map(x -> new CheckpointSink.ChainHead(agency, last, lastMac, rows.size()));
                });
    }
}
