package io.sentinel.common.outbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.arc.properties.IfBuildProperty;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The outbox for the platform's operators: what waits and what was parked, and why; a parked message
 * can be sent again or discarded (both recorded in the audit log). Rows are shown without payload,
 * ordering key or subject, and with ids cut from the reason (the peer's status and description, which
 * names a field and a problem), so no personal data leaves.
 */
@Path("/api/v1/ops/outbox")
@RolesAllowed(Roles.PLATFORM_ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@IfBuildProperty(name = "sentinel.outbox.enabled", stringValue = "true")
public class OutboxResource {
    static final String RETRY = "outbox.retry";
    static final String DISCARD = "outbox.discard";
    private static final int MAX_PAGE = 500;
    /** A peer's refusal may name the subject ("subject … was purged"): ids are cut from reasons shown here. */
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern
            .compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Outbox outbox;
    private final Pool pool;
    private final AuditLog audit;
    private final CurrentCaller caller;
    private final CurrentJustification justification;

    public OutboxResource(Outbox outbox, Pool pool, AuditLog audit, CurrentCaller caller, CurrentJustification justification) {
        this.outbox = outbox;
        this.pool = pool;
        this.audit = audit;
        this.caller = caller;
        this.justification = justification;
    }

    /** Pending and parked messages (or those of {@code state}), oldest first, {@code pageSize} after {@code afterId}. */
    @GET
    public Uni<Map<String, Object>> list(@QueryParam("state") String state, @QueryParam("afterId") Long afterId,
            @QueryParam("pageSize") Integer pageSize) {
        OutboxEngine.State wanted = null;
        if (state != null) {
            if (!state.equals("PENDING") && !state.equals("PARKED")) {
                throw SentinelException.invalid("state", "must be PENDING or PARKED");
            }
            wanted = OutboxEngine.State.valueOf(state);
        }
        int size = pageSize == null ? 100 : pageSize;
        if (size < 1 || size > MAX_PAGE) {
            throw SentinelException.invalid("pageSize", "must be within [1, " + MAX_PAGE + "]");
        }
        if (afterId != null && afterId < 0) {
            throw SentinelException.invalid("afterId", "must not be negative");
        }
        return outbox.engine().list(wanted, afterId == null ? 0 : afterId, size).flatMap(entries -> outbox.engine().stats().map(stats -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("pending", stats.pending());
            out.put("parked", stats.parked());
            out.put("oldestPendingSeconds", stats.oldestPendingSeconds());
            List<Map<String, Object>> rows = entries.stream().map(OutboxResource::json).toList();
            out.put("messages", rows);
            if (entries.size() == size) {
                out.put("nextAfterId", entries.get(entries.size() - 1).id());
            }
            return out;
        }));
    }

    /** Puts a parked message back in line, to be delivered now; 404 when no parked message has that id. */
    @POST
    @Path("/{id}/retry")
    public Uni<Map<String, Object>> retry(@PathParam("id") String id) {
        return change(id(id), RETRY, OutboxEngine::retry).invoke(x -> outbox.wake());
    }

    /** Drops a parked message for good; 404 when no parked message has that id. */
    @POST
    @Path("/{id}/discard")
    public Uni<Map<String, Object>> discard(@PathParam("id") String id) {
        return change(id(id), DISCARD, OutboxEngine::discard);
    }

    /** Parsed here, after the role check, so a caller without the role learns nothing from a malformed id. */
    private static long id(String id) {
        try {
            long n = Long.parseLong(id);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw SentinelException.invalid("id", "must be a positive whole number");
    }

    private interface Change {
        Uni<Boolean> apply(io.vertx.mutiny.sqlclient.SqlClient tx, long id);
    }

    private Uni<Map<String, Object>> change(long id, String action, Change change) {
        var who = caller.get();
        var why = justification.get();
        return pool.withTransaction(c -> c.preparedQuery("select target, kind from outbox_message where id = $1 and state = 'PARKED'")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(id)).flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().failure(SentinelException.notFound("parked outbox message", Long.toString(id)));
                    }
                    var r = rows.iterator().next();
                    String detail = "message " + id + " (" + r.getString("kind") + " to " + r.getString("target") + ")";
                    return change.apply(c, id).flatMap(done -> audit.write(c, AuditRecord.of(who, why, action, List.of(), AuditRecord.ALLOWED,
                            detail))).replaceWith(Map.<String, Object>of("id", id, "action", action));
                }));
    }

    private static Map<String, Object> json(OutboxEngine.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("target", e.target());
        m.put("kind", e.kind());
        m.put("state", e.state().name());
        m.put("attempts", e.attempts());
        m.put("createdAt", e.createdAt().toInstant().toString());
        if (e.state() == OutboxEngine.State.PENDING) {
            m.put("nextAttemptAt", e.nextAttemptAt().toInstant().toString());
        }
        if (e.parkedAt() != null) {
            m.put("parkedAt", e.parkedAt().toInstant().toString());
        }
        if (e.lastError() != null) {
            m.put("reason", ID.matcher(e.lastError()).replaceAll("<redacted>"));
        }
        return m;
    }
}
