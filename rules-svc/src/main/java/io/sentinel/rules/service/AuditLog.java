package io.sentinel.rules.service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.rules.v1.Alert;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Append-only record of every read or change of alerts through a public API. Written on its own
 * connection, outside the caller's transaction, so refused and failed attempts are recorded too.
 */
@ApplicationScoped
public class AuditLog {
    private static final String INSERT = """
            insert into audit_log (occurred_at, actor, agency_id, roles, action, subject_id, alert_id, outcome)
            values ($1, $2, $3, $4, $5, $6, $7, $8)""";

    private final Pool pool;

    public AuditLog(Pool pool) {
        this.pool = pool;
    }

    /**
     * Runs {@code work} and records its outcome: allowed, or denied/not_found/invalid/failed with
     * the failure passed on unchanged.
     */
    public <T> Uni<T> around(Caller caller, String action, String subjectId, String alertId, Uni<T> work) {
        return work.onItemOrFailure().call((item, failure) -> {
            String subject = subjectId;
            if ((subject == null || subject.isEmpty()) && item instanceof Alert a) {
                subject = a.getSubjectId();
            }
            return write(caller, action, subject, alertId, outcome(failure));
        });
    }

    /** Records a feed subscription as it starts. */
    public Uni<Void> subscribed(Caller caller, long afterCursor) {
        return write(caller, "subscribe_alerts:after=" + afterCursor, null, null, "allowed");
    }

    private Uni<Void> write(Caller caller, String action, String subjectId, String alertId, String outcome) {
        Tuple t = Tuple.tuple()
                .addOffsetDateTime(OffsetDateTime.now(ZoneOffset.UTC))
                .addString(caller.subject() == null ? "" : caller.subject())
                .addString(caller.agencyId())
                .addString(String.join(",", new TreeSet<>(caller.roles())))
                .addString(action)
                .addString(subjectId == null || subjectId.isEmpty() ? null : subjectId)
                .addString(alertId == null || alertId.isEmpty() ? null : alertId)
                .addString(outcome);
        return pool.preparedQuery(INSERT).execute(t).replaceWithVoid();
    }

    private static String outcome(Throwable failure) {
        if (failure == null) {
            return "allowed";
        }
        if (failure instanceof SentinelException se) {
            return switch (se.kind()) {
                case NOT_FOUND, PERMISSION_DENIED -> "denied";
                case INVALID_ARGUMENT -> "invalid";
                default -> "failed";
            };
        }
        return "failed";
    }
}
