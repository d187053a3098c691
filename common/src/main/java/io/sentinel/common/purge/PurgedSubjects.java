package io.sentinel.common.purge;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.hibernate.reactive.mutiny.Mutiny;

import io.sentinel.common.error.SentinelException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Tombstones of purged subjects ({@code purged_subject}: the subject's id, the purge that removed it
 * and when; no personal data), so that a message about a subject that arrives after its purge (late,
 * or a redelivered duplicate) cannot bring it back. A full purge buries the subject in the purge's
 * transaction; every later change about it is refused with FAILED_PRECONDITION, reason
 * {@link SentinelException#SUBJECT_PURGED}, which senders park instead of retrying.
 *
 * <p>Race-free with replicas: a change first takes a shared transaction lock on the subject's id and
 * then looks for the tombstone; a purge takes the same lock exclusively before it deletes and
 * buries. A change either commits before the purge deletes (and is deleted with the rest) or sees
 * the tombstone. Changes about one subject never wait for each other. Take this lock before any
 * other lock of the transaction, so lock order is the same everywhere.
 */
public final class PurgedSubjects {
    /** Advisory-lock key space of the tombstone locks (the second key is the subject id's hash). */
    static final int LOCK_SPACE = 0x5e7b_0b57;

    // Wrapped so the statement returns a value: Hibernate cannot read a void column.
    private static final String LOCK_SHARED = "select 1 from (select pg_advisory_xact_lock_shared(" + LOCK_SPACE + ", hashtext($1))) l";
    private static final String LOCK_EXCLUSIVE = "select 1 from (select pg_advisory_xact_lock(" + LOCK_SPACE + ", hashtext($1))) l";
    private static final String FIND = """
            select cast(purge_id as text) || ' at ' || to_char(purged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            from purged_subject where subject_id = cast($1 as uuid)""";
    private static final String BURY = """
            insert into purged_subject (subject_id, purge_id, purged_at) values (cast($1 as uuid), cast($2 as uuid), now())
            on conflict (subject_id) do nothing""";
    /** Shared locks on many subjects, taken in one fixed order; $1: comma-separated ids. */
    private static final String LOCK_MANY = "select count(pg_advisory_xact_lock_shared(" + LOCK_SPACE + ", hashtext(s))) from "
            + "(select s from unnest(string_to_array($1, ',')) s order by hashtext(s), s) ids";
    private static final String FIND_MANY = """
            select cast(subject_id as text) from purged_subject
            where subject_id = any(cast(string_to_array($1, ',') as uuid[]))""";

    private PurgedSubjects() {
    }

    // ---- on a SqlClient (inside its transaction)

    /** Fails with {@link SentinelException#purged} naming {@code field} when {@code subject} was purged. */
    public static Uni<Void> refuseIfPurged(SqlClient tx, String field, UUID subject) {
        Tuple id = Tuple.of(subject.toString());
        return tx.preparedQuery(LOCK_SHARED).execute(id).flatMap(x -> tx.preparedQuery(FIND).execute(id)).map(rows -> {
            if (rows.size() > 0) {
                throw SentinelException.purged(field, subject.toString(), rows.iterator().next().getString(0));
            }
            return null;
        });
    }

    /** Which of {@code subjects} were purged; the shared locks hold until the transaction ends. */
    public static Uni<Set<UUID>> purgedAmong(SqlClient tx, Collection<UUID> subjects) {
        if (subjects.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        Tuple ids = Tuple.of(joined(subjects));
        return tx.preparedQuery(LOCK_MANY).execute(ids).flatMap(x -> tx.preparedQuery(FIND_MANY).execute(ids)).map(rows -> {
            Set<UUID> out = new HashSet<>();
            for (Row r : rows) {
                out.add(UUID.fromString(r.getString(0)));
            }
            return out;
        });
    }

    /**
     * Takes the subject's lock exclusively: call first in a purge's transaction, before deleting.
     * Changes about the subject wait until the purge commits, then see its tombstone.
     */
    public static Uni<Void> lockForPurge(SqlClient tx, UUID subject) {
        return tx.preparedQuery(LOCK_EXCLUSIVE).execute(Tuple.of(subject.toString())).replaceWithVoid();
    }

    /** Records the tombstone (idempotent: the first purge's stays). Call after {@link #lockForPurge}. */
    public static Uni<Void> bury(SqlClient tx, UUID subject, UUID purgeId) {
        return tx.preparedQuery(BURY).execute(Tuple.of(subject.toString(), purgeId.toString())).replaceWithVoid();
    }

    // ---- in a Hibernate Reactive session's transaction

    public static Uni<Void> refuseIfPurged(Mutiny.Session session, String field, UUID subject) {
        return session.createNativeQuery(named(LOCK_SHARED)).setParameter(1, subject.toString()).getResultList()
                .flatMap(x -> session.createNativeQuery(named(FIND), String.class).setParameter(1, subject.toString()).getResultList())
                .map(found -> {
                    if (!found.isEmpty()) {
                        throw SentinelException.purged(field, subject.toString(), found.get(0));
                    }
                    return null;
                });
    }

    public static Uni<Set<UUID>> purgedAmong(Mutiny.Session session, Collection<UUID> subjects) {
        if (subjects.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        String ids = joined(subjects);
        return session.createNativeQuery(named(LOCK_MANY)).setParameter(1, ids).getResultList()
                .flatMap(x -> session.createNativeQuery(named(FIND_MANY), String.class).setParameter(1, ids).getResultList())
                .map(found -> {
                    Set<UUID> out = new HashSet<>();
                    found.forEach(s -> out.add(UUID.fromString(s)));
                    return out;
                });
    }

    public static Uni<Void> lockForPurge(Mutiny.Session session, UUID subject) {
        return session.createNativeQuery(named(LOCK_EXCLUSIVE)).setParameter(1, subject.toString()).getResultList().replaceWithVoid();
    }

    public static Uni<Void> bury(Mutiny.Session session, UUID subject, UUID purgeId) {
        return session.createNativeQuery(named(BURY)).setParameter(1, subject.toString()).setParameter(2, purgeId.toString())
                .executeUpdate().replaceWithVoid();
    }

    /** Hibernate's native queries take ?1 where the SQL client takes $1. */
    private static String named(String sql) {
        return sql.replace("$1", "?1").replace("$2", "?2");
    }

    private static String joined(Collection<UUID> subjects) {
        List<String> sorted = List.copyOf(new TreeSet<>(subjects.stream().map(UUID::toString).toList()));
        return String.join(",", sorted);
    }
}
