package io.sentinel.location.repository;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Subject ownership and sharing grants as enrollment-svc last sent them. */
@ApplicationScoped
public class SharingRepository {

    /** One grant in force for a subject. */
    public record Grant(UUID grantId, String agencyId, List<String> categories, String purpose, Instant validUntil) {
    }

    /** Whether an agency may see a category of a subject's data, and on what basis. */
    public record Access(boolean known, boolean owner, UUID grantId) {
        public boolean allowed() {
            return owner || grantId != null;
        }
    }

    private final Pool pool;
    private final AuditLog audit;

    public SharingRepository(Pool pool, AuditLog audit) {
        this.pool = pool;
        this.audit = audit;
    }

    /**
     * Replaces the grants when the version is newer than held, recording {@code change} in the same
     * transaction; an older or equal version changes nothing and records nothing. Returns the version
     * now held.
     */
    public Uni<Long> put(UUID subjectId, String owningAgency, List<Grant> grants, long version, AuditRecord change) {
        // A purged subject's tombstone refuses grants that arrive late (its lock before any other).
        return pool.withTransaction(c -> PurgedSubjects.refuseIfPurged(c, "subject_id", subjectId).chain(() -> c.preparedQuery("""
                insert into subject_sharing (subject_id, owning_agency_id, version, updated_at) values ($1, $2, $3, now())
                on conflict (subject_id) do update set owning_agency_id = excluded.owning_agency_id, version = excluded.version,
                    updated_at = now()
                where subject_sharing.version < excluded.version
                returning version""").execute(Tuple.of(subjectId, owningAgency, version)).flatMap(rows -> {
            if (!rows.iterator().hasNext()) {
                return c.preparedQuery("select version from subject_sharing where subject_id = $1").execute(Tuple.of(subjectId))
                        .map(r -> r.iterator().next().getLong(0));
            }
            Uni<Void> chain = c.preparedQuery("delete from sharing_grant where subject_id = $1").execute(Tuple.of(subjectId))
                    .replaceWithVoid();
            for (Grant g : grants) {
                chain = chain.chain(() -> c.preparedQuery("""
                        insert into sharing_grant (subject_id, grant_id, agency_id, categories, purpose, valid_until)
                        values ($1, $2, $3, $4, $5, $6)""")
                        .execute(Tuple.from(List.of(subjectId, g.grantId(), g.agencyId(), g.categories().toArray(String[]::new),
                                g.purpose(), g.validUntil().atOffset(ZoneOffset.UTC))))
                        .replaceWithVoid());
            }
            return chain.chain(() -> audit.write(c, change)).replaceWith(version);
        })));
    }

    /**
     * The owning agency comes from the sharing record, or before enrollment-svc has sent one from
     * the device assignment, which names the same owner.
     */
    public Uni<Access> access(UUID subjectId, String agencyId, String category, Instant at) {
        return pool.preparedQuery("""
                select coalesce((select owning_agency_id from subject_sharing where subject_id = $1),
                                (select owning_agency_id from device_assignment where subject_id = $1 limit 1)) as owner,
                       (select grant_id from sharing_grant where subject_id = $1 and agency_id = $2 and $3 = any(categories)
                          and valid_until > $4 order by valid_until desc limit 1) as grant_id""")
                .execute(Tuple.of(subjectId, agencyId, category, at.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    String owner = r.getString("owner");
                    return new Access(owner != null, agencyId.equals(owner), r.getUUID("grant_id"));
                });
    }

    /** Whether {@code grantId} is a grant of {@code agencyId} for the subject, covering {@code category}, unexpired at {@code at}. */
    public Uni<Boolean> grantInForce(UUID subjectId, UUID grantId, String agencyId, String category, Instant at) {
        return pool.preparedQuery("""
                select 1 from sharing_grant where subject_id = $1 and grant_id = $2 and agency_id = $3 and $4 = any(categories)
                  and valid_until > $5""")
                .execute(Tuple.of(subjectId, grantId, agencyId, category, at.atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.iterator().hasNext());
    }

    public Uni<List<Grant>> grants(UUID subjectId) {
        return pool.preparedQuery("select * from sharing_grant where subject_id = $1 order by grant_id").execute(Tuple.of(subjectId))
                .map(rows -> {
                    List<Grant> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Grant(r.getUUID("grant_id"), r.getString("agency_id"),
                                List.of(r.getArrayOfStrings("categories")), r.getString("purpose"),
                                r.getOffsetDateTime("valid_until").toInstant()));
                    }
                    return out;
                });
    }
}
