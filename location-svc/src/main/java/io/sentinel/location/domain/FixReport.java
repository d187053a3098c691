package io.sentinel.location.domain;

import java.time.Instant;

/**
 * One position report from a device, normalised from whichever protocol carried it.
 *
 * <p>Fields are deliberately unchecked here: {@link FixValidator} names every bad field at once,
 * which a throwing constructor could not. Units: degrees (WGS84), metres, metres per second,
 * degrees clockwise from true north, percent.
 *
 * @param deviceId        the device's external identifier as the protocol states it (IMEI,
 *                        Traccar unique id, OwnTracks {@code user/device}, gateway-supplied id)
 * @param deviceTime      when the device took the fix (UTC)
 * @param receivedAt      when the server received the report
 * @param accuracyMetres  horizontal accuracy radius; see {@link Accuracy} for how it is derived
 *                        when a protocol reports only HDOP or nothing
 * @param hdop            horizontal dilution of precision, when the device reports it
 * @param speedMps        speed over ground, when known
 * @param headingDegrees  course over ground in [0, 360], when known
 * @param batteryPercent  battery level 0..100, when known
 * @param charging        true when the device is on external power, when known
 * @param strapTampered   true when the device reports a strap-tamper alarm, when known
 */
public record FixReport(
        String deviceId,
        Instant deviceTime,
        Instant receivedAt,
        double latitude,
        double longitude,
        double accuracyMetres,
        Double hdop,
        Double speedMps,
        Double headingDegrees,
        Integer batteryPercent,
        Boolean charging,
        Boolean strapTampered) {

    /** The same report naming the device by {@code id} (its Sentinel UUID once resolved from a serial). */
    public FixReport withDeviceId(String id) {
        return new FixReport(id, deviceTime, receivedAt, latitude, longitude, accuracyMetres, hdop, speedMps, headingDegrees,
                batteryPercent, charging, strapTampered);
    }

    /** A fix with position and accuracy only; the optional fields are unknown. */
    public static FixReport of(String deviceId, Instant deviceTime, Instant receivedAt,
                               double latitude, double longitude, double accuracyMetres) {
        return new FixReport(deviceId, deviceTime, receivedAt, latitude, longitude, accuracyMetres,
                null, null, null, null, null, null);
    }
}
