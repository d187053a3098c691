package io.sentinel.enrollment.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.MessageOrBuilder;

import io.grpc.Status;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.Caller;
import io.sentinel.enrollment.client.PeerClients;
import io.sentinel.enrollment.repository.Repositories;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The subject access export: what enrollment-svc holds about a subject (identity, orders, grants,
 * device assignments, and who accessed the record) plus each peer's own export, in one document.
 * A peer that does not answer is named as missing rather than silently left out.
 */
@ApplicationScoped
public class ExportService {
    private static final Duration PEER_DEADLINE = Duration.ofSeconds(15);

    private final Repositories.Subjects subjects;
    private final Repositories.Orders orders;
    private final Repositories.Grants grants;
    private final Pool pool;
    private final PeerClients peers;
    private final ObjectMapper mapper;

    public ExportService(Repositories.Subjects subjects, Repositories.Orders orders, Repositories.Grants grants, Pool pool, PeerClients peers,
            ObjectMapper mapper) {
        this.subjects = subjects;
        this.orders = orders;
        this.grants = grants;
        this.pool = pool;
        this.peers = peers;
        this.mapper = mapper;
    }

    /** The document and the peers whose part is missing. */
    public record Export(String json, List<String> missing) {
    }

    @WithSession
    Uni<ObjectNode> own(Caller caller, UUID sid) {
        return subjects.findById(sid).flatMap(s -> {
            if (s == null || !s.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("subject", sid.toString());
            }
            ObjectNode out = mapper.createObjectNode();
            out.set("subject", proto(EnrollmentMapping.subject(s)));
            return orders.find("subjectId = ?1 order by startsAt", sid).list().flatMap(os -> {
                ArrayNode list = out.putArray("orders");
                os.forEach(o -> list.add(proto(EnrollmentMapping.order(o))));
                return grants.find("subjectId = ?1 order by createdAt", sid).list();
            }).map(gs -> {
                ArrayNode list = out.putArray("sharingGrants");
                for (var g : gs) {
                    ObjectNode n = list.addObject();
                    n.set("grant", proto(SharingService.toProto(g)));
                    n.put("grantedAt", g.createdAt.toString());
                    n.put("revokedAt", g.revokedAt == null ? null : g.revokedAt.toString());
                }
                return out;
            });
        });
    }

    public Uni<Export> export(Caller caller, String subjectId) {
        UUID sid = Check.uuid("subject_id", subjectId);
        ObjectNode doc = mapper.createObjectNode();
        doc.put("subjectId", sid.toString());
        doc.put("generatedAt", Instant.now().toString());
        List<String> missing = new ArrayList<>();
        return own(caller, sid).flatMap(enrollment -> pool.preparedQuery("""
                select device_id, assigned_at, released_at from device_assignment_history where subject_id = $1 order by assigned_at""")
                .execute(Tuple.of(sid)).flatMap(history -> {
                    ArrayNode h = enrollment.putArray("deviceAssignments");
                    for (Row r : history) {
                        ObjectNode n = h.addObject();
                        n.put("deviceId", r.getUUID("device_id").toString());
                        n.put("assignedAt", r.getOffsetDateTime("assigned_at").toInstant().toString());
                        n.put("releasedAt", r.getOffsetDateTime("released_at") == null ? null : r.getOffsetDateTime("released_at").toInstant().toString());
                    }
                    return pool.preparedQuery("""
                            select occurred_at, actor, agency_id, roles, purpose, action, outcome from audit_log
                            where subject_id = $1 order by seq""").execute(Tuple.of(sid.toString()));
                }).map(audit -> {
                    // Who read or changed the record: the recipients the person has a right to know.
                    ArrayNode a = enrollment.putArray("accessLog");
                    for (Row r : audit) {
                        ObjectNode n = a.addObject();
                        n.put("at", r.getOffsetDateTime("occurred_at").toInstant().toString());
                        n.put("actor", r.getString("actor"));
                        n.put("agencyId", r.getString("agency_id"));
                        n.put("roles", r.getString("roles"));
                        n.put("purpose", r.getString("purpose"));
                        n.put("action", r.getString("action"));
                        n.put("outcome", r.getString("outcome"));
                    }
                    doc.set(RetentionService.SELF, enrollment);
                    return doc;
                }))
                .flatMap(d -> peer(d, OutboxDispatcher.RULES, sid, missing))
                .flatMap(d -> peer(d, OutboxDispatcher.LOCATION, sid, missing))
                .flatMap(d -> peer(d, OutboxDispatcher.BIOMETRIC, sid, missing))
                .map(d -> {
                    ArrayNode m = d.putArray("missing");
                    missing.forEach(m::add);
                    return new Export(d.toString(), List.copyOf(missing));
                });
    }

    private Uni<ObjectNode> peer(ObjectNode doc, String target, UUID sid, List<String> missing) {
        return peers.export(target, sid.toString()).ifNoItem().after(PEER_DEADLINE).fail()
                .map(json -> {
                    try {
                        JsonNode n = mapper.readTree(json);
                        doc.set(target, n);
                    } catch (JsonProcessingException e) {
                        missing.add(target + ": returned malformed JSON");
                    }
                    return doc;
                })
                .onFailure().recoverWithItem(t -> {
                    Status s = Status.fromThrowable(t);
                    missing.add(target + ": " + s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription()));
                    return doc;
                });
    }

    private JsonNode proto(MessageOrBuilder m) {
        try {
            return mapper.readTree(ProtoJson.print(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
