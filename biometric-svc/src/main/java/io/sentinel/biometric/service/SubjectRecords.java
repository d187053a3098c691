package io.sentinel.biometric.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditQueries;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What enrollment-svc asks of every service about one subject: the grants in force, deletion
 * when retention runs out, and a full export for a subject access request. Each is recorded in the
 * audit log as the calling service's act, in the transaction of the change (or of the export's
 * reads); the audit rows themselves are never purged: they are the evidence of who accessed the
 * data, and hold ids and purposes, not the data.
 */
@ApplicationScoped
public class SubjectRecords {
    static final String SERVICE = "biometric-svc";
    private final Pool pool;
    private final AuditLog audit;
    private final AuditQueries auditQueries;

    public SubjectRecords(Pool pool, AuditLog audit, AuditQueries auditQueries) {
        this.pool = pool;
        this.audit = audit;
        this.auditQueries = auditQueries;
    }

    private static AuditRecord change(Caller caller, Justification why, String action, UUID subject, String detail) {
        return AuditRecord.of(caller, why, action, List.of(subject.toString()), AuditRecord.ALLOWED, detail);
    }

    public Uni<Long> putGrants(Caller caller, Justification why, PutSharingGrantsRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        Check.required("owning_agency_id", r.getOwningAgencyId());
        for (int i = 0; i < r.getGrantsCount(); i++) {
            Check.required("grants[" + i + "].agency_id", r.getGrants(i).getAgencyId());
            Timestamps.required("grants[" + i + "].valid_until", r.getGrants(i).getValidUntil());
        }
        // A purged subject's tombstone refuses grants that arrive late (its lock before any other).
        return pool.withTransaction(tx -> PurgedSubjects.refuseIfPurged(tx, "subject_id", subject).chain(() -> tx.preparedQuery("""
                insert into subject_grants (subject_id, owning_agency_id, version, grants, updated_at) values ($1, $2, $3, $4, now())
                on conflict (subject_id) do update set owning_agency_id = excluded.owning_agency_id, version = excluded.version,
                    grants = excluded.grants, updated_at = now() where subject_grants.version < excluded.version
                returning version""")
                .execute(Tuple.of(subject, r.getOwningAgencyId(), r.getVersion(), io.vertx.core.buffer.Buffer.buffer(r.toByteArray())))
                .flatMap(rows -> rows.size() > 0
                        ? audit.write(tx, change(caller, why, AuditActions.GRANTS_PUT, subject,
                                "version " + r.getVersion() + ", " + r.getGrantsCount() + " grants")).replaceWith(rows.iterator().next().getLong(0))
                        : tx.preparedQuery("select version from subject_grants where subject_id = $1").execute(Tuple.of(subject))
                                .map(x -> x.iterator().next().getLong(0))
                                .call(held -> audit.write(tx, change(caller, why, AuditActions.GRANTS_PUT, subject,
                                        "version " + r.getVersion() + " not newer than " + held + ": unchanged"))))));
    }

    /**
     * Deletes check-ins and reference images (BIOMETRIC_RESULTS), and the schedule and grants with
     * IDENTITY. A purge of everything (no categories, no older_than) leaves a tombstone of the
     * subject's id that refuses later schedules and grants for it.
     */
    public Uni<Map<String, Long>> purge(Caller caller, Justification why, PurgeSubjectRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        UUID purgeId = Check.uuid("purge_id", r.getPurgeId());
        Instant olderThan = Timestamps.optional("older_than", r.getOlderThan());
        Set<DataCategory> cats = r.getCategoriesList().isEmpty()
                ? Set.of(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS, DataCategory.DATA_CATEGORY_IDENTITY)
                : Set.copyOf(r.getCategoriesList());
        OffsetDateTime cutoff = (olderThan == null ? Instant.parse("9999-12-31T00:00:00Z") : olderThan).atOffset(ZoneOffset.UTC);
        // A purge of everything leaves a tombstone, so no late schedule or grant brings the subject back.
        boolean full = r.getCategoriesList().isEmpty() && olderThan == null;
        return pool.withTransaction(tx -> (full ? PurgedSubjects.lockForPurge(tx, subject) : Uni.createFrom().voidItem())
                // One run purges many subjects: a request is known by (run, subject).
                .chain(() -> tx.preparedQuery("select counts from purge_run where purge_id = $1 and subject_id = $2")
                        .execute(Tuple.of(purgeId, subject)))
                .flatMap(done -> {
                    if (done.size() > 0) {
                        JsonObject saved = new JsonObject(done.iterator().next().getString(0));
                        Map<String, Long> counts = new LinkedHashMap<>();
                        saved.forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).longValue()));
                        return audit.write(tx, change(caller, why, AuditActions.SUBJECT_PURGE, subject, "purge " + purgeId
                                + " already applied: unchanged")).replaceWith(counts);
                    }
                    Map<String, Long> counts = new LinkedHashMap<>();
                    Uni<Void> work = Uni.createFrom().voidItem();
                    if (cats.contains(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS)) {
                        work = work.chain(() -> count(tx, "delete from check_in where subject_id = $1 and captured_at < $2", subject, cutoff)
                                .flatMap(a -> count(tx, "delete from reference_image where subject_id = $1 and created_at < $2", subject, cutoff)
                                        .map(b -> a + b))
                                // Prompts and the check-in events already delivered to rules-svc go with the results;
                                // an undelivered event stays until rules-svc has it.
                                .flatMap(a -> count(tx, "delete from check_in_prompt where subject_id = $1 and prompt_at < $2", subject, cutoff)
                                        .map(b -> a + b))
                                .flatMap(a -> count(tx, "delete from check_in_event_outbox where subject_id = $1 and occurred_at < $2 "
                                        + "and delivered_at is not null", subject, cutoff).map(b -> a + b))
                                .invoke(n -> counts.put(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS.name(), n))
                                .replaceWithVoid());
                    }
                    if (cats.contains(DataCategory.DATA_CATEGORY_IDENTITY) && olderThan == null) {
                        work = work.chain(() -> count(tx, "delete from subject_grants where subject_id = $1", subject, null)
                                .flatMap(a -> tx.preparedQuery("select count(*) from check_in where subject_id = $1").execute(Tuple.of(subject))
                                        .flatMap(left -> left.iterator().next().getLong(0) > 0 ? Uni.createFrom().item(0L)
                                                : count(tx, "delete from check_in_schedule where subject_id = $1 and not exists "
                                                        + "(select 1 from reference_image where subject_id = $1)", subject, null))
                                        .invoke(b -> counts.put(DataCategory.DATA_CATEGORY_IDENTITY.name(), a + b)))
                                .replaceWithVoid());
                    }
                    return work.chain(() -> tx.preparedQuery("insert into purge_run (purge_id, subject_id, counts, done_at) values ($1, $2, $3, now())")
                            .execute(Tuple.of(purgeId, subject, new JsonObject(new LinkedHashMap<>(counts)).encode())))
                            .call(() -> full ? PurgedSubjects.bury(tx, subject, purgeId) : Uni.createFrom().voidItem())
                            // Counts per category only: what was deleted is gone, and the record must not keep it.
                            .chain(() -> audit.write(tx, change(caller, why, AuditActions.SUBJECT_PURGE, subject, "purge " + purgeId + " "
                                    + new JsonObject(new LinkedHashMap<>(counts)).encode())))
                            .replaceWith(counts);
                }));
    }

    private static Uni<Long> count(SqlClient tx, String sql, UUID subject, OffsetDateTime cutoff) {
        Tuple args = cutoff == null ? Tuple.of(subject) : Tuple.of(subject, cutoff);
        return tx.preparedQuery(sql).execute(args).map(rows -> (long) rows.rowCount());
    }

    /**
     * The schedule, reference-image metadata, check-in records and prompts (photos are listed, not
     * embedded), and the access log of the subject's data here: who, agency, when, what, purpose and
     * reference. The export is itself recorded, in the transaction that reads it, so it is the last
     * entry of its own access log.
     */
    public Uni<String> export(Caller caller, Justification why, String subjectId) {
        UUID subject = Check.uuid("subject_id", subjectId);
        JsonObject out = new JsonObject().put("service", SERVICE).put("subject_id", subject.toString());
        return pool.withTransaction(tx -> audit.write(tx, change(caller, why, AuditActions.SUBJECT_EXPORT, subject, ""))
                .chain(() -> tx.preparedQuery("select * from check_in_schedule where subject_id = $1").execute(Tuple.of(subject)))
                .invoke(rows -> out.put("check_in_schedule", rows(rows)))
                .chain(() -> tx.preparedQuery("select reference_id, content_type, model_id, created_at, image is not null as image_held "
                        + "from reference_image where subject_id = $1").execute(Tuple.of(subject)))
                .invoke(rows -> out.put("reference_images", rows(rows)))
                .chain(() -> tx.preparedQuery("select check_in_id, captured_at, received_at, content_type, outcome, outcome_reason, "
                        + "similarity, review_state, reviewed_by, reviewed_at, review_reason, image is not null as image_held "
                        + "from check_in where subject_id = $1 order by captured_at").execute(Tuple.of(subject)))
                .invoke(rows -> out.put("check_ins", rows(rows)))
                .chain(() -> tx.preparedQuery("select prompt_id, local_date, prompt_at, deadline_at, state, check_in_id "
                        + "from check_in_prompt where subject_id = $1 order by prompt_at").execute(Tuple.of(subject)))
                .invoke(rows -> out.put("check_in_prompts", rows(rows)))
                .chain(() -> auditQueries.forSubject(tx, subject.toString()))
                .invoke(entries -> out.put("access_log", new JsonArray(AuditQueries.accessLog(SERVICE, entries).stream().map(JsonObject::new).toList())))
                .map(x -> out.encode()));
    }

    private static JsonArray rows(Iterable<Row> rows) {
        JsonArray a = new JsonArray();
        for (Row r : rows) {
            JsonObject o = new JsonObject();
            for (int i = 0; i < r.size(); i++) {
                Object v = r.getValue(i);
                o.put(r.getColumnName(i), v == null ? null : v instanceof Number || v instanceof Boolean ? v : v.toString());
            }
            a.add(o);
        }
        return a;
    }

}
