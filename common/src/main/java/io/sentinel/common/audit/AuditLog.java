package io.sentinel.common.audit;

import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Writes the audit log ({@code audit_entry}, one per service database). An append is a plain
 * insert: no lock and no read of the chain head, so audited requests never wait for each other;
 * {@link AuditChainer} seals the new rows into the keyed chain moments later. A change writes its
 * record with {@link #write(SqlClient, AuditRecord)} (or the session variant) inside the change's
 * own transaction, so a committed change always has its record. A read goes through
 * {@link #read}: the justification is required first, and the read returns nothing unless its
 * record was stored.
 */
@ApplicationScoped
public class AuditLog {
    static final String INSERT = """
            insert into audit_entry (occurred_at, agency_id, actor, roles, purpose, reference, grant_id, action, subject_ids, outcome, detail)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""";
    private static final String INSERT_NAMED = """
            insert into audit_entry (occurred_at, agency_id, actor, roles, purpose, reference, grant_id, action, subject_ids, outcome, detail)
            values (:at, :agency, :actor, :roles, :purpose, :reference, :grant, :action, string_to_array(:subjects, chr(31)), :outcome, :detail)""";

    private final Pool pool;

    public AuditLog(Pool pool) {
        this.pool = pool;
    }

    /** Appends {@code r} on {@code client}: inside its transaction when it is one. */
    public Uni<Void> write(SqlClient client, AuditRecord r) {
        return client.preparedQuery(INSERT).execute(tuple(r)).replaceWithVoid();
    }

    /** Appends {@code r} in a Hibernate Reactive session's current transaction. */
    public Uni<Void> write(Mutiny.Session session, AuditRecord r) {
        return session.createNativeQuery(INSERT_NAMED)
                .setParameter("at", r.at().atOffset(ZoneOffset.UTC)).setParameter("agency", r.agencyId()).setParameter("actor", r.actor())
                .setParameter("roles", r.roles()).setParameter("purpose", r.purpose()).setParameter("reference", r.reference())
                .setParameter("grant", r.grantId()).setParameter("action", r.action())
                .setParameter("subjects", String.join("\u001f", r.subjectIds())).setParameter("outcome", r.outcome())
                .setParameter("detail", r.detail()).executeUpdate().replaceWithVoid();
    }

    /** Appends {@code r} in a transaction of its own (a read's record, or a refusal's). */
    public Uni<Void> write(AuditRecord r) {
        return write(pool, r);
    }

    /**
     * Runs a read of personal data. The caller must state a purpose and a reference (a partner also
     * the grant it reads under); without them the read is refused, and the refusal recorded. The read's
     * result is returned only once its record, naming the subjects {@code returned} picks out of it,
     * is stored; a refusal (not found, permission denied) is recorded with the subjects asked for.
     */
    public <T> Uni<T> read(Caller caller, Justification why, String action, Collection<String> asked, Supplier<Uni<T>> work,
            Function<T, Collection<String>> returned) {
        Justification j = why == null ? Justification.NONE : why;
        try {
            // A partner agency's user holds only the partner role here (UserTokenPolicy); someone of
            // this agency who also holds it reads their own agency's data in their other roles.
            if (caller.roles().equals(java.util.Set.of(Roles.PARTNER))) {
                j.requireGrant();
            } else {
                j.require();
            }
        } catch (SentinelException missing) {
            return write(AuditRecord.of(caller, j, action, asked, AuditRecord.REFUSED, missing.getMessage()))
                    .onItem().transformToUni(x -> Uni.createFrom().<T>failure(missing));
        }
        Uni<T> run;
        try {
            run = work.get();
        } catch (RuntimeException e) {
            run = Uni.createFrom().failure(e);
        }
        return run.onItem().call(item -> write(AuditRecord.of(caller, j, action, returned == null ? asked : returned.apply(item),
                AuditRecord.ALLOWED, "")))
                .onFailure(AuditLog::refusal).call(t -> write(AuditRecord.of(caller, j, action, asked, AuditRecord.REFUSED, t.getMessage())));
    }

    /** As {@link #read} for a read of named subjects that returns them. */
    public <T> Uni<T> read(Caller caller, Justification why, String action, Collection<String> subjects, Supplier<Uni<T>> work) {
        return read(caller, why, action, subjects, work, null);
    }

    /** Records a refused change (its own transaction rolled back, so it cannot carry the record). */
    public <T> Uni<T> recordingRefusal(Caller caller, Justification why, String action, Collection<String> subjects, Uni<T> change) {
        return change.onFailure(AuditLog::refusal).call(t -> write(AuditRecord.of(caller, why, action, subjects, AuditRecord.REFUSED,
                t.getMessage())));
    }

    /** A refusal of access, as opposed to an invalid request or a fault. */
    public static boolean refusal(Throwable t) {
        return t instanceof SentinelException se && (se.kind() == SentinelException.Kind.NOT_FOUND
                || se.kind() == SentinelException.Kind.PERMISSION_DENIED || se.kind() == SentinelException.Kind.UNAUTHENTICATED);
    }

    static Tuple tuple(AuditRecord r) {
        return Tuple.from(new Object[] { r.at().atOffset(ZoneOffset.UTC), r.agencyId(), r.actor(), r.roles(), r.purpose(), r.reference(),
                r.grantId(), r.action(), r.subjectIds().toArray(String[]::new), r.outcome(), clip(r.detail()) });
    }

    private static String clip(String s) {
        return s.length() > 500 ? s.substring(0, 500) : s;
    }

    /** Subjects of a list result, for {@link #read}'s {@code returned}. */
    public static <E> Function<List<E>, Collection<String>> each(Function<E, String> subjectOf) {
        return list -> list.stream().map(subjectOf).toList();
    }
}
