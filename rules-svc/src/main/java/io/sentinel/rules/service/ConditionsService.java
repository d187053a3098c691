package io.sentinel.rules.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.conditions.ConditionsValidator;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.security.Caller;
import io.sentinel.rules.domain.geo.ZoneIndex;
import io.sentinel.rules.domain.monitor.ConditionEvent;
import io.sentinel.rules.domain.monitor.MonitoringOrder;
import io.sentinel.rules.domain.monitor.SubjectMonitor;
import io.sentinel.rules.repository.SubjectConditionsEntity;
import io.sentinel.rules.repository.SubjectConditionsRepository;
import io.smallrye.mutiny.Uni;

/** Keeps the conditions enrollment-svc sends, in the database and in the in-memory orders. */
@ApplicationScoped
public class ConditionsService {
    private static final Logger LOG = Logger.getLogger(ConditionsService.class);

    private final SubjectConditionsRepository repository;
    private final SubjectOrders orders;
    private final MonitorStates states;
    private final AlertWriter writer;
    private final EvaluationService evaluation;
    private final AuditLog audit;

    public ConditionsService(SubjectConditionsRepository repository, SubjectOrders orders, MonitorStates states, AlertWriter writer,
            EvaluationService evaluation, AuditLog audit) {
        this.audit = audit;
        this.repository = repository;
        this.orders = orders;
        this.states = states;
        this.writer = writer;
        this.evaluation = evaluation;
    }

    /**
     * Applies a newer version; an older or equal one changes nothing. Returns the version held.
     * Conditions that disappear or change zone end now, closing their alerts; the others keep
     * their dwell evidence. An inactive version ends every condition. The call is recorded
     * ("conditions.put", by the calling service, with whatever justification it forwarded) in the
     * same transaction.
     */
    public Uni<Long> put(Caller caller, Justification why, PutSubjectConditionsRequest request) {
        Check.required("owning_agency_id", request.getOwningAgencyId());
        Check.uuid("order_id", request.getOrderId());
        // Validation and compilation (geometry of up to 50,000 vertices) run on a worker thread.
        return orders.compileOffEventLoop(request).flatMap(compiled -> {
            // The in-memory order changes only once the transaction has committed.
            AtomicBoolean applied = new AtomicBoolean();
            return Panache.withTransaction(() -> store(caller, why, request, compiled, applied)).invoke(() -> {
                if (applied.get()) {
                    orders.put(compiled, request.getActive());
                }
            });
        });
    }

    private Uni<Long> store(Caller caller, Justification why, PutSubjectConditionsRequest request, SubjectOrders.Compiled compiled, AtomicBoolean applied) {
        UUID subjectId = compiled.subjectId();
        // A purged subject's tombstone refuses conditions that arrive late (the tombstone lock before any other).
        return Panache.getSession().flatMap(s -> PurgedSubjects.refuseIfPurged(s, "subject_id", subjectId))
                .flatMap(t -> writer.lockMonitors()).flatMap(x -> repository.findById(subjectId)).flatMap(existing -> {
            if (existing != null && existing.version >= request.getVersion()) {
                return record(caller, why, subjectId, "version " + request.getVersion() + " not newer than " + existing.version + ": unchanged")
                        .replaceWith(existing.version);
            }
            SubjectConditionsEntity e = existing != null ? existing : new SubjectConditionsEntity();
            e.subjectId = subjectId;
            e.owningAgencyId = request.getOwningAgencyId();
            e.orderId = UUID.fromString(request.getOrderId());
            e.version = request.getVersion();
            e.active = request.getActive();
            e.conditions = request.toByteArray();
            e.orderStartsAt = compiled.window().startsAt();
            e.orderEndsAt = compiled.window().endsAt();
            e.updatedAt = Instant.now();
            Uni<SubjectConditionsEntity> saved = existing != null ? Uni.createFrom().item(e) : repository.persist(e);
            return saved.flatMap(s -> replaceOrder(compiled, request.getActive()))
                    .call(y -> record(caller, why, subjectId, "version " + request.getVersion() + (request.getActive() ? "" : ", monitoring ended")
                            + ": " + request.getZonesCount() + " zones, " + request.getCurfewsCount() + " curfews"))
                    .map(y -> {
                        applied.set(true);
                        return e.version;
                    });
        });
    }

    /** The record of a put, in its transaction: counts and versions only, never zones or times. */
    private Uni<Void> record(Caller caller, Justification why, UUID subjectId, String detail) {
        return Panache.getSession().flatMap(s -> audit.write(s, AuditRecord.of(caller, why, "conditions.put",
                List.of(subjectId.toString()), AuditRecord.ALLOWED, detail)));
    }

    private Uni<Void> replaceOrder(SubjectOrders.Compiled next, boolean active) {
        SubjectOrders.Compiled previous = orders.get(next.subjectId());
        if (previous == null) {
            return Uni.createFrom().voidItem();
        }
        return states.load(List.of(next.subjectId())).flatMap(saved -> {
            SubjectMonitor m = new SubjectMonitor(previous.order(), saved.getOrDefault(next.subjectId(), Map.of()));
            MonitoringOrder order = active ? next.order() : MonitoringOrder.of(next.subjectId().toString(), List.of(), ZoneIndex.empty());
            List<EvaluationService.Change> changes = new ArrayList<>();
            for (ConditionEvent ev : m.replaceOrder(order, Instant.now())) {
                changes.add(new EvaluationService.Change(previous, ev, null));
            }
            Uni<Integer> applied = evaluation.apply(changes);
            if (!active) {
                return applied.flatMap(n -> states.delete(next.subjectId())).replaceWithVoid();
            }
            return applied.flatMap(n -> states.save(Map.of(next.subjectId(), m)));
        });
    }

    /**
     * How far before the previous refresh (or the start) {@link #refresh} looks again: a row is
     * stamped before its transaction commits, and another replica's clock may lag; re-reading a
     * row already held costs only a version comparison.
     */
    static final java.time.Duration REFRESH_OVERLAP = java.time.Duration.ofMinutes(1);

    /** When the previous refresh (or the load at start) began. */
    private volatile Instant refreshedFrom = Instant.now();

    @io.quarkus.scheduler.Scheduled(every = "${sentinel.rules.conditions-refresh}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshJob() {
        return refresh().onFailure().invoke(t -> LOG.warnf("refreshing conditions failed: %s", t.getMessage())).replaceWithVoid();
    }

    /**
     * Takes up conditions another replica stored: every replica holds the compiled orders in
     * memory, and PutSubjectConditions reaches only one of them. Of the rows updated since shortly
     * before the previous refresh, only versions and flags are read; those newer than the version
     * held are loaded, compiled and held (an inactive one drops the subject). The alerts a change
     * closes were already written by the replica that stored it. Returns how many subjects changed.
     */
    @WithSession
    public Uni<Integer> refresh() {
        Instant started = Instant.now();
        Instant since = refreshedFrom.minus(REFRESH_OVERLAP);
        return Panache.getSession().flatMap(s -> s.createNativeQuery(
                "select cast(subject_id as text), version, active from subject_conditions where updated_at >= cast(cast(?1 as text) as timestamptz)",
                Object[].class).setParameter(1, since.toString()).getResultList())
                .map(rows -> {
                    List<UUID> newer = new ArrayList<>();
                    for (Object[] row : rows) {
                        UUID subject = UUID.fromString((String) row[0]);
                        long version = ((Number) row[1]).longValue();
                        SubjectOrders.Compiled held = orders.get(subject);
                        if (held == null ? Boolean.TRUE.equals(row[2]) : held.version() < version) {
                            newer.add(subject);
                        }
                    }
                    return newer;
                })
                .flatMap(newer -> newer.isEmpty() ? Uni.createFrom().item(List.<SubjectConditionsEntity>of())
                        : repository.list("subjectId in ?1", newer))
                .flatMap(changed -> ConditionsValidator.offEventLoop(() -> {
                    int taken = 0;
                    for (SubjectConditionsEntity row : changed) {
                        if (takeUp(row, row.active)) {
                            taken++;
                        }
                    }
                    refreshedFrom = started;
                    return taken;
                }));
    }

    /**
     * Brings the held conditions of {@code subjects} up to the stored version. Fix evaluation calls
     * it under the monitors' lock, where the stored version is the latest (a put stores under the
     * same lock), so a replica never judges a fix by conditions another replica has already
     * replaced, whatever the refresh interval. Only versions are read unless one is newer.
     */
    public Uni<Void> catchUp(java.util.Collection<UUID> subjects) {
        if (subjects.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String ids = subjects.stream().map(UUID::toString).collect(java.util.stream.Collectors.joining(",", "{", "}"));
        return Panache.getSession().flatMap(s -> s.createNativeQuery("select cast(subject_id as text), version, active from subject_conditions"
                + " where subject_id = any(cast(cast(?1 as text) as uuid[]))", Object[].class).setParameter(1, ids).getResultList())
                .map(rows -> {
                    List<UUID> newer = new ArrayList<>();
                    for (Object[] row : rows) {
                        UUID subject = UUID.fromString((String) row[0]);
                        SubjectOrders.Compiled held = orders.get(subject);
                        if (held == null ? Boolean.TRUE.equals(row[2]) : held.version() < ((Number) row[1]).longValue()) {
                            newer.add(subject);
                        }
                    }
                    return newer;
                })
                .flatMap(newer -> newer.isEmpty() ? Uni.createFrom().voidItem()
                        : repository.list("subjectId in ?1", newer).flatMap(changed -> ConditionsValidator.offEventLoop(() -> {
                            changed.forEach(row -> takeUp(row, row.active));
                            return changed.size();
                        })).replaceWithVoid());
    }

    /**
     * Compiles and holds stored conditions; false (logged, naming the field only: the message may
     * quote coordinates) when they cannot be, e.g. stored before a limit they now exceed.
     */
    private boolean takeUp(SubjectConditionsEntity row, boolean active) {
        try {
            orders.put(orders.compile(PutSubjectConditionsRequest.parseFrom(row.conditions)), active);
            return true;
        } catch (InvalidProtocolBufferException e) {
            LOG.errorf("stored conditions of subject %s (version %d) are unreadable", row.subjectId, row.version);
        } catch (SentinelException e) {
            LOG.errorf("stored conditions of subject %s (version %d) are refused by the current validator at %s; the subject is not "
                    + "monitored here until enrollment-svc sends new conditions", row.subjectId, row.version, e.field());
        }
        return false;
    }

    void loadAtStart(@Observes StartupEvent ev) throws Throwable {
        int loaded = VertxContextSupport.subscribeAndAwait(this::loadAll);
        LOG.infof("loaded the conditions of %d monitored subjects", loaded);
    }

    @WithSession
    Uni<Integer> loadAll() {
        return repository.list("active", true).map(rows -> {
            int held = 0;
            for (SubjectConditionsEntity row : rows) {
                if (takeUp(row, true)) {
                    held++;
                }
            }
            return held;
        });
    }
}
