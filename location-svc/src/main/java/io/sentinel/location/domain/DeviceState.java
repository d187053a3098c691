package io.sentinel.location.domain;

import java.time.Instant;

/**
 * What {@link DeviceHealth} remembers about a device between reports; the caller persists it.
 *
 * @param lastDeviceTime  device time of the newest fix applied; older (late) fixes do not change
 *                        battery, charging or tamper state
 * @param lastReceivedAt  receive time of the latest report of any age, or the start of monitoring
 * @param batteryLow      inside the low-battery band (hysteresis state)
 * @param charging        last known charging state, null when never reported
 * @param strapTampered   last known strap state, null when never reported
 * @param noSignalRaised  {@link DeviceEventType#NO_SIGNAL} was raised and no report has come since
 */
public record DeviceState(String deviceId, Instant lastDeviceTime, Instant lastReceivedAt, boolean batteryLow,
                          Boolean charging, Boolean strapTampered, boolean noSignalRaised) {

    /** A device nothing is known about yet; {@code monitoredSince} starts the no-signal clock. */
    public static DeviceState initial(String deviceId, Instant monitoredSince) {
        return new DeviceState(deviceId, null, monitoredSince, false, null, null, false);
    }
}
