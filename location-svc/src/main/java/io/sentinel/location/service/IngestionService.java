package io.sentinel.location.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.location.domain.FixBatch;
import io.sentinel.location.domain.FixFlag;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.FixValidation;
import io.sentinel.location.domain.FixValidator;
import io.sentinel.location.domain.GatewayBinding;
import io.sentinel.location.domain.JumpDetector;
import io.sentinel.location.domain.Violation;
import io.sentinel.location.repository.FixRepository;
import io.sentinel.location.repository.FixRepository.FixKey;
import io.sentinel.location.repository.FixRepository.NewFix;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Accepts fixes from any protocol: validates them, takes each only from a caller bound to its
 * device ({@link GatewayBinding}), attributes each to the subject its device is assigned to, flags
 * implausible jumps and low accuracy, and stores the batch in one transaction with the batches that
 * arrived meanwhile (group commit). Writes are serialized so fix ids follow commit order, which
 * forwarding relies on.
 */
@ApplicationScoped
public class IngestionService {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(IngestionService.class);

    /** The outcome for one batch: how many were stored (new or already held) and why others were not. */
    public record Result(int accepted, int inserted, List<Rejection> rejections) {
    }

    /**
     * A fix that was not stored: its position in the batch (-1: the whole batch), the field at fault,
     * why, and the kind of refusal (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE or PERMISSION_DENIED).
     */
    public record Rejection(int index, String field, String reason, SentinelException.Kind code) {
        Rejection(int index, Violation v) {
            this(index, v.field(), v.message(), v.kind());
        }
    }

    /** A validated batch waiting for the next group commit. */
    private record Pending(List<NewFix> fixes, List<FixReport> ordered, Map<UUID, UUID> subjectOfDevice,
            UniEmitter<? super Integer> done) {
    }

    /** At most this many fixes in one group commit (one statement); the rest wait for the next. */
    static final int MAX_GROUP_FIXES = 20_000;

    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    /** A writer job that will take the queued batches is waiting; set on queueing one, cleared when it starts taking. */
    private final AtomicBoolean commitQueued = new AtomicBoolean();
    private final FixValidator validator = new FixValidator();
    private final JumpDetector jumps = new JumpDetector();
    private final DeviceRegistry devices;
    private final FixRepository fixes;
    private final SerialWriter writer;
    private final Forwarder forwarder;
    private final DeviceHealthTracker health;
    private final AssignmentService assignments;
    /** The last accepted fix per device, for jump detection without a query on the hot path. */
    private final Map<UUID, FixReport> lastByDevice = new java.util.concurrent.ConcurrentHashMap<>();

    public IngestionService(DeviceRegistry devices, FixRepository fixes, SerialWriter writer, Forwarder forwarder,
            DeviceHealthTracker health, AssignmentService assignments) {
        this.assignments = assignments;
        this.devices = devices;
        this.health = health;
        this.fixes = fixes;
        this.writer = writer;
        this.forwarder = forwarder;
    }

    public int maxBatchSize() {
        return validator.config().maxBatchSize();
    }

    public Uni<Result> ingest(Caller caller, List<FixReport> reports) {
        var tooBig = validator.checkBatchSize(reports.size());
        if (tooBig.isPresent()) {
            return Uni.createFrom().item(new Result(0, 0, List.of(new Rejection(-1, tooBig.get()))));
        }
        Set<String> doubtful = doubtful(caller, reports);
        if (doubtful.isEmpty()) {
            return attributeAndStore(caller, reports);
        }
        // A refusal is decided on the database, not only on this replica's cache of it.
        return assignments.reload(caller.agencyId(), doubtful).chain(() -> attributeAndStore(caller, reports));
    }

    /**
     * The identifiers of the batch's devices the registry would refuse a fix of (unknown, assigned to
     * nobody, or the fix outside its order's window): those are looked up in the database first.
     */
    private Set<String> doubtful(Caller caller, List<FixReport> reports) {
        Set<String> out = new HashSet<>();
        for (FixReport r : reports) {
            if (r.deviceId() == null || r.deviceId().isBlank()) {
                continue;
            }
            DeviceRegistry.Assignment a = devices.resolve(caller.agencyId(), r.deviceId());
            if (a == null || a.subjectId() == null || (r.deviceTime() != null && !a.window().contains(r.deviceTime()))) {
                out.add(r.deviceId());
            }
        }
        return out;
    }

    private Uni<Result> attributeAndStore(Caller caller, List<FixReport> reports) {
        List<Rejection> rejections = new ArrayList<>();
        List<FixReport> valid = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            FixReport r = reports.get(i);
            FixValidation v = validator.validate(r);
            if (!v.accepted()) {
                Violation first = v.violations().get(0);
                rejections.add(new Rejection(i, first.field(), v.describe(), first.kind()));
                continue;
            }
            // By UUID or by the serial the device reports itself by; another agency's device is
            // reported as unknown: gateways cannot probe other agencies' stock.
            DeviceRegistry.Assignment a = devices.resolve(caller.agencyId(), r.deviceId());
            if (a == null) {
                rejections.add(new Rejection(i, Violation.unknownDevice(r.deviceId())));
                continue;
            }
            // Before the assignment check: a gateway not bound to the device learns nothing of its state.
            var unbound = GatewayBinding.refusal(caller, r.deviceId(), a.deviceId(), a.serial(), a.gatewayIds());
            if (unbound.isPresent()) {
                rejections.add(new Rejection(i, unbound.get()));
                continue;
            }
            if (a.subjectId() == null) {
                rejections.add(new Rejection(i, Violation.unassignedDevice(r.deviceId())));
                continue;
            }
            // Outside the order's legal window a position is evidence of nothing: refused, not stored.
            if (!a.window().contains(r.deviceTime())) {
                rejections.add(new Rejection(i, Violation.outsideWindow(r.deviceId(), a.window(), r.deviceTime())));
                continue;
            }
            if (!a.deviceId().toString().equals(r.deviceId())) {
                r = r.withDeviceId(a.deviceId().toString());
            }
            valid.add(r);
        }
        FixBatch.Prepared prepared = FixBatch.dedupeAndOrder(valid);
        List<NewFix> toStore = new ArrayList<>(prepared.fixes().size());
        Map<UUID, UUID> subjectOfDevice = new HashMap<>();
        for (FixReport r : prepared.fixes()) {
            UUID deviceId = UUID.fromString(r.deviceId());
            FixReport previous = lastByDevice.get(deviceId);
            Set<FixFlag> flags = new java.util.HashSet<>(validator.validate(r).flags());
            flags.addAll(jumps.flags(previous, r));
            subjectOfDevice.put(deviceId, devices.get(deviceId).subjectId());
            toStore.add(new NewFix(r, devices.get(deviceId).subjectId(), flags.contains(FixFlag.IMPLAUSIBLE_JUMP),
                    flags.contains(FixFlag.LOW_ACCURACY)));
        }
        int accepted = valid.size();
        return commit(toStore, prepared.fixes(), subjectOfDevice).map(inserted -> {
            for (NewFix f : toStore) {
                UUID deviceId = UUID.fromString(f.report().deviceId());
                lastByDevice.merge(deviceId, f.report(), (old, neu) -> neu.deviceTime().isAfter(old.deviceTime()) ? neu : old);
            }
            if (inserted > 0) {
                forwarder.wake();
            }
            return new Result(accepted, inserted, rejections);
        });
    }


    /**
     * Queues a batch for the next group commit and has the writer commit what is queued. While one
     * transaction commits, the batches that arrive meanwhile gather and go together in the next:
     * one statement and one durable commit for all of them. Returns how many of the batch's fixes
     * were new.
     */
    private Uni<Integer> commit(List<NewFix> toStore, List<FixReport> ordered, Map<UUID, UUID> subjectOfDevice) {
        return Uni.createFrom().emitter(done -> {
            pending.add(new Pending(toStore, ordered, subjectOfDevice, done));
            queueCommit();
        });
    }

    /**
     * Queues a writer job to take the queued batches unless one is already waiting. (A job per batch
     * left thousands of empty jobs queued behind a slow commit at full load.)
     */
    private void queueCommit() {
        if (commitQueued.compareAndSet(false, true)) {
            writer.submit(this::commitPending).subscribe().with(x -> {
            }, failure -> {
            });
        }
    }

    /** Inside the writer: stores every queued batch (up to the group limit) in one transaction. */
    private Uni<Void> commitPending() {
        List<Pending> group = new ArrayList<>();
        List<NewFix> all = new ArrayList<>();
        List<FixReport> ordered = new ArrayList<>();
        Map<UUID, UUID> subjects = new HashMap<>();
        Pending next;
        // Cleared before taking: a batch queued from here on queues the next job, so none is left behind.
        commitQueued.set(false);
        while (all.size() < MAX_GROUP_FIXES && (next = pending.poll()) != null) {
            group.add(next);
            all.addAll(next.fixes());
            ordered.addAll(next.ordered());
            subjects.putAll(next.subjectOfDevice());
        }
        if (!pending.isEmpty()) {
            queueCommit(); // more than one group's worth was queued
        }
        if (group.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Uni<Set<FixKey>> stored;
        try {
            // Health state is prepared and committed one group at a time, batches in arrival order.
            DeviceHealthTracker.Prepared changes = health.prepare(ordered, subjects);
            stored = fixes.insert(all, changes.write()).invoke(x -> health.commit(changes));
        } catch (RuntimeException e) {
            stored = Uni.createFrom().failure(e);
        }
        // Every batch of the group is answered, whatever one batch's caller does with its answer.
        return stored.onItemOrFailure().invoke((inserted, failure) -> {
            // A fix sent twice in one group counts as new for the batch that came first.
            Set<FixKey> unclaimed = failure == null ? new HashSet<>(inserted) : Set.of();
            for (Pending p : group) {
                try {
                    if (failure != null) {
                        p.done().fail(failure);
                        continue;
                    }
                    int n = 0;
                    for (NewFix f : p.fixes()) {
                        if (unclaimed.remove(FixKey.of(f.report()))) {
                            n++;
                        }
                    }
                    p.done().complete(n);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "answering an ingested batch failed");
                }
            }
        }).onFailure().recoverWithNull().replaceWithVoid();
    }
}
