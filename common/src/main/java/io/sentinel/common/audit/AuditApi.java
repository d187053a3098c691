package io.sentinel.common.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Uni;

/**
 * The auditor's view of this service's audit log, shared by the REST resource and each service's
 * {@code sentinel.audit.v1.AuditService}: requests and answers in the proto's JSON form, so one
 * implementation serves both. An auditor sees and verifies only their own agency's records.
 */
@ApplicationScoped
public class AuditApi {
    private final AuditQueries queries;
    private final AuditVerifier verifier;
    private final AuditLog audit;

    public AuditApi(AuditQueries queries, AuditVerifier verifier, AuditLog audit) {
        this.queries = queries;
        this.verifier = verifier;
        this.audit = audit;
    }

    /** {@code QueryAuditLogRequest} as JSON in, {@code QueryAuditLogResponse} as a JSON tree out. */
    public Uni<Map<String, Object>> query(Caller caller, Justification why, JsonNode request) {
        requireAuditor(caller);
        AuditQueries.Filter f = new AuditQueries.Filter(text(request, "subjectId"), text(request, "actor"), text(request, "purposeContains"),
                instant(request, "from"), instant(request, "to"));
        int pageSize = request.path("pageSize").asInt(0);
        String token = text(request, "pageToken");
        List<String> asked = f.subjectId() == null || f.subjectId().isBlank() ? List.of() : List.of(f.subjectId().strip());
        return audit.read(caller, why, "audit.query", asked, () -> queries.page(caller.agencyId(), f, pageSize, token),
                page -> page.entries().stream().flatMap(e -> e.record().subjectIds().stream()).distinct().toList())
                .map(AuditApi::json);
    }

    /** {@code VerifyAuditLogResponse} as a JSON tree. */
    public Uni<Map<String, Object>> verify(Caller caller) {
        requireAuditor(caller);
        return verifier.verify(caller.agencyId()).map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("intact", r.verdict().intact());
            m.put("recordsChecked", Long.toString(r.verdict().checked()));
            m.put("firstBrokenSeq", Long.toString(r.verdict().firstBrokenSeq()));
            m.put("reason", r.verdict().reason());
            m.put("checkpointSeq", Long.toString(r.checkpoint() == null ? 0 : r.checkpoint().seq()));
            if (r.checkpoint() != null) {
                m.put("checkpointWrittenAt", r.checkpoint().writtenAt());
            }
            m.put("unsealedRecords", Long.toString(r.unsealed()));
            return m;
        });
    }

    private static void requireAuditor(Caller caller) {
        if (!caller.has(Roles.AUDITOR)) {
            throw SentinelException.denied("reading the audit log needs role " + Roles.AUDITOR);
        }
    }

    static Map<String, Object> json(AuditQueries.Page page) {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (AuditQueries.Entry e : page.entries()) {
            AuditRecord r = e.record();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", Long.toString(e.seq()));
            m.put("occurredAt", r.at().toString());
            m.put("actor", r.actor());
            m.put("agencyId", r.agencyId());
            m.put("roles", r.roles().isEmpty() ? List.of() : Arrays.asList(r.roles().split(",")));
            m.put("purpose", r.purpose());
            m.put("reference", r.reference());
            m.put("grantId", r.grantId());
            m.put("action", r.action());
            m.put("subjectIds", r.subjectIds());
            m.put("outcome", AuditRecord.ALLOWED.equals(r.outcome()) ? "AUDIT_OUTCOME_ALLOWED" : "AUDIT_OUTCOME_REFUSED");
            m.put("detail", r.detail());
            entries.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("entries", entries);
        out.put("nextPageToken", page.nextPageToken());
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        if (t == null || t.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw SentinelException.invalid(field, "must be an RFC 3339 UTC instant such as 2026-11-22T10:00:00Z, got '" + t + "'");
        }
    }
}
