package io.sentinel.enrollment.audit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.enrollment.domain.AuditChain;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The append-only audit trail of reads and changes of personal data. Records are written in their
 * own transaction once the outcome is known, so refusals are recorded even though the refused
 * request's own transaction rolls back.
 */
@ApplicationScoped
public class AuditTrail {
    public static final String ALLOWED = "allowed";
    public static final String DENIED = "denied";
    /** Serialises appends so each record links to the one before it. */
    private static final long CHAIN_LOCK = 0x5e471e1a0d17L;
    private static final int VERIFY_PAGE = 1000;

    private final Pool pool;

    public AuditTrail(Pool pool) {
        this.pool = pool;
    }

    /**
     * Runs {@code work} and records its outcome: allowed when it succeeds, denied when it is refused
     * (not found, permission denied, unauthenticated). Invalid requests touch no data and are not recorded.
     */
    public <T> Uni<T> around(Caller caller, String purpose, String action, String subjectHint, Uni<T> work,
            Function<T, String> subjectOf) {
        return work.onItem().call(item -> append(caller, purpose, action, orEmpty(subjectOf == null ? subjectHint : subjectOf.apply(item)), ALLOWED))
                .onFailure(AuditTrail::refusal).call(t -> append(caller, purpose, action, orEmpty(subjectHint), DENIED));
    }

    private static boolean refusal(Throwable t) {
        return t instanceof SentinelException se && (se.kind() == SentinelException.Kind.NOT_FOUND
                || se.kind() == SentinelException.Kind.PERMISSION_DENIED || se.kind() == SentinelException.Kind.UNAUTHENTICATED);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    public Uni<Void> append(Caller caller, String purpose, String action, String subjectId, String outcome) {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String roles = String.join(",", new TreeSet<>(caller.roles()));
        String p = purpose == null ? "" : purpose.strip();
        return pool.withTransaction(c -> c.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(CHAIN_LOCK))
                .flatMap(x -> c.query("select seq, hash from audit_log order by seq desc limit 1").execute())
                .flatMap(rows -> {
                    long seq = 1;
                    String prev = AuditChain.GENESIS;
                    for (Row r : rows) {
                        seq = r.getLong("seq") + 1;
                        prev = r.getString("hash");
                    }
                    String hash = AuditChain.hash(seq, at, caller.subject(), caller.agencyId(), roles, p, action, subjectId, outcome, prev);
                    return c.preparedQuery("""
                            insert into audit_log (seq, occurred_at, actor, agency_id, roles, purpose, action, subject_id, outcome, prev_hash, hash)
                            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""")
                            .execute(Tuple.from(new Object[] { seq, at.atOffset(ZoneOffset.UTC), caller.subject(), caller.agencyId(), roles,
                                    p, action, subjectId, outcome, prev, hash }));
                })).replaceWithVoid();
    }

    /** Recomputes the whole chain, a page at a time, and stops at the first broken link. */
    public Uni<AuditChain.Verdict> verify() {
        return pool.withConnection(c -> verifyFrom(c, 0, AuditChain.GENESIS, 0));
    }

    private Uni<AuditChain.Verdict> verifyFrom(SqlConnection c, long afterSeq, String prevHash, long checked) {
        return c.preparedQuery("""
                select seq, occurred_at, actor, agency_id, roles, purpose, action, subject_id, outcome, prev_hash, hash
                from audit_log where seq > $1 order by seq limit $2""").execute(Tuple.of(afterSeq, VERIFY_PAGE)).flatMap(rows -> {
            List<AuditChain.Entry> page = new ArrayList<>();
            for (Row r : rows) {
                page.add(new AuditChain.Entry(r.getLong("seq"), r.getOffsetDateTime("occurred_at").toInstant(), r.getString("actor"),
                        r.getString("agency_id"), r.getString("roles"), r.getString("purpose"), r.getString("action"),
                        r.getString("subject_id"), r.getString("outcome"), r.getString("prev_hash"), r.getString("hash")));
            }
            AuditChain.Verdict v = AuditChain.verify(page, prevHash, afterSeq + 1, checked);
            if (!v.intact() || page.size() < VERIFY_PAGE) {
                return Uni.createFrom().item(v);
            }
            AuditChain.Entry last = page.get(page.size() - 1);
            return verifyFrom(c, last.seq(), last.hash(), v.checked());
        });
    }
}
