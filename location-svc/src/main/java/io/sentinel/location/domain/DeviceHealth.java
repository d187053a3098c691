package io.sentinel.location.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a device's reports into health events: low battery (with hysteresis), charging changes,
 * strap tamper, and no signal.
 */
public final class DeviceHealth {

    /**
     * @param lowBatteryPercent     raise {@link DeviceEventType#LOW_BATTERY} at or below this level
     * @param recoveredBatteryPercent leave the low band only at or above this level; the gap keeps a
     *                              reading that wobbles around the threshold from re-raising it
     */
    public record Config(int lowBatteryPercent, int recoveredBatteryPercent) {

        /** 20 % (the level phones first warn at) and 30 %, a band wider than reading jitter. */
        public static final Config DEFAULTS = new Config(20, 30);

        public Config {
            if (lowBatteryPercent < 0 || lowBatteryPercent > 100) {
                throw new IllegalArgumentException("lowBatteryPercent must be within [0, 100]");
            }
            if (recoveredBatteryPercent <= lowBatteryPercent || recoveredBatteryPercent > 100) {
                throw new IllegalArgumentException("recoveredBatteryPercent must be within (lowBatteryPercent, 100]");
            }
        }
    }

    /** The state to persist and the events to send, in that order of importance. */
    public record Update(DeviceState state, List<DeviceEvent> events) {
        public Update {
            events = List.copyOf(events);
        }
    }

    private final Config config;

    public DeviceHealth(Config config) {
        this.config = config;
    }

    public DeviceHealth() {
        this(Config.DEFAULTS);
    }

    /** Applies an accepted fix (flagged ones included: battery readings do not depend on position). */
    public Update apply(DeviceState state, FixReport fix) {
        List<DeviceEvent> events = new ArrayList<>();
        String id = state.deviceId();
        Instant lastReceived = later(state.lastReceivedAt(), fix.receivedAt());
        if (state.noSignalRaised()) {
            events.add(new DeviceEvent(id, DeviceEventType.SIGNAL_RESTORED, fix.receivedAt(),
                    "report received after no signal"));
        }
        boolean newest = state.lastDeviceTime() == null || fix.deviceTime().isAfter(state.lastDeviceTime());
        if (!newest) {
            // A late fix describes the past: letting its battery or strap state win would undo newer news.
            return new Update(new DeviceState(id, state.lastDeviceTime(), lastReceived, state.batteryLow(),
                    state.charging(), state.strapTampered(), false), events);
        }
        Instant at = fix.deviceTime();

        boolean batteryLow = state.batteryLow();
        Integer battery = fix.batteryPercent();
        if (battery != null) {
            if (!batteryLow && battery <= config.lowBatteryPercent()) {
                batteryLow = true;
                events.add(new DeviceEvent(id, DeviceEventType.LOW_BATTERY, at,
                        "battery " + battery + "% (low at <= " + config.lowBatteryPercent() + "%)"));
            } else if (batteryLow && battery >= config.recoveredBatteryPercent()) {
                batteryLow = false;
            }
        }

        Boolean charging = state.charging();
        if (fix.charging() != null) {
            if (fix.charging() && !Boolean.TRUE.equals(charging)) {
                events.add(new DeviceEvent(id, DeviceEventType.CHARGING_STARTED, at, "charging started"));
            } else if (!fix.charging() && Boolean.TRUE.equals(charging)) {
                events.add(new DeviceEvent(id, DeviceEventType.CHARGING_STOPPED, at, "charging stopped"));
            }
            charging = fix.charging();
        }

        Boolean tampered = state.strapTampered();
        if (fix.strapTampered() != null) {
            if (fix.strapTampered() && !Boolean.TRUE.equals(tampered)) {
                events.add(new DeviceEvent(id, DeviceEventType.STRAP_TAMPER, at, "strap tamper reported"));
            }
            tampered = fix.strapTampered();
        }

        return new Update(new DeviceState(id, at, lastReceived, batteryLow, charging, tampered, false), events);
    }

    /**
     * Raises {@link DeviceEventType#NO_SIGNAL} once when nothing has arrived for longer than
     * {@code expectedInterval}; call it from a periodic sweep.
     */
    public Update checkSignal(DeviceState state, Duration expectedInterval, Instant now) {
        if (state.noSignalRaised() || !isOverdue(state.lastReceivedAt(), expectedInterval, now)) {
            return new Update(state, List.of());
        }
        Instant overdueSince = state.lastReceivedAt().plus(expectedInterval);
        DeviceEvent event = new DeviceEvent(state.deviceId(), DeviceEventType.NO_SIGNAL, overdueSince,
                "no report for " + FixValidator.human(Duration.between(state.lastReceivedAt(), now))
                        + " (expected every " + FixValidator.human(expectedInterval) + ")");
        return new Update(new DeviceState(state.deviceId(), state.lastDeviceTime(), state.lastReceivedAt(),
                state.batteryLow(), state.charging(), state.strapTampered(), true), List.of(event));
    }

    /** True when more than {@code expectedInterval} has passed since {@code lastReport}; false if never. */
    public static boolean isOverdue(Instant lastReport, Duration expectedInterval, Instant now) {
        if (expectedInterval == null || expectedInterval.isNegative() || expectedInterval.isZero()) {
            throw new IllegalArgumentException("expectedInterval must be > 0");
        }
        return lastReport != null && Duration.between(lastReport, now).compareTo(expectedInterval) > 0;
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }
}
