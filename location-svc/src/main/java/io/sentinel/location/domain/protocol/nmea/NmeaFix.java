package io.sentinel.location.domain.protocol.nmea;

import io.sentinel.location.domain.Accuracy;
import io.sentinel.location.domain.FixReport;

import java.time.Instant;

/**
 * One receiver epoch decoded from an RMC sentence, enriched by the GGA of the same epoch when
 * present.
 *
 * @param speedMps      RMC speed over ground converted from knots; null when the field is empty
 * @param courseDegrees RMC course over ground (true); null when empty
 * @param hdop          GGA horizontal dilution of precision; null without a GGA or when empty
 * @param fixQuality    GGA fix quality (1 GPS, 2 DGPS, 4/5 RTK, 6 dead reckoning); null without a GGA
 * @param satellites    GGA satellites used; null without a GGA or when empty
 * @param altitudeMetres GGA altitude above mean sea level; null without a GGA or when empty
 * @param rmcLine       1-based line of the RMC sentence
 * @param ggaLine       1-based line of the GGA sentence, 0 when the epoch had none
 */
public record NmeaFix(Instant time, double latitude, double longitude, Double speedMps, Double courseDegrees,
                      Double hdop, Integer fixQuality, Integer satellites, Double altitudeMetres,
                      int rmcLine, int ggaLine) {

    /** NMEA carries no device identity: the uploading gateway supplies it. Accuracy ≈ HDOP × 5 m. */
    public FixReport toReport(String deviceId, Instant receivedAt) {
        return new FixReport(deviceId, time, receivedAt, latitude, longitude, Accuracy.fromHdop(hdop), hdop,
                speedMps, courseDegrees, null, null, null);
    }
}
