package io.sentinel.rules.domain.monitor;

import java.time.Instant;
import java.util.Objects;

/** A position report as rules-svc sees it: device time, WGS84 position, accuracy radius, plausibility flag. */
public record Fix(Instant deviceTime, double latitude, double longitude, double accuracyMetres, boolean implausible) {

    public Fix {
        Objects.requireNonNull(deviceTime, "deviceTime");
        if (!(latitude >= -90 && latitude <= 90)) {
            throw new IllegalArgumentException("latitude: " + latitude + " out of range [-90, 90]");
        }
        if (!(longitude >= -180 && longitude <= 180)) {
            throw new IllegalArgumentException("longitude: " + longitude + " out of range [-180, 180]");
        }
        if (!(accuracyMetres >= 0) || Double.isInfinite(accuracyMetres)) {
            throw new IllegalArgumentException("accuracyMetres: must be a finite number >= 0, got " + accuracyMetres);
        }
    }
}
