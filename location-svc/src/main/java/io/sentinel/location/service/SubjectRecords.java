package io.sentinel.location.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditQueries;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.export.ExportParts;
import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.repository.FixRepository;
import io.sentinel.location.repository.SharingRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Retention purges and subject access exports of what location-svc holds about a subject, each
 * recorded in the audit log as done by the peer service that asked (which acts for a person who
 * stated the purpose upstream, or on a schedule).
 */
@ApplicationScoped
public class SubjectRecords {
    static final String TRAIL = DataCategory.DATA_CATEGORY_LOCATION_TRAIL.name();
    public static final String SERVICE = "location-svc";
    public static final String PURGE = "subject.purge";
    public static final String EXPORT = "subject.export";

    private final FixRepository fixes;
    private final SharingRepository sharing;
    private final AuditLog audit;
    private final AuditQueries auditQueries;
    private final Pool pool;
    private final ObjectMapper json;

    public SubjectRecords(FixRepository fixes, SharingRepository sharing, AuditLog audit, AuditQueries auditQueries, Pool pool,
            ObjectMapper json) {
        this.fixes = fixes;
        this.sharing = sharing;
        this.audit = audit;
        this.auditQueries = auditQueries;
        this.pool = pool;
        this.json = json;
    }

    /**
     * Deletes the trail (the only purgeable category held here), recording the purge in its own
     * transaction. The audit records of who looked are kept: they are the evidence of access the
     * purge itself answers to, and hold ids and purposes, not the data. A repeated request (same purge_id
     * and subject) returns the counts of its first run and changes (and records) nothing. A purge of everything (no
     * categories, no older_than) leaves a tombstone of the subject's id that refuses later assignments
     * and grants for it.
     */
    public Uni<Map<String, Long>> purge(Caller caller, PurgeSubjectRequest r) {
        UUID subjectId = Check.uuid("subject_id", r.getSubjectId());
        UUID purgeId = Check.uuid("purge_id", r.getPurgeId());
        Instant olderThan = Timestamps.optional("older_than", r.getOlderThan());
        for (DataCategory c : r.getCategoriesList()) {
            if (c == DataCategory.DATA_CATEGORY_UNSPECIFIED || c == DataCategory.UNRECOGNIZED) {
                throw SentinelException.invalid("categories", "must not contain an unspecified category");
            }
        }
        boolean trail = r.getCategoriesCount() == 0 || r.getCategoriesList().contains(DataCategory.DATA_CATEGORY_LOCATION_TRAIL);
        // A purge of everything leaves a tombstone, so no late assignment or grant brings the subject back.
        boolean full = r.getCategoriesCount() == 0 && olderThan == null;
        return pool.withTransaction(c -> (full ? PurgedSubjects.lockForPurge(c, subjectId) : Uni.createFrom().voidItem())
                // One run purges many subjects: a request is known by (run, subject).
                .chain(() -> c.preparedQuery("select counts from purge_run where purge_id = $1 and subject_id = $2")
                        .execute(Tuple.of(purgeId, subjectId)))
                .chain(rows -> {
                    if (rows.iterator().hasNext()) {
                        var row = rows.iterator().next();
                        Map<String, Long> counts = new LinkedHashMap<>();
                        ((JsonObject) row.getValue("counts")).forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).longValue()));
                        return Uni.createFrom().item(counts);
                    }
                    Uni<Integer> deleted = trail ? fixes.deleteSubject(c, subjectId, olderThan) : Uni.createFrom().item(0);
                    return deleted.chain(n -> {
                        Map<String, Long> counts = new LinkedHashMap<>();
                        if (trail) {
                            counts.put(TRAIL, n.longValue());
                        }
                        String detail = "purge " + purgeId + (olderThan == null ? "" : ", older than " + olderThan) + ", deleted " + counts;
                        return c.preparedQuery("""
                                insert into purge_run (purge_id, subject_id, counts, applied_at) values ($1, $2, $3, now())
                                on conflict (purge_id, subject_id) do nothing""")
                                .execute(Tuple.of(purgeId, subjectId, new JsonObject(new LinkedHashMap<>(counts))))
                                .call(() -> full ? PurgedSubjects.bury(c, subjectId, purgeId) : Uni.createFrom().voidItem())
                                .call(() -> audit.write(c, AuditRecord.of(caller, Justification.NONE, PURGE, List.of(subjectId.toString()),
                                        AuditRecord.ALLOWED, detail)))
                                .replaceWith(counts);
                    });
                }));
    }

    /**
     * Everything held about the subject, as parts of its export object in order: subject_id,
     * device_assignments, sharing_grants, fixes (read in keyset pages of {@link ExportParts#PAGE_ROWS}
     * as the caller asks for more), device_events and access_log: who read or changed the subject's
     * data here, for which agency, when, why (purpose, reference, grant) and the outcome. The export
     * itself is recorded once its last part is produced.
     */
    public Multi<ExportParts.Part> export(Caller caller, String subjectIdText) {
        UUID subjectId = Check.uuid("subject_id", subjectIdText);
        Uni<List<ExportParts.Part>> head = pool.preparedQuery("""
                select device_id, owning_agency_id, cadence, version, effective_at, expected_interval_seconds
                from device_assignment where subject_id = $1 order by device_id""").execute(Tuple.of(subjectId))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(row -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("device_id", row.getUUID("device_id").toString());
                        m.put("owning_agency_id", row.getString("owning_agency_id"));
                        m.put("cadence", row.getString("cadence"));
                        m.put("version", row.getLong("version"));
                        m.put("effective_at", row.getOffsetDateTime("effective_at").toInstant().toString());
                        m.put("expected_report_interval_seconds", row.getLong("expected_interval_seconds"));
                        out.add(write(m));
                    });
                    return out;
                }).flatMap(devices -> sharing.grants(subjectId).map(g -> {
                    List<ExportParts.Part> parts = new ArrayList<>();
                    parts.add(new ExportParts.Part("subject_id", true, List.of(write(subjectId.toString()))));
                    parts.addAll(list("device_assignments", devices));
                    parts.addAll(list("sharing_grants", g.stream().map(x -> write(Map.of("grant_id", x.grantId().toString(), "agency_id",
                            x.agencyId(), "categories", x.categories(), "purpose", x.purpose(), "valid_until",
                            x.validUntil().toString()))).toList()));
                    return parts;
                }));
        Uni<List<ExportParts.Part>> tail = pool.preparedQuery("""
                select event_id, device_id, kind, occurred_at, detail, delivered_at from device_event
                where subject_id = $1 order by seq""").execute(Tuple.of(subjectId)).map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(row -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("event_id", row.getUUID("event_id").toString());
                        m.put("device_id", row.getUUID("device_id").toString());
                        m.put("kind", row.getString("kind"));
                        m.put("occurred_at", row.getOffsetDateTime("occurred_at").toInstant().toString());
                        m.put("detail", row.getString("detail"));
                        out.add(write(m));
                    });
                    return out;
                }).flatMap(events -> auditQueries.forSubject(subjectId.toString()).map(a -> {
                    List<ExportParts.Part> parts = new ArrayList<>(list("device_events", events));
                    // Who looked at or changed the subject's data here: the subject is entitled to know.
                    parts.addAll(list("access_log", AuditQueries.accessLog(SERVICE, a).stream().map(this::write).toList()));
                    return parts;
                }));
        return Multi.createBy().concatenating().streams(
                head.onItem().transformToMulti(p -> Multi.createFrom().iterable(p)),
                trail(subjectId),
                // Read once the trail is sent, so the export is recorded after the fixes it counts.
                Uni.createFrom().deferred(() -> tail).onItem().transformToMulti(p -> Multi.createFrom().iterable(p)))
                .onCompletion().call(() -> audit.write(AuditRecord.of(caller, Justification.NONE, EXPORT, List.of(subjectId.toString()),
                        AuditRecord.ALLOWED, "")));
    }

    /** The trail in keyset pages, each read only when the parts of the one before have been taken. */
    private Multi<ExportParts.Part> trail(UUID subjectId) {
        AtomicBoolean any = new AtomicBoolean();
        return Multi.createBy().repeating()
                .uni(() -> new AtomicReference<FixRepository.TrailFix>(),
                        last -> fixes.pageOf(subjectId, last.get(), ExportParts.PAGE_ROWS).invoke(page -> {
                            if (!page.isEmpty()) {
                                last.set(page.get(page.size() - 1));
                            }
                        }))
                .whilst(page -> page.size() == ExportParts.PAGE_ROWS)
                .onItem().transformToIterable(page -> {
                    if (!page.isEmpty()) {
                        any.set(true);
                    }
                    return ExportParts.pack("fixes", page.stream().map(x -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("device_id", x.deviceId().toString());
                        m.put("device_time", x.deviceTime().toString());
                        m.put("received_at", x.receivedAt().toString());
                        m.put("latitude", x.latitude());
                        m.put("longitude", x.longitude());
                        m.put("accuracy_metres", x.accuracyMetres());
                        m.put("implausible", x.implausible());
                        m.put("low_accuracy", x.lowAccuracy());
                        return write(m);
                    }).toList());
                })
                .onCompletion().continueWith(() -> any.get() ? List.of() : List.of(ExportParts.empty("fixes")));
    }

    private static List<ExportParts.Part> list(String kind, List<String> records) {
        return records.isEmpty() ? List.of(ExportParts.empty(kind)) : ExportParts.pack(kind, records);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
