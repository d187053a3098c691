package io.sentinel.location.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.common.window.OrderWindow;

/**
 * The device-to-subject assignments in memory, so a fix is attributed without a query. A device is
 * found by its Sentinel UUID or, within its agency, by the serial it reports itself by (IMEI,
 * Traccar unique id): real trackers cannot be configured to send a UUID.
 */
@ApplicationScoped
public class DeviceRegistry {

    /**
     * One device's current assignment; subjectId is null when the device is unassigned, serial when it
     * has none. gatewayIds are the gateways (token subjects) allowed to report it; empty: none may.
     * window is the legal window of the order it is assigned under: fixes outside it are refused.
     */
    public record Assignment(UUID deviceId, UUID subjectId, String owningAgencyId, LocationCadence cadence, long version,
            Instant effectiveAt, Duration expectedInterval, String serial, Set<String> gatewayIds, OrderWindow window) {
        public Assignment {
            gatewayIds = Set.copyOf(gatewayIds);
            window = window == null ? OrderWindow.UNBOUNDED : window;
        }
    }

    private final Map<UUID, Assignment> byDevice = new ConcurrentHashMap<>();
    private final Map<String, UUID> bySerial = new ConcurrentHashMap<>();

    public Assignment get(UUID deviceId) {
        return byDevice.get(deviceId);
    }

    /**
     * The device an identifier names for a caller of {@code agencyId}: the device with that UUID, or
     * else the agency's device with that serial. Null when neither exists; a device of another agency
     * is not found either way, so callers cannot probe other agencies' stock.
     */
    public Assignment resolve(String agencyId, String identifier) {
        Assignment a = null;
        UUID id = uuidOrNull(identifier);
        if (id != null) {
            a = byDevice.get(id);
        }
        if (a == null) {
            UUID bySerialId = bySerial.get(serialKey(agencyId, identifier));
            a = bySerialId == null ? null : byDevice.get(bySerialId);
        }
        return a != null && a.owningAgencyId().equals(agencyId) ? a : null;
    }

    /** The device other than {@code deviceId} that already holds {@code serial} in the agency, or null. */
    public UUID serialHolder(String agencyId, String serial, UUID deviceId) {
        UUID holder = bySerial.get(serialKey(agencyId, serial));
        return holder == null || holder.equals(deviceId) ? null : holder;
    }

    public Collection<Assignment> all() {
        return byDevice.values();
    }

    /** Holds {@code a} unless a newer version of the device's assignment is held already. */
    public void putIfNewer(Assignment a) {
        Assignment held = byDevice.get(a.deviceId());
        if (held == null || held.version() < a.version()) {
            put(a);
        }
    }

    public void put(Assignment a) {
        Assignment old = byDevice.put(a.deviceId(), a);
        if (old != null && old.serial() != null && !(old.serial().equals(a.serial()) && old.owningAgencyId().equals(a.owningAgencyId()))) {
            bySerial.remove(serialKey(old.owningAgencyId(), old.serial()), old.deviceId());
        }
        if (a.serial() != null) {
            bySerial.put(serialKey(a.owningAgencyId(), a.serial()), a.deviceId());
        }
    }

    private static String serialKey(String agencyId, String serial) {
        return agencyId + '\u0000' + serial;
    }

    private static UUID uuidOrNull(String s) {
        if (s == null || s.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
