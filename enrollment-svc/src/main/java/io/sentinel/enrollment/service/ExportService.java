package io.sentinel.enrollment.service;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
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
import io.sentinel.common.audit.AuditQueries;
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
 * A peer that does not answer is named as missing rather than silently left out. The document's
 * {@code access_log} lists every access to the person's data that the four services recorded (who,
 * agency, when, what, purpose, reference, outcome, and which service), oldest first.
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
    private final AuditQueries auditLog;

    public ExportService(Repositories.Subjects subjects, Repositories.Orders orders, Repositories.Grants grants, Pool pool, PeerClients peers,
            ObjectMapper mapper, AuditQueries auditLog) {
        this.auditLog = auditLog;
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
                    return auditLog.forSubject(sid.toString());
                }).map(entries -> {
                    // Who read or changed the record, and why: the recipients the person has a right to know.
                    enrollment.set(ACCESS_LOG, mapper.valueToTree(AuditQueries.accessLog(RetentionService.SELF, entries)));
                    doc.set(RetentionService.SELF, enrollment);
                    return doc;
                }))
                .flatMap(d -> peer(d, PeerMessages.RULES, sid, missing))
                .flatMap(d -> peer(d, PeerMessages.LOCATION, sid, missing))
                .flatMap(d -> peer(d, PeerMessages.BIOMETRIC, sid, missing))
                .map(d -> {
                    d.set(ACCESS_LOG, combinedAccessLog(d));
                    ArrayNode m = d.putArray("missing");
                    missing.forEach(m::add);
                    return new Export(d.toString(), List.copyOf(missing));
                });
    }

    static final String ACCESS_LOG = "access_log";

    /** Every service's access log entries for the subject, each naming its service, oldest first. */
    ArrayNode combinedAccessLog(ObjectNode doc) {
        List<ObjectNode> all = new ArrayList<>();
        for (String service : List.of(RetentionService.SELF, PeerMessages.RULES, PeerMessages.LOCATION, PeerMessages.BIOMETRIC)) {
            JsonNode entries = doc.path(service).path(ACCESS_LOG);
            for (JsonNode e : entries) {
                if (e.isObject()) {
                    ObjectNode copy = ((ObjectNode) e).deepCopy();
                    if (!copy.hasNonNull("service") || copy.get("service").asText().isBlank()) {
                        copy.put("service", service);
                    }
                    all.add(copy);
                }
            }
        }
        all.sort(Comparator.comparing(ExportService::at));
        ArrayNode out = mapper.createArrayNode();
        all.forEach(out::add);
        return out;
    }

    /** When an entry was recorded; entries whose time cannot be read go last. */
    private static Instant at(JsonNode entry) {
        String t = entry.path("at").asText("");
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e2) {
                return Instant.MAX;
            }
        }
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
