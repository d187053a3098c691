package io.sentinel.rules.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditQueries;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.security.Caller;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.util.Timestamps;
import io.sentinel.rules.repository.AlertEventRepository;
import io.sentinel.rules.repository.AlertRepository;
import io.sentinel.rules.repository.MonitorStateRepository;
import io.sentinel.rules.repository.ProcessedEventRepository;
import io.sentinel.rules.repository.PurgeRunEntity;
import io.sentinel.rules.repository.PurgeRunRepository;
import io.sentinel.rules.repository.SharingGrantRepository;
import io.sentinel.rules.repository.SharingGrantsRepository;
import io.sentinel.rules.repository.SubjectConditionsRepository;
import io.smallrye.mutiny.Uni;

/**
 * Retention purge and subject access export of what rules-svc holds about a subject. Categories
 * held here: DATA_CATEGORY_ALERTS (alerts, their feed events, applied external events) and
 * DATA_CATEGORY_CONDITIONS (conditions, the in-memory order and the monitor state). Sharing grants
 * go when every category is purged: with nothing left there is nothing to share. The audit log
 * ({@code audit_entry}) is append-only and outlives a purge: it is exported as {@code access_log},
 * never purged here.
 */
@ApplicationScoped
public class SubjectData {
    static final String SERVICE = "rules-svc";
    static final Set<DataCategory> HELD = Set.of(DataCategory.DATA_CATEGORY_ALERTS, DataCategory.DATA_CATEGORY_CONDITIONS);

    private final AlertRepository alerts;
    private final AlertEventRepository events;
    private final ProcessedEventRepository processed;
    private final SubjectConditionsRepository conditions;
    private final MonitorStateRepository monitorStates;
    private final SharingGrantsRepository grantVersions;
    private final SharingGrantRepository grants;
    private final PurgeRunRepository runs;
    private final SubjectOrders orders;
    private final AlertWriter writer;
    private final ObjectMapper json;
    private final AuditLog audit;
    private final AuditQueries auditQueries;

    public SubjectData(AlertRepository alerts, AlertEventRepository events, ProcessedEventRepository processed,
            SubjectConditionsRepository conditions, MonitorStateRepository monitorStates, SharingGrantsRepository grantVersions,
            SharingGrantRepository grants, PurgeRunRepository runs, SubjectOrders orders, AlertWriter writer, ObjectMapper json,
            AuditLog audit, AuditQueries auditQueries) {
        this.audit = audit;
        this.auditQueries = auditQueries;
        this.alerts = alerts;
        this.events = events;
        this.processed = processed;
        this.conditions = conditions;
        this.monitorStates = monitorStates;
        this.grantVersions = grantVersions;
        this.grants = grants;
        this.runs = runs;
        this.orders = orders;
        this.writer = writer;
        this.json = json;
    }

    /**
     * Deletes per category; idempotent on purge_id (a repeated run returns the first run's counts).
     * A purge of everything (no categories, no older_than: the subject's identity is gone) leaves a
     * tombstone of the subject's id ({@link PurgedSubjects}) that refuses any later Put* or Record*.
     * Recorded ("subject.purge", with the counts) in the purge's transaction. The audit log itself is
     * not purged: it is the evidence of who accessed the data, and holds ids and purposes, not the data.
     */
    public Uni<Map<String, Long>> purge(Caller caller, Justification why, PurgeSubjectRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        UUID purgeId = Check.uuid("purge_id", r.getPurgeId());
        Instant olderThan = Timestamps.optional("older_than", r.hasOlderThan() ? r.getOlderThan() : null);
        Set<DataCategory> categories = new LinkedHashSet<>();
        for (int i = 0; i < r.getCategoriesCount(); i++) {
            DataCategory c = r.getCategories(i);
            if (c == DataCategory.DATA_CATEGORY_UNSPECIFIED || c == DataCategory.UNRECOGNIZED) {
                throw SentinelException.invalid("categories[" + i + "]", "must be a known data category");
            }
            categories.add(c);
        }
        boolean everything = categories.isEmpty();
        if (everything) {
            categories.addAll(List.of(DataCategory.DATA_CATEGORY_ALERTS, DataCategory.DATA_CATEGORY_CONDITIONS));
        }
        // The in-memory order goes only once the deletion has committed.
        AtomicBoolean conditionsGone = new AtomicBoolean();
        // A full purge leaves a tombstone, so no late message brings the subject back; its lock comes first.
        boolean full = everything && olderThan == null;
        return Panache.withTransaction(() -> (full ? Panache.getSession().flatMap(s -> PurgedSubjects.lockForPurge(s, subject))
                : Uni.createFrom().voidItem())
                .chain(() -> purge(subject, purgeId, categories, everything, olderThan, conditionsGone))
                .call(counts -> full ? Panache.getSession().flatMap(s -> PurgedSubjects.bury(s, subject, purgeId)) : Uni.createFrom().voidItem())
                .call(counts -> Panache.getSession().flatMap(s -> audit.write(s, AuditRecord.of(caller, why, "subject.purge",
                        List.of(subject.toString()), AuditRecord.ALLOWED, "purge " + purgeId + " " + writeCounts(counts))))))
                .invoke(() -> {
                    if (conditionsGone.get()) {
                        orders.remove(subject);
                    }
                });
    }

    private Uni<Map<String, Long>> purge(UUID subject, UUID purgeId, Set<DataCategory> categories, boolean everything, Instant olderThan,
            AtomicBoolean conditionsGone) {
        // One run purges many subjects: a request is known by (run, subject), and a repeat answers the first counts.
        return writer.lockMonitors().flatMap(x -> runs.findById(new PurgeRunEntity.Key(purgeId, subject))).flatMap(done -> {
            if (done != null) {
                return Uni.createFrom().item(readCounts(done.counts));
            }
            Map<String, Long> counts = new LinkedHashMap<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (DataCategory c : categories) {
                chain = chain.flatMap(x -> purge(subject, c, olderThan, conditionsGone).invoke(n -> counts.put(c.name(), n)))
                        .replaceWithVoid();
            }
            if (everything && olderThan == null) {
                chain = chain.flatMap(x -> grants.delete("subjectId", subject)).flatMap(x -> grantVersions.delete("subjectId", subject))
                        .replaceWithVoid();
            }
            return chain.flatMap(x -> {
                PurgeRunEntity run = new PurgeRunEntity();
                run.purgeId = purgeId;
                run.subjectId = subject;
                run.counts = writeCounts(counts);
                run.at = Instant.now();
                return runs.persist(run);
            }).replaceWith(counts);
        });
    }

    private Uni<Long> purge(UUID subject, DataCategory c, Instant olderThan, AtomicBoolean conditionsGone) {
        // Without older_than everything goes; with it, only what began (alerts) or last changed (conditions) before it.
        String alertAge = olderThan == null ? "" : " and a.openedAt < :t";
        Parameters p = Parameters.with("s", subject);
        if (olderThan != null) {
            p.and("t", olderThan);
        }
        return switch (c) {
            case DATA_CATEGORY_ALERTS -> events
                    .delete("alertId in (select a.alertId from AlertEntity a where a.subjectId = :s" + alertAge + ")", p)
                    .flatMap(x -> olderThan == null ? processed.delete("subjectId", subject) : Uni.createFrom().item(0L))
                    .flatMap(x -> alerts.delete("delete from AlertEntity a where a.subjectId = :s" + alertAge, p));
            case DATA_CATEGORY_CONDITIONS -> conditions
                    .delete("delete from SubjectConditionsEntity c where c.subjectId = :s" + (olderThan == null ? "" : " and c.updatedAt < :t"), p)
                    .flatMap(n -> {
                        if (n == 0) {
                            return Uni.createFrom().item(0L);
                        }
                        conditionsGone.set(true);
                        return monitorStates.delete("subjectId", subject).replaceWith(n);
                    });
            // Not held by rules-svc.
            default -> Uni.createFrom().item(0L);
        };
    }

    /**
     * Everything held about the subject, as one JSON object whose keys name record kinds (small:
     * conditions, alerts and their events; streamed in parts by the gRPC service), with
     * {@code access_log}: who read or changed the subject's data here, when and why. The export is
     * recorded ("subject.export") once it is assembled.
     */
    public Uni<ObjectNode> export(Caller caller, Justification why, String subjectId) {
        UUID subject = Check.uuid("subject_id", subjectId);
        return Panache.withSession(() -> assemble(subject)).call(x -> audit.write(AuditRecord.of(caller, why, "subject.export",
                List.of(subject.toString()), AuditRecord.ALLOWED, "")));
    }

    private Uni<ObjectNode> assemble(UUID subject) {
        ObjectNode root = json.createObjectNode();
        root.put("subject_id", subject.toString());
        return conditions.findById(subject).invoke(c -> {
            if (c == null) {
                root.putNull("conditions");
                return;
            }
            ObjectNode n = root.putObject("conditions");
            n.put("owning_agency_id", c.owningAgencyId);
            n.put("order_id", c.orderId.toString());
            n.put("version", c.version);
            n.put("active", c.active);
            n.put("updated_at", c.updatedAt.toString());
            try {
                n.set("received", json.readTree(ProtoJson.print(PutSubjectConditionsRequest.parseFrom(c.conditions))));
            } catch (InvalidProtocolBufferException | JsonProcessingException e) {
                throw new IllegalStateException("stored conditions of subject " + subject + " are unreadable", e);
            }
        }).flatMap(x -> monitorStates.findById(subject)).invoke(m -> {
            if (m == null) {
                root.putNull("monitor_state");
            } else {
                try {
                    root.set("monitor_state", json.readTree(m.state));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }).flatMap(x -> alerts.list("subjectId = ?1 order by openedAt", subject)).invoke(list -> {
            ArrayNode a = root.putArray("alerts");
            for (var e : list) {
                try {
                    a.add(json.readTree(ProtoJson.print(AlertMapping.toProto(e))));
                } catch (JsonProcessingException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        }).flatMap(x -> events.list("alertId in (select a.alertId from AlertEntity a where a.subjectId = ?1) order by cursor nulls last, eventId", subject))
                .invoke(list -> {
                    ArrayNode a = root.putArray("alert_events");
                    for (var e : list) {
                        ObjectNode n = a.addObject();
                        n.put("cursor", e.cursor);
                        n.put("alert_id", e.alertId.toString());
                        n.put("type", e.type);
                        n.put("state", e.state);
                        n.put("at", e.at.toString());
                    }
                }).flatMap(x -> processed.list("subjectId = ?1 order by at", subject)).invoke(list -> {
                    ArrayNode a = root.putArray("processed_events");
                    for (var e : list) {
                        ObjectNode n = a.addObject();
                        n.put("event_id", e.eventId.toString());
                        n.put("source", e.source);
                        n.put("alert_id", e.alertId == null ? null : e.alertId.toString());
                        n.put("at", e.at.toString());
                    }
                }).flatMap(x -> auditQueries.forSubject(subject.toString()))
                .invoke(entries -> {
                    root.set("access_log", json.valueToTree(AuditQueries.accessLog(SERVICE, entries)));
                }).flatMap(x -> grants.list("subjectId = ?1 order by validUntil", subject)).map(list -> {
                    ArrayNode a = root.putArray("sharing_grants");
                    for (var g : list) {
                        ObjectNode n = a.addObject();
                        n.put("grant_id", g.grantId.toString());
                        n.put("agency_id", g.agencyId);
                        ArrayNode cats = n.putArray("categories");
                        for (String c : g.categories.trim().split(" ")) {
                            cats.add(c);
                        }
                        n.put("purpose", g.purpose);
                        n.put("valid_until", g.validUntil.toString());
                    }
                    return root;
                });
    }

    private String writeCounts(Map<String, Long> counts) {
        try {
            return json.writeValueAsString(counts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Long> readCounts(String text) {
        try {
            return json.readValue(text, new TypeReference<LinkedHashMap<String, Long>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
