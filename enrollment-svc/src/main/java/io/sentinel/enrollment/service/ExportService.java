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
import io.sentinel.common.export.ExportAssembler;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Services;
import io.sentinel.enrollment.client.PeerExports;
import io.sentinel.enrollment.repository.Repositories;
import io.smallrye.mutiny.Multi;
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
    /**
     * How long a peer may leave the export waiting for its next message. The peers send as fast as
     * the caller reads, so a caller that stops reading for this long also cuts the peer's part short.
     */
    private static final Duration PEER_IDLE = Duration.ofSeconds(60);

    private final Repositories.Subjects subjects;
    private final Repositories.Orders orders;
    private final Repositories.Grants grants;
    private final Pool pool;
    private final PeerExports peers;
    private final ObjectMapper mapper;
    private final AuditQueries auditLog;

    public ExportService(Repositories.Subjects subjects, Repositories.Orders orders, Repositories.Grants grants, Pool pool, PeerExports peers,
            ObjectMapper mapper, AuditQueries auditLog) {
        this.auditLog = auditLog;
        this.subjects = subjects;
        this.orders = orders;
        this.grants = grants;
        this.pool = pool;
        this.peers = peers;
        this.mapper = mapper;
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

    /**
     * What enrollment-svc holds about the subject (identity, orders, grants, assignment history and
     * its access log): the part whose read is recorded before the export streams; NOT_FOUND unless
     * the caller's agency owns the subject.
     */
    public Uni<ObjectNode> ownPart(Caller caller, String subjectId) {
        UUID sid = Check.uuid("subject_id", subjectId);
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
                    return enrollment;
                }));
    }

    /**
     * The whole document as text pieces of at most {@link #MAX_PIECE_CHARS} characters, streamed as
     * the subscriber asks: enrollment-svc's part, then each peer's export passed through as it
     * arrives, then the combined access log and the peers whose part is missing (on the last piece).
     * Only the access logs are held until the end (they are merged in time order); fixes and other
     * records pass through. A peer failing part-way has its part closed where it stopped (the
     * document stays valid JSON) and is named as missing, as is one that sends a malformed record.
     */
    public Multi<Piece> export(String subjectId, ObjectNode enrollment) {
        UUID sid = Check.uuid("subject_id", subjectId);
        List<String> missing = new ArrayList<>();
        List<ObjectNode> accessLog = new ArrayList<>();
        collect(accessLog, RetentionService.SELF, enrollment.path(ACCESS_LOG));
        ObjectNode head = mapper.createObjectNode();
        head.put("subjectId", sid.toString());
        head.put("generatedAt", Instant.now().toString());
        head.set(RetentionService.SELF, enrollment);
        String opening = head.toString();
        Multi<String> text = Multi.createBy().concatenating().streams(
                Multi.createFrom().item(opening.substring(0, opening.length() - 1)),
                peer(Services.RULES, sid, missing, accessLog),
                peer(Services.LOCATION, sid, missing, accessLog),
                peer(Services.BIOMETRIC, sid, missing, accessLog));
        Pieces pieces = new Pieces();
        return text.onItem().transformToIterable(pieces::add)
                .map(t -> new Piece(t, false, List.of()))
                .onCompletion().continueWith(() -> {
                    accessLog.sort(Comparator.comparing(ExportService::at));
                    ObjectNode tail = mapper.createObjectNode();
                    tail.set(ACCESS_LOG, mapper.valueToTree(accessLog));
                    tail.set("missing", mapper.valueToTree(missing));
                    List<Piece> out = new ArrayList<>();
                    List<String> rest = pieces.add("," + tail.toString().substring(1));
                    rest.forEach(t -> out.add(new Piece(t, false, List.of())));
                    out.add(new Piece(pieces.rest(), true, List.copyOf(missing)));
                    return out;
                });
    }

    /** One piece of the document; the last one carries the services whose part is missing. */
    public record Piece(String json, boolean last, List<String> missing) {
    }

    /** Largest piece of the document sent in one message, in characters. */
    public static final int MAX_PIECE_CHARS = 128 * 1024;

    /** Cuts text into pieces of at most MAX_PIECE_CHARS, never between the two halves of a surrogate pair. */
    static final class Pieces {
        private final StringBuilder buffer = new StringBuilder();

        List<String> add(String text) {
            buffer.append(text);
            List<String> out = new ArrayList<>();
            while (buffer.length() >= MAX_PIECE_CHARS) {
                int cut = MAX_PIECE_CHARS;
                if (Character.isHighSurrogate(buffer.charAt(cut - 1))) {
                    cut--;
                }
                out.add(buffer.substring(0, cut));
                buffer.delete(0, cut);
            }
            return out;
        }

        String rest() {
            String r = buffer.toString();
            buffer.setLength(0);
            return r;
        }
    }

    static final String ACCESS_LOG = "access_log";

    /** One peer's part, written as it arrives; its access log entries are kept for the combined log. */
    private Multi<String> peer(String target, UUID sid, List<String> missing, List<ObjectNode> accessLog) {
        return Multi.createFrom().deferred(() -> {
            ExportAssembler part = new ExportAssembler();
            return Multi.createBy().concatenating().streams(
                    Multi.createFrom().item(",\"" + target + "\":" + part.open()),
                    peers.export(target, sid.toString())
                            .ifNoItem().after(PEER_IDLE).fail()
                            .map(p -> {
                                List<JsonNode> entries = ACCESS_LOG.equals(p.kind()) ? p.records().stream().map(this::read).toList() : List.of();
                                String t = part.add(p);
                                entries.forEach(e -> collect(accessLog, target, e));
                                return t;
                            })
                            .onFailure().recoverWithMulti(t -> {
                                missing.add(target + ": " + reason(t) + (part.records() > 0 ? " (cut short after " + part.records() + " records)" : ""));
                                return Multi.createFrom().empty();
                            }),
                    Multi.createFrom().item(part::close));
        });
    }

    private static String reason(Throwable t) {
        if (t instanceof IllegalArgumentException bad) {
            return "sent a malformed export: " + bad.getMessage();
        }
        if (t instanceof java.util.concurrent.TimeoutException) {
            return "DEADLINE_EXCEEDED: sent nothing for " + PEER_IDLE.toSeconds() + " s";
        }
        Status s = Status.fromThrowable(t);
        return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }

    private JsonNode read(String record) {
        try {
            return mapper.readTree(record);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("an access log record is not valid JSON");
        }
    }

    /** Adds a service's access log entries, each naming its service. */
    private static void collect(List<ObjectNode> into, String service, JsonNode entries) {
        if (entries.isArray()) {
            entries.forEach(e -> add(into, service, e));
        } else {
            add(into, service, entries);
        }
    }

    private static void add(List<ObjectNode> into, String service, JsonNode e) {
        if (e.isObject()) {
            ObjectNode copy = ((ObjectNode) e).deepCopy();
            if (!copy.hasNonNull("service") || copy.get("service").asText().isBlank()) {
                copy.put("service", service);
            }
            into.add(copy);
        }
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

    private JsonNode proto(MessageOrBuilder m) {
        try {
            return mapper.readTree(ProtoJson.print(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
