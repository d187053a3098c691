package io.sentinel.location.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.window.OrderWindow;
import io.sentinel.location.repository.DeviceAssignmentEntity;
import io.sentinel.location.repository.DeviceAssignmentRepository;
import io.smallrye.mutiny.Uni;

/** Applies the device assignments enrollment-svc sends, each applied change recorded in the audit log with it. */
@ApplicationScoped
public class AssignmentService {
    private static final Logger LOG = Logger.getLogger(AssignmentService.class);
    public static final String ACTION = "assignment.put";

    /** Used when enrollment-svc states no interval: a quarter of an hour of silence is worth an alert. */
    static final Duration DEFAULT_EXPECTED_INTERVAL = Duration.ofMinutes(15);

    private final DeviceAssignmentRepository repository;
    private final DeviceRegistry registry;
    private final AuditLog audit;
    private final io.vertx.mutiny.sqlclient.Pool pool;

    public AssignmentService(DeviceAssignmentRepository repository, DeviceRegistry registry, AuditLog audit,
            io.vertx.mutiny.sqlclient.Pool pool) {
        this.pool = pool;
        this.repository = repository;
        this.registry = registry;
        this.audit = audit;
    }

    /**
     * Applies a newer version, recorded in the audit log in the same transaction (the subjects the
     * device leaves and joins); an older or equal one changes nothing. Returns the version held. An
     * assignment to a subject purged here is refused (FAILED_PRECONDITION, reason SUBJECT_PURGED).
     * {@code caller} is the peer service that sent it.
     */
    @WithTransaction
    public Uni<Long> put(Caller caller, PutDeviceAssignmentRequest r) {
        UUID deviceId = Check.uuid("device_id", r.getDeviceId());
        UUID subjectId = r.getSubjectId().isEmpty() ? null : Check.uuid("subject_id", r.getSubjectId());
        Check.required("owning_agency_id", r.getOwningAgencyId());
        if (subjectId != null && (r.getCadence() == LocationCadence.LOCATION_CADENCE_UNSPECIFIED
                || r.getCadence() == LocationCadence.UNRECOGNIZED)) {
            throw SentinelException.invalid("cadence", "must be CONTINUOUS_TRAIL or CURFEW_AND_ZONES_ONLY for an assigned device");
        }
        if (r.getVersion() <= 0) {
            throw SentinelException.invalid("version", "must be positive");
        }
        Instant effective = Timestamps.required("effective_at", r.getEffectiveAt());
        long intervalSeconds = DEFAULT_EXPECTED_INTERVAL.toSeconds();
        if (r.hasExpectedReportInterval()) {
            intervalSeconds = r.getExpectedReportInterval().getSeconds();
            if (intervalSeconds < 10 || intervalSeconds > Duration.ofDays(7).toSeconds()) {
                throw SentinelException.invalid("expected_report_interval", "must be within [10 s, 7 days], got " + intervalSeconds + " s");
            }
        }
        long interval = intervalSeconds;
        String serial = r.getSerial().isEmpty() ? null : Check.serial("serial", r.getSerial());
        // Empty is allowed: a device registered before bindings existed has none, and none may report it.
        List<String> gatewayIds = Check.gatewayIds("gateway_ids", r.getGatewayIdsList(), 0);
        OrderWindow window = OrderWindow.of("order_", r.getOrderStartsAt(), r.getOrderEndsAt());
        // An assignment to a purged subject is refused (its tombstone); a release names no subject.
        Uni<Void> alive = subjectId == null ? Uni.createFrom().voidItem()
                : repository.getSession().flatMap(s -> PurgedSubjects.refuseIfPurged(s, "subject_id", subjectId));
        return alive.chain(() -> repository.findById(deviceId)).flatMap(existing -> {
            if (existing != null && existing.version >= r.getVersion()) {
                return Uni.createFrom().item(existing.version);
            }
            UUID holder = serial == null ? null : registry.serialHolder(r.getOwningAgencyId(), serial, deviceId);
            if (holder != null) {
                throw SentinelException.alreadyExists("serial", "serial " + serial + " already names device " + holder + " of this agency");
            }
            List<String> affected = new ArrayList<>();
            if (existing != null && existing.subjectId != null) {
                affected.add(existing.subjectId.toString());
            }
            if (subjectId != null) {
                affected.add(subjectId.toString());
            }
            AuditRecord change = AuditRecord.of(caller, Justification.NONE, ACTION, affected, AuditRecord.ALLOWED, "device " + deviceId
                    + ", version " + r.getVersion() + (subjectId == null ? ", released" : ", " + r.getCadence().name()));
            DeviceAssignmentEntity e = existing != null ? existing : new DeviceAssignmentEntity();
            e.deviceId = deviceId;
            e.subjectId = subjectId;
            e.owningAgencyId = r.getOwningAgencyId();
            e.cadence = r.getCadence().name();
            e.version = r.getVersion();
            e.effectiveAt = effective;
            e.expectedIntervalSeconds = interval;
            e.serial = serial;
            e.gatewayIds = String.join(",", gatewayIds);
            e.orderStartsAt = window.startsAt();
            e.orderEndsAt = window.endsAt();
            e.updatedAt = Instant.now();
            Uni<DeviceAssignmentEntity> saved = existing != null ? Uni.createFrom().item(e) : repository.persist(e);
            return saved.call(s -> repository.getSession().flatMap(session -> audit.write(session, change))).map(s -> {
                registry.put(toAssignment(s));
                return s.version;
            });
        });
    }

    /**
     * Takes into the registry the stored assignments, newer than held, of the devices that
     * {@code identifiers} (UUIDs or serials) name in {@code agencyId}. Ingestion calls it before
     * refusing a fix as unknown, unassigned or outside its window: the registry is a cache, and an
     * assignment another replica stored (AssignDevice's direct delivery reaches one replica) is in the
     * database before this replica's next refresh.
     */
    public Uni<Void> reload(String agencyId, java.util.Collection<String> identifiers) {
        String[] ids = identifiers.toArray(new String[0]);
        String[] lower = identifiers.stream().map(i -> i.toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);
        return pool.preparedQuery("""
                select device_id, subject_id, owning_agency_id, cadence, version, effective_at, expected_interval_seconds, serial,
                       gateway_ids, order_starts_at, order_ends_at
                from device_assignment where owning_agency_id = $1 and (device_id::text = any($2) or serial = any($3))""")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(agencyId, lower, ids)).invoke(rows -> {
                    for (io.vertx.mutiny.sqlclient.Row row : rows) {
                        DeviceAssignmentEntity e = new DeviceAssignmentEntity();
                        e.deviceId = row.getUUID("device_id");
                        e.subjectId = row.getUUID("subject_id");
                        e.owningAgencyId = row.getString("owning_agency_id");
                        e.cadence = row.getString("cadence");
                        e.version = row.getLong("version");
                        e.effectiveAt = instant(row, "effective_at");
                        e.expectedIntervalSeconds = row.getLong("expected_interval_seconds");
                        e.serial = row.getString("serial");
                        e.gatewayIds = row.getString("gateway_ids");
                        e.orderStartsAt = instant(row, "order_starts_at");
                        e.orderEndsAt = instant(row, "order_ends_at");
                        registry.putIfNewer(toAssignment(e));
                    }
                }).replaceWithVoid();
    }

    private static Instant instant(io.vertx.mutiny.sqlclient.Row row, String column) {
        var t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    static DeviceRegistry.Assignment toAssignment(DeviceAssignmentEntity e) {
        return new DeviceRegistry.Assignment(e.deviceId, e.subjectId, e.owningAgencyId, LocationCadence.valueOf(e.cadence), e.version,
                e.effectiveAt, Duration.ofSeconds(e.expectedIntervalSeconds), e.serial, gatewayIds(e.gatewayIds),
                OrderWindow.ofNullable(e.orderStartsAt, e.orderEndsAt));
    }

    /** The stored comma-separated binding as a set; null or empty (a row from before bindings): none. */
    static Set<String> gatewayIds(String stored) {
        return stored == null || stored.isEmpty() ? Set.of() : Set.copyOf(java.util.Arrays.asList(stored.split(",")));
    }

    /**
     * How far before the previous refresh (or the start) {@link #refresh} looks again: a row is
     * stamped before its transaction commits; re-reading a held row costs only a comparison.
     */
    static final Duration REFRESH_OVERLAP = Duration.ofMinutes(1);

    /** When the previous refresh (or the load at start) began. */
    private volatile Instant refreshedFrom = Instant.now();

    @io.quarkus.scheduler.Scheduled(every = "${sentinel.assignments.refresh}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshJob() {
        return refresh().onFailure().invoke(t -> LOG.warnf("refreshing device assignments failed: %s", t.getMessage())).replaceWithVoid();
    }

    /**
     * Takes up assignments another replica stored: every replica attributes fixes from its own
     * in-memory registry, and PutDeviceAssignment reaches only one of them. Rows updated since
     * shortly before the previous refresh with a newer version than held replace the held one.
     * Returns how many changed here.
     */
    @WithSession
    public Uni<Integer> refresh() {
        Instant started = Instant.now();
        return repository.list("updatedAt >= ?1", refreshedFrom.minus(REFRESH_OVERLAP)).map(rows -> {
            int changed = 0;
            for (DeviceAssignmentEntity e : rows) {
                DeviceRegistry.Assignment held = registry.get(e.deviceId);
                if (held == null || held.version() < e.version) {
                    registry.put(toAssignment(e));
                    changed++;
                }
            }
            refreshedFrom = started;
            return changed;
        });
    }

    void loadAtStart(@Observes StartupEvent ev) throws Throwable {
        int n = VertxContextSupport.subscribeAndAwait(this::loadAll);
        LOG.infof("loaded %d device assignments", n);
    }

    @WithSession
    Uni<Integer> loadAll() {
        return repository.listAll().map(all -> {
            all.forEach(e -> registry.put(toAssignment(e)));
            return all.size();
        });
    }
}
