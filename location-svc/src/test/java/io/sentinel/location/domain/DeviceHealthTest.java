package io.sentinel.location.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceHealthTest {

    private static final Instant T0 = Instant.parse("2026-03-05T10:00:00Z");
    private final DeviceHealth health = new DeviceHealth();

    private static FixReport report(long seconds, Integer battery, Boolean charging, Boolean tampered) {
        Instant t = T0.plusSeconds(seconds);
        return new FixReport("tag-42", t, t.plusSeconds(2), 51.5, -0.12, 8, null, null, null, battery, charging,
                tampered);
    }

    /** Feeds reports in order and returns the event types each produced. */
    private List<List<DeviceEventType>> feed(FixReport... reports) {
        DeviceState state = DeviceState.initial("tag-42", T0);
        List<List<DeviceEventType>> out = new ArrayList<>();
        for (FixReport r : reports) {
            DeviceHealth.Update u = health.apply(state, r);
            out.add(u.events().stream().map(DeviceEvent::type).toList());
            state = u.state();
        }
        return out;
    }

    private static final List<DeviceEventType> NONE = List.of();
    private static final List<DeviceEventType> LOW = List.of(DeviceEventType.LOW_BATTERY);

    @Test
    void raisesLowBatteryOnceAndAgainOnlyAfterRecovery() {
        assertEquals(List.of(NONE, LOW, NONE, NONE, NONE, NONE, LOW), feed(
                report(0, 45, null, null), report(60, 20, null, null), report(120, 19, null, null),
                report(180, 22, null, null), report(240, 30, null, null), report(300, 29, null, null),
                report(360, 15, null, null)));
    }

    @Test
    void doesNotReRaiseLowBatteryWhenTheReadingWobblesAroundTheThreshold() {
        assertEquals(List.of(LOW, NONE, NONE, NONE), feed(report(0, 20, null, null), report(60, 21, null, null),
                report(120, 20, null, null), report(180, 21, null, null)));
    }

    @Test
    void describesTheLowBatteryEvent() {
        DeviceHealth.Update u = health.apply(DeviceState.initial("tag-42", T0), report(60, 14, null, null));
        DeviceEvent event = u.events().get(0);
        assertEquals("battery 14% (low at <= 20%)", event.detail());
        assertEquals(T0.plusSeconds(60), event.occurredAt());
        assertEquals("tag-42", event.deviceId());
        assertTrue(u.state().batteryLow());
    }

    @Test
    void reportsChargingStartAndStopOnTransitionsOnly() {
        assertEquals(List.of(List.of(DeviceEventType.CHARGING_STARTED), NONE, NONE,
                        List.of(DeviceEventType.CHARGING_STOPPED), NONE),
                feed(report(0, null, true, null), report(60, null, true, null), report(90, null, null, null),
                        report(120, null, false, null), report(180, null, false, null)));
    }

    @Test
    void doesNotReportChargingStoppedForAFirstReportOfNotCharging() {
        assertEquals(List.of(NONE), feed(report(0, null, false, null)));
    }

    @Test
    void raisesStrapTamperOnTransitionToTampered() {
        assertEquals(List.of(NONE, List.of(DeviceEventType.STRAP_TAMPER), NONE, NONE, NONE,
                        List.of(DeviceEventType.STRAP_TAMPER)),
                feed(report(0, null, null, false), report(60, null, null, true), report(120, null, null, true),
                        report(180, null, null, null), report(240, null, null, false),
                        report(300, null, null, true)));
    }

    @Test
    void ignoresHealthStateOfALateFix() {
        DeviceState state = health.apply(DeviceState.initial("tag-42", T0), report(600, 50, false, false)).state();
        FixReport late = new FixReport("tag-42", T0.plusSeconds(300), T0.plusSeconds(900), 51.5, -0.12, 8,
                null, null, null, 10, true, true);
        DeviceHealth.Update u = health.apply(state, late);
        assertEquals(List.of(), u.events());
        assertFalse(u.state().batteryLow());
        assertEquals(Boolean.FALSE, u.state().charging());
        assertEquals(T0.plusSeconds(600), u.state().lastDeviceTime());
        assertEquals(T0.plusSeconds(900), u.state().lastReceivedAt());
    }

    @Test
    void raisesNoSignalOnceWhenTheExpectedIntervalIsExceeded() {
        Duration every = Duration.ofMinutes(15);
        DeviceState state = health.apply(DeviceState.initial("tag-42", T0), report(0, 80, null, null)).state();
        Instant last = T0.plusSeconds(2);

        assertEquals(List.of(), health.checkSignal(state, every, last.plus(every)).events());

        DeviceHealth.Update overdue = health.checkSignal(state, every, last.plus(every).plusSeconds(1));
        assertEquals(1, overdue.events().size());
        DeviceEvent event = overdue.events().get(0);
        assertEquals(DeviceEventType.NO_SIGNAL, event.type());
        assertEquals(last.plus(every), event.occurredAt());
        assertEquals("no report for 15 min 1 s (expected every 15 min)", event.detail());
        assertTrue(overdue.state().noSignalRaised());

        assertEquals(List.of(), health.checkSignal(overdue.state(), every, last.plus(Duration.ofHours(3))).events());

        DeviceHealth.Update back = health.apply(overdue.state(), report(3600, 79, null, null));
        assertEquals(List.of(DeviceEventType.SIGNAL_RESTORED), back.events().stream().map(DeviceEvent::type).toList());
        assertFalse(back.state().noSignalRaised());
    }

    @Test
    void raisesNoSignalForADeviceThatNeverReported() {
        DeviceHealth.Update u = health.checkSignal(DeviceState.initial("tag-42", T0), Duration.ofMinutes(5),
                T0.plus(Duration.ofMinutes(6)));
        assertEquals(DeviceEventType.NO_SIGNAL, u.events().get(0).type());
        assertNull(u.state().lastDeviceTime());
    }

    @Test
    void aLateFixStillProvesTheDeviceIsAlive() {
        DeviceState state = health.apply(DeviceState.initial("tag-42", T0), report(600, null, null, null)).state();
        DeviceState silent = health.checkSignal(state, Duration.ofMinutes(5), T0.plus(Duration.ofHours(1))).state();
        FixReport late = FixReport.of("tag-42", T0.plusSeconds(300), T0.plus(Duration.ofHours(1)), 51.5, -0.12, 8);
        DeviceHealth.Update u = health.apply(silent, late);
        assertEquals(List.of(DeviceEventType.SIGNAL_RESTORED), u.events().stream().map(DeviceEvent::type).toList());
        assertFalse(DeviceHealth.isOverdue(u.state().lastReceivedAt(), Duration.ofMinutes(5),
                T0.plus(Duration.ofMinutes(64))));
    }

    @Test
    void refusesNonPositiveIntervalAndBadThresholds() {
        assertThrows(IllegalArgumentException.class, () -> DeviceHealth.isOverdue(T0, Duration.ZERO, T0));
        assertThrows(IllegalArgumentException.class, () -> new DeviceHealth.Config(20, 20));
        assertThrows(IllegalArgumentException.class, () -> new DeviceHealth.Config(-1, 10));
    }
}
