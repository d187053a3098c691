package io.sentinel.enrollment.service;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.enrollment.v1.PeerPurgeStatus;
import io.sentinel.api.enrollment.v1.PurgeCount;
import io.sentinel.api.enrollment.v1.PurgeReport;
import io.sentinel.api.enrollment.v1.RetentionPeriod;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.outbox.Outbox;
import io.sentinel.common.outbox.OutboxEngine;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Roles;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.domain.RetentionSchedule;
import io.sentinel.enrollment.domain.RetentionSchedule.Category;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Retention: per-agency periods, and the purge that deletes or anonymises what is due, asks the
 * three peers (through the outbox, so a peer that is down is asked again until it confirms) to do
 * the same, and writes a report of counts. The report says which peers have confirmed, never more.
 * A run covers one agency; each purged subject is recorded in the audit log in the run's transaction
 * (the audit records themselves are kept: they are the evidence of who accessed the data, and hold
 * ids and purposes, not the data). Periods count from when the subject's last order really ended
 * ({@code ended_at}: EndOrder's time, or ends_at when {@link OrderExpiry} ended it); a subject with an
 * active order has nothing due, also in the moments between its ends_at and the expiry job's run.
 */
@ApplicationScoped
public class RetentionService {
    private static final Logger LOG = Logger.getLogger(RetentionService.class);
    private static final long PURGE_LOCK = 0x5e471e1a9e7L;
    static final String SELF = "enrollment-svc";
    static final List<String> PEERS = List.of(PeerMessages.RULES, PeerMessages.LOCATION, PeerMessages.BIOMETRIC);

    private final Pool pool;
    private final Outbox outbox;
    private final AuditLog audit;
    private final OrderExpiry expiry;
    private final Map<Category, Integer> defaults = new EnumMap<>(Category.class);

    public RetentionService(Pool pool, Outbox outbox, AuditLog audit, OrderExpiry expiry,
            @ConfigProperty(name = "sentinel.retention.default-days.identity") int identity,
            @ConfigProperty(name = "sentinel.retention.default-days.conditions") int conditions,
            @ConfigProperty(name = "sentinel.retention.default-days.location-trail") int trail,
            @ConfigProperty(name = "sentinel.retention.default-days.alerts") int alerts,
            @ConfigProperty(name = "sentinel.retention.default-days.biometric-results") int biometric) {
        this.pool = pool;
        this.outbox = outbox;
        this.audit = audit;
        this.expiry = expiry;
        defaults.put(Category.IDENTITY, identity);
        defaults.put(Category.CONDITIONS, conditions);
        defaults.put(Category.LOCATION_TRAIL, trail);
        defaults.put(Category.ALERTS, alerts);
        defaults.put(Category.BIOMETRIC_RESULTS, biometric);
        RetentionSchedule.validate(defaults, Map.of());
    }

    // ---- policy

    public Uni<Map<Category, Integer>> policy(String agency) {
        return pool.preparedQuery("select category, days from retention_policy where agency_id = $1").execute(Tuple.of(agency)).map(rows -> {
            Map<Category, Integer> p = new EnumMap<>(defaults);
            for (Row r : rows) {
                p.put(Category.valueOf(r.getString("category")), r.getInteger("days"));
            }
            return p;
        });
    }

    public static List<RetentionPeriod> toProto(Map<Category, Integer> p) {
        List<RetentionPeriod> out = new ArrayList<>();
        p.forEach((c, d) -> out.add(RetentionPeriod.newBuilder().setCategory(DataCategory.valueOf(c.wireName())).setDays(d).build()));
        return out;
    }

    public Uni<Map<Category, Integer>> setPolicy(Caller caller, Justification why, List<RetentionPeriod> periods) {
        if (periods.isEmpty()) {
            throw SentinelException.invalid("periods", "at least one period is required");
        }
        Map<Category, Integer> changes = new EnumMap<>(Category.class);
        Map<Category, String> fieldOf = new EnumMap<>(Category.class);
        for (int i = 0; i < periods.size(); i++) {
            RetentionPeriod p = periods.get(i);
            String f = "periods[" + i + "]";
            if (p.getCategory() == DataCategory.DATA_CATEGORY_UNSPECIFIED || p.getCategory() == DataCategory.UNRECOGNIZED) {
                throw SentinelException.invalid(f + ".category", "must be IDENTITY, CONDITIONS, LOCATION_TRAIL, ALERTS or BIOMETRIC_RESULTS");
            }
            Category c = Category.valueOf(p.getCategory().name().substring("DATA_CATEGORY_".length()));
            if (changes.put(c, p.getDays()) != null) {
                throw SentinelException.invalid(f + ".category", p.getCategory().name() + " is listed twice");
            }
            fieldOf.put(c, f + ".days");
        }
        return policy(caller.agencyId()).flatMap(current -> {
            Map<Category, Integer> merged = new EnumMap<>(current);
            merged.putAll(changes);
            RetentionSchedule.validate(merged, fieldOf);
            return pool.withTransaction(c -> Multi.createFrom().iterable(changes.entrySet()).onItem()
                    .transformToUniAndConcatenate(e -> c.preparedQuery("""
                            insert into retention_policy (agency_id, category, days) values ($1, $2, $3)
                            on conflict (agency_id, category) do update set days = excluded.days""")
                            .execute(Tuple.of(caller.agencyId(), e.getKey().name(), e.getValue())))
                    .collect().asList()
                    .call(x -> audit.write(c, AuditRecord.of(caller, why, AuditActions.RETENTION_SET_POLICY, List.of(), AuditRecord.ALLOWED,
                            changes.entrySet().stream().map(e -> e.getKey().name() + "=" + e.getValue()).reduce((a, b) -> a + "," + b).orElse("")))))
                    .replaceWith(merged);
        });
    }

    // ---- purge

    /** The scheduled run: one purge per agency holding subjects here, each with its own report. */
    @Scheduled(cron = "${sentinel.retention.purge-cron}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return pool.query("select distinct owning_agency_id from subject order by 1").execute()
                .flatMap(rows -> {
                    List<String> agencies = new ArrayList<>();
                    rows.forEach(r -> agencies.add(r.getString(0)));
                    return Multi.createFrom().iterable(agencies).onItem().transformToUniAndConcatenate(agency -> purge(scheduler(agency),
                            new Justification("retention periods elapsed", "scheduled retention purge", ""), agency)
                            .invoke(r -> LOG.infof("retention purge %s of %s: %d subjects", r.getPurgeId(), agency, r.getSubjects())))
                            .collect().asList();
                }).replaceWithVoid();
    }

    /** Who the scheduled purge acts as: this service, for the agency whose subjects it purges. */
    static Caller scheduler(String agency) {
        return new Caller(SELF, agency, Set.of(Roles.SERVICE));
    }

    private record Candidate(UUID subjectId, String agency, Instant reference, boolean active) {
    }

    /** Runs one purge over the subjects of {@code agency} on behalf of {@code who} and returns its report. */
    public Uni<PurgeReport> purge(Caller who, Justification why, String agency) {
        UUID purgeId = UUID.randomUUID();
        Instant now = Instant.now();
        Map<String, Long> counts = new LinkedHashMap<>();
        // Orders whose window has closed are ended first (the expiry job's own path), so a purge never
        // counts an order as running in the moments between its ends_at and the job's next run, nor as
        // over before it has been ended (peers told, device released). If that fails the purge goes on:
        // such a subject then counts as still monitored, which keeps its data rather than losing it.
        return expiry.expireDue().onFailure().invoke(t -> LOG.warnf("ending expired orders before the purge failed: %s", t.getMessage()))
                .onFailure().recoverWithItem(0)
                .chain(() -> pool.withTransaction(c -> c.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(PURGE_LOCK))
                .flatMap(x -> c.preparedQuery("select agency_id, category, days from retention_policy where agency_id = $1").execute(Tuple.of(agency)))
                .flatMap(policyRows -> c.preparedQuery("""
                        select p.subject_id, p.category from subject_category_purged p join subject s on s.subject_id = p.subject_id
                        where s.owning_agency_id = $1""").execute(Tuple.of(agency)).flatMap(purgedRows -> c.preparedQuery("""
                        select s.subject_id, s.owning_agency_id, coalesce(max(coalesce(o.ended_at, o.ends_at)), s.created_at) as reference,
                               coalesce(bool_or(o.state = 'ORDER_STATE_ACTIVE'), false) as active
                        from subject s left join monitoring_order o on o.subject_id = s.subject_id
                        where s.owning_agency_id = $1
                        group by s.subject_id, s.owning_agency_id, s.created_at""").execute(Tuple.of(agency)).flatMap(subjectRows -> {
                    Map<String, Map<Category, Integer>> policies = new HashMap<>();
                    for (Row r : policyRows) {
                        policies.computeIfAbsent(r.getString("agency_id"), a -> new EnumMap<>(defaults))
                                .put(Category.valueOf(r.getString("category")), r.getInteger("days"));
                    }
                    Map<UUID, Set<Category>> purged = new HashMap<>();
                    for (Row r : purgedRows) {
                        purged.computeIfAbsent(r.getUUID("subject_id"), s -> new HashSet<>()).add(Category.valueOf(r.getString("category")));
                    }
                    List<Map.Entry<Candidate, List<Category>>> work = new ArrayList<>();
                    for (Row r : subjectRows) {
                        Candidate cand = new Candidate(r.getUUID("subject_id"), r.getString("owning_agency_id"),
                                r.getOffsetDateTime("reference").toInstant(), r.getBoolean("active"));
                        List<Category> due = RetentionSchedule.due(cand.active(), cand.reference(),
                                policies.getOrDefault(cand.agency(), defaults), now, purged.getOrDefault(cand.subjectId(), Set.of()));
                        if (!due.isEmpty()) {
                            work.add(Map.entry(cand, due));
                        }
                    }
                    return Multi.createFrom().iterable(work).onItem()
                            .transformToUniAndConcatenate(w -> purgeSubject(c, purgeId, w.getKey().subjectId(), w.getValue(), counts)
                                    .call(x -> audit.write(c, AuditRecord.of(who, why, AuditActions.SUBJECT_PURGE, List.of(w.getKey().subjectId().toString()),
                                            AuditRecord.ALLOWED, "purge " + purgeId + ": " + w.getValue().stream().map(Category::name)
                                                    .reduce((a, b) -> a + "," + b).orElse(""))))
                                    .replaceWith(w))
                            .collect().asList()
                            .flatMap(done -> c.preparedQuery("insert into purge_report (purge_id, started_at, subjects, agency_id) values ($1, $2, $3, $4)")
                                    .execute(Tuple.of(purgeId, now.atOffset(ZoneOffset.UTC), done.size(), agency)))
                            .flatMap(x -> Multi.createFrom().iterable(counts.entrySet()).onItem().transformToUniAndConcatenate(e -> c.preparedQuery(
                                    "insert into purge_count (purge_id, source, category, count) values ($1, $2, $3, $4)")
                                    .execute(Tuple.of(purgeId, SELF, e.getKey(), e.getValue()))).collect().asList());
                })))))
                .invoke(x -> outbox.wake())
                .flatMap(x -> report(agency, purgeId));
    }

    private static void add(Map<String, Long> counts, Category c, long n) {
        counts.merge(c.wireName(), n, Long::sum);
    }

    private Uni<Void> purgeSubject(SqlConnection c, UUID purgeId, UUID subject, List<Category> due, Map<String, Long> counts) {
        Tuple s = Tuple.of(subject);
        // Outbox payloads and idempotency keys hold the id as text.
        Tuple text = Tuple.of(subject.toString());
        String mentions = "position(convert_to($1, 'UTF8') in payload) > 0";
        Uni<Void> local;
        if (due.contains(Category.IDENTITY)) {
            // Everything this service holds about the subject, including copies in delivered or
            // superseded outbox messages; only the purge requests themselves stay, to be delivered.
            // Rows written before the common outbox carry no subject_id: found by the id in their payload.
            local = OutboxEngine.forgetSubject(c, subject, List.of(PeerMessages.PURGE_SUBJECT))
                    .flatMap(x -> c.preparedQuery("delete from outbox_message where subject_id is null and kind <> '" + PeerMessages.PURGE_SUBJECT
                            + "' and " + mentions).execute(text))
                    .flatMap(x -> c.preparedQuery("""
                            delete from idempotency_key where resource_id = $1
                               or resource_id in (select order_id::text from monitoring_order where subject_id = $1::uuid)
                               or resource_id in (select grant_id::text from sharing_grant where subject_id = $1::uuid)""").execute(text))
                    .flatMap(x -> c.preparedQuery("delete from review_overdue_raised where order_id in (select order_id from monitoring_order where subject_id = $1)").execute(s))
                    .flatMap(x -> c.preparedQuery("delete from monitoring_order where subject_id = $1").execute(s))
                    .invoke(r -> add(counts, Category.CONDITIONS, r.rowCount()))
                    .flatMap(x -> c.preparedQuery("update device set assigned_subject_id = null, assigned_at = null where assigned_subject_id = $1").execute(s))
                    .flatMap(x -> c.preparedQuery("delete from device_assignment_history where subject_id = $1").execute(s))
                    .invoke(r -> add(counts, Category.IDENTITY, r.rowCount()))
                    .flatMap(x -> c.preparedQuery("delete from sharing_grant where subject_id = $1").execute(s))
                    .invoke(r -> add(counts, Category.IDENTITY, r.rowCount()))
                    .flatMap(x -> c.preparedQuery("delete from subject_category_purged where subject_id = $1").execute(s))
                    // The tombstone (ids only): the id takes nothing new here, and the peers keep their own.
                    .flatMap(x -> c.preparedQuery("""
                            insert into purged_subject (subject_id, owning_agency_id, purge_id, purged_at)
                            select subject_id, owning_agency_id, $2, now() from subject where subject_id = $1
                            on conflict (subject_id) do nothing""").execute(Tuple.of(subject, purgeId)))
                    .flatMap(x -> c.preparedQuery("delete from subject where subject_id = $1").execute(s))
                    .invoke(r -> add(counts, Category.IDENTITY, r.rowCount()))
                    .replaceWithVoid();
        } else {
            Uni<Void> conditions = !due.contains(Category.CONDITIONS) ? Uni.createFrom().voidItem()
                    : c.preparedQuery("update monitoring_order set conditions = '\\x'::bytea where subject_id = $1").execute(s)
                            .invoke(r -> add(counts, Category.CONDITIONS, r.rowCount()))
                            .flatMap(x -> c.preparedQuery("delete from outbox_message where state = 'DELIVERED' and kind in ('"
                                    + PeerMessages.PUT_CONDITIONS + "', '" + PeerMessages.PUT_SCHEDULE + "') and (subject_id = $2 or subject_id is null and "
                                    + mentions + ")").execute(Tuple.of(subject.toString(), subject)))
                            .replaceWithVoid();
            local = conditions.flatMap(x -> Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(cat -> c.preparedQuery(
                    "insert into subject_category_purged (subject_id, category, purge_id) values ($1, $2, $3) on conflict do nothing")
                    .execute(Tuple.of(subject, cat.name(), purgeId))).collect().asList()).replaceWithVoid();
            for (Category cat : due) {
                counts.putIfAbsent(cat.wireName(), 0L);
            }
        }
        // Empty categories ask a peer for everything it holds about the subject.
        List<DataCategory> categories = due.contains(Category.IDENTITY) ? List.of()
                : due.stream().map(cat -> DataCategory.valueOf(cat.wireName())).toList();
        byte[] request = PurgeSubjectRequest.newBuilder().setSubjectId(subject.toString()).addAllCategories(categories)
                .setPurgeId(purgeId.toString()).build().toByteArray();
        // One subject-data contract: the same message goes to each peer.
        return local.flatMap(x -> Multi.createFrom().iterable(PEERS).onItem().transformToUniAndConcatenate(peer -> OutboxEngine.enqueue(c,
                peer, PeerMessages.PURGE_SUBJECT, subject.toString(), subject, purgeId, request)).collect().asList()).replaceWithVoid();
    }

    /** The report of a run of {@code agency}; a run of another agency is NOT_FOUND. */
    public Uni<PurgeReport> report(String agency, String purgeId) {
        return report(agency, Check.uuid("purge_id", purgeId));
    }

    Uni<PurgeReport> report(String agency, UUID purgeId) {
        return pool.withConnection(c -> c.preparedQuery("select started_at, subjects from purge_report where purge_id = $1 and agency_id = $2")
                .execute(Tuple.of(purgeId, agency))
                .flatMap(head -> {
                    if (head.size() == 0) {
                        throw SentinelException.notFound("purge report", purgeId.toString());
                    }
                    Row h = head.iterator().next();
                    PurgeReport.Builder b = PurgeReport.newBuilder().setPurgeId(purgeId.toString())
                            .setStartedAt(Timestamps.of(h.getOffsetDateTime("started_at").toInstant())).setSubjects(h.getInteger("subjects"));
                    // Peer status first: a confirmation and its counts commit together, so counts read
                    // afterwards include those of every confirmation seen here.
                    // Each subject of the run was sent to each peer once; a peer's confirmation is kept per subject
                    // (purge_confirmation), however often it was delivered; refusals are its parked requests.
                    return c.preparedQuery("""
                            select p.target, $2::int as requested,
                                   (select count(*) from purge_confirmation f where f.purge_id = $1 and f.source = p.target)::int as confirmed,
                                   (select count(*) from outbox_message m where m.correlation_id = $1 and m.target = p.target
                                      and m.kind = 'PurgeSubject' and m.state = 'PARKED')::int as rejected
                            from unnest($3::text[]) as p(target) where $2 > 0 order by p.target""")
                            .execute(Tuple.of(purgeId, h.getInteger("subjects"), PEERS.toArray(String[]::new))).flatMap(peers -> {
                        boolean complete = true;
                        for (Row r : peers) {
                            int requested = r.getInteger("requested");
                            int confirmed = r.getInteger("confirmed");
                            int rejected = r.getInteger("rejected");
                            b.addPeers(PeerPurgeStatus.newBuilder().setTarget(r.getString("target")).setRequested(requested)
                                    .setConfirmed(confirmed).setRejected(rejected).setPending(requested - confirmed - rejected));
                            complete &= confirmed == requested;
                        }
                        b.setComplete(complete);
                        return c.preparedQuery("""
                                select source, category, sum(count)::bigint as count from purge_count where purge_id = $1
                                group by source, category order by source, category""")
                                .execute(Tuple.of(purgeId));
                    }).map(counts -> {
                        for (Row r : counts) {
                            b.addCounts(PurgeCount.newBuilder().setSource(r.getString("source")).setCategory(r.getString("category"))
                                    .setCount(r.getLong("count")));
                        }
                        return b.build();
                    });
                }));
    }
}
