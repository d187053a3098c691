package io.sentinel.location.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.sentinel.location.domain.DeviceEvent;
import io.sentinel.location.domain.DeviceHealth;
import io.sentinel.location.domain.DeviceState;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.repository.DeviceEventRepository;
import io.sentinel.location.repository.DeviceEventRepository.HealthWrite;
import io.sentinel.location.repository.DeviceEventRepository.NewEvent;
import io.smallrye.mutiny.Uni;

/**
 * Keeps each device's health state in memory and turns reports and silence into device events.
 * It is only used from inside {@link SerialWriter} jobs, so a prepared change is never raced by
 * another, and it is applied to memory only after the transaction that stores it commits.
 */
@ApplicationScoped
public class DeviceHealthTracker {
    private static final Logger LOG = Logger.getLogger(DeviceHealthTracker.class);

    /** What one batch changes, to write with the batch and apply once committed. */
    public record Prepared(HealthWrite write, Map<UUID, DeviceState> states) {
    }

    private final DeviceHealth health = new DeviceHealth();
    private final Map<UUID, DeviceState> states = new ConcurrentHashMap<>();
    private final DeviceRegistry devices;
    private final DeviceEventRepository repository;
    private final SerialWriter writer;
    private final DeviceEventDelivery delivery;

    public DeviceHealthTracker(DeviceRegistry devices, DeviceEventRepository repository, SerialWriter writer,
            DeviceEventDelivery delivery) {
        this.devices = devices;
        this.repository = repository;
        this.writer = writer;
        this.delivery = delivery;
    }

    void loadAtStart(@Observes StartupEvent ev) {
        List<DeviceState> all = repository.loadStates().await().indefinitely();
        all.forEach(s -> states.put(UUID.fromString(s.deviceId()), s));
        LOG.infof("loaded health state of %d devices", all.size());
    }

    /** Applies fixes (in device-time order per device) to copies of the states. */
    public Prepared prepare(List<FixReport> fixes, Map<UUID, UUID> subjectOfDevice) {
        Map<UUID, DeviceState> changed = new LinkedHashMap<>();
        List<NewEvent> events = new ArrayList<>();
        for (FixReport f : fixes) {
            UUID device = UUID.fromString(f.deviceId());
            DeviceState before = changed.containsKey(device) ? changed.get(device) : current(device, f.receivedAt());
            DeviceHealth.Update u = health.apply(before, f);
            changed.put(device, u.state());
            for (DeviceEvent e : u.events()) {
                events.add(toNew(e, subjectOfDevice.get(device)));
            }
        }
        return new Prepared(new HealthWrite(List.copyOf(changed.values()), events), changed);
    }

    /** The transaction committed: the prepared states are now the truth. */
    public void commit(Prepared p) {
        states.putAll(p.states());
        if (!p.write().events().isEmpty()) {
            delivery.wake();
        }
    }

    /** Raises NO_SIGNAL for assigned devices silent for longer than their order expects. */
    @Scheduled(every = "${sentinel.device-health.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        // Another replica may have heard from a device since this one did (its fixes went there):
        // the stored states are read first, off the writer, and taken where they are newer, so a
        // device reporting through another replica is never called silent here.
        return repository.loadStates().flatMap(stored -> writer.submit(() -> {
            takeNewer(stored);
            Prepared p = prepareSilence(Instant.now());
            if (p.write().isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return repository.write(p.write()).invoke(() -> commit(p));
        })).onFailure().invoke(t -> LOG.warnf("no-signal sweep failed, will retry: %s", t.getMessage()))
                .onFailure().recoverWithNull();
    }

    /**
     * Takes each stored state that is newer than the one held: a later report, or the same report
     * with NO_SIGNAL since raised by another replica's sweep. Runs inside the writer, where no commit
     * of this replica is in flight, so a held state is never older than what this replica stored.
     */
    void takeNewer(List<DeviceState> stored) {
        for (DeviceState db : stored) {
            UUID device = UUID.fromString(db.deviceId());
            DeviceState held = states.get(device);
            if (held == null || isAfter(db.lastReceivedAt(), held.lastReceivedAt())
                    || (java.util.Objects.equals(db.lastReceivedAt(), held.lastReceivedAt()) && db.noSignalRaised() && !held.noSignalRaised())) {
                states.put(device, db);
            }
        }
    }

    private static boolean isAfter(Instant a, Instant b) {
        return a != null && (b == null || a.isAfter(b));
    }

    Prepared prepareSilence(Instant now) {
        Map<UUID, DeviceState> changed = new LinkedHashMap<>();
        List<NewEvent> events = new ArrayList<>();
        for (DeviceRegistry.Assignment a : devices.all()) {
            // Outside the order's window silence is no evidence of anything: the order does not apply.
            if (a.subjectId() == null || !a.window().contains(now)) {
                continue;
            }
            // Never heard from: the clock starts when the assignment took effect.
            DeviceState s = current(a.deviceId(), a.effectiveAt());
            DeviceHealth.Update u = health.checkSignal(s, a.expectedInterval(), now);
            if (!u.events().isEmpty()) {
                changed.put(a.deviceId(), u.state());
                u.events().forEach(e -> events.add(toNew(e, a.subjectId())));
            }
        }
        return new Prepared(new HealthWrite(List.copyOf(changed.values()), events), changed);
    }

    private DeviceState current(UUID device, Instant since) {
        DeviceState s = states.get(device);
        return s != null ? s : DeviceState.initial(device.toString(), since);
    }

    private static NewEvent toNew(DeviceEvent e, UUID subjectId) {
        return new NewEvent(UUID.randomUUID(), subjectId, UUID.fromString(e.deviceId()), e.type().name(), e.occurredAt(), e.detail());
    }
}
