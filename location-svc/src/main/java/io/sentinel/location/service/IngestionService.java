package io.sentinel.location.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.common.security.Caller;
import io.sentinel.location.domain.FixBatch;
import io.sentinel.location.domain.FixFlag;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.FixValidation;
import io.sentinel.location.domain.FixValidator;
import io.sentinel.location.domain.JumpDetector;
import io.sentinel.location.domain.Violation;
import io.sentinel.location.repository.FixRepository;
import io.sentinel.location.repository.FixRepository.NewFix;
import io.smallrye.mutiny.Uni;

/**
 * Accepts fixes from any protocol: validates them, attributes each to the subject its device
 * is assigned to, flags implausible jumps and low accuracy, and stores the batch in one
 * transaction. Writes are serialized so fix ids follow commit order, which forwarding relies on.
 */
@ApplicationScoped
public class IngestionService {

    /** The outcome for one batch: how many were stored (new or already held) and why others were not. */
    public record Result(int accepted, int inserted, List<Rejection> rejections) {
    }

    /** A fix that was not stored. */
    public record Rejection(int index, String field, String reason) {
    }

    private final FixValidator validator = new FixValidator();
    private final JumpDetector jumps = new JumpDetector();
    private final DeviceRegistry devices;
    private final FixRepository fixes;
    private final SerialWriter writer;
    private final Forwarder forwarder;
    private final DeviceHealthTracker health;
    /** The last accepted fix per device, for jump detection without a query on the hot path. */
    private final Map<UUID, FixReport> lastByDevice = new java.util.concurrent.ConcurrentHashMap<>();

    public IngestionService(DeviceRegistry devices, FixRepository fixes, SerialWriter writer, Forwarder forwarder,
            DeviceHealthTracker health) {
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
        List<Rejection> rejections = new ArrayList<>();
        var tooBig = validator.checkBatchSize(reports.size());
        if (tooBig.isPresent()) {
            rejections.add(new Rejection(-1, tooBig.get().field(), tooBig.get().message()));
            return Uni.createFrom().item(new Result(0, 0, rejections));
        }
        Map<FixReport, Integer> indexOf = new HashMap<>();
        List<FixReport> valid = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            FixReport r = reports.get(i);
            FixValidation v = validator.validate(r);
            if (!v.accepted()) {
                Violation first = v.violations().get(0);
                rejections.add(new Rejection(i, first.field(), v.describe()));
                continue;
            }
            UUID deviceId = parse(r.deviceId());
            DeviceRegistry.Assignment a = deviceId == null ? null : devices.get(deviceId);
            // A device of another agency is reported as unknown: gateways cannot probe other agencies' stock.
            if (a == null || !a.owningAgencyId().equals(caller.agencyId())) {
                Violation u = Violation.unknownDevice(r.deviceId());
                rejections.add(new Rejection(i, u.field(), u.message()));
                continue;
            }
            if (a.subjectId() == null) {
                Violation u = Violation.unassignedDevice(r.deviceId());
                rejections.add(new Rejection(i, u.field(), u.message()));
                continue;
            }
            indexOf.putIfAbsent(r, i);
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
        return writer.submit(() -> {
            // Inside the writer: health state is prepared and committed one batch at a time.
            DeviceHealthTracker.Prepared changes = health.prepare(prepared.fixes(), subjectOfDevice);
            return fixes.insert(toStore, changes.write()).invoke(() -> health.commit(changes));
        }).map(inserted -> {
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


    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
