package io.sentinel.location.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.common.v1.LocationCadence;

/** The device-to-subject assignments in memory, so a fix is attributed without a query. */
@ApplicationScoped
public class DeviceRegistry {

    /** One device's current assignment; subjectId is null when the device is unassigned. */
    public record Assignment(UUID deviceId, UUID subjectId, String owningAgencyId, LocationCadence cadence, long version,
            Instant effectiveAt, Duration expectedInterval) {
    }

    private final Map<UUID, Assignment> byDevice = new ConcurrentHashMap<>();

    public Assignment get(UUID deviceId) {
        return byDevice.get(deviceId);
    }

    public Collection<Assignment> all() {
        return byDevice.values();
    }

    public void put(Assignment a) {
        byDevice.put(a.deviceId(), a);
    }
}
