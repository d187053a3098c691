package io.sentinel.location.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The append-only record of who read or was refused personal data. */
@ApplicationScoped
public class AuditRepository {

    /** One audited access. */
    public record Entry(String actor, String agencyId, String roles, String action, UUID subjectId, String purpose,
            String reference, boolean allowed, String detail, Instant at) {
    }

    private final Pool pool;

    public AuditRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> append(Entry e) {
        return pool.preparedQuery("""
                insert into audit_record (actor, agency_id, roles, action, subject_id, purpose, reference, outcome, detail)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                .execute(Tuple.from(java.util.Arrays.asList(e.actor(), e.agencyId(), e.roles(), e.action(), e.subjectId(),
                        e.purpose(), e.reference(), e.allowed() ? "ALLOWED" : "DENIED", e.detail())))
                .replaceWithVoid();
    }

    public Uni<List<Entry>> forSubject(UUID subjectId) {
        return pool.preparedQuery("select * from audit_record where subject_id = $1 order by audit_id").execute(Tuple.of(subjectId))
                .map(rows -> {
                    List<Entry> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Entry(r.getString("actor"), r.getString("agency_id"), r.getString("roles"), r.getString("action"),
                                r.getUUID("subject_id"), r.getString("purpose"), r.getString("reference"),
                                "ALLOWED".equals(r.getString("outcome")), r.getString("detail"),
                                r.getOffsetDateTime("at").toInstant()));
                    }
                    return out;
                });
    }
}
