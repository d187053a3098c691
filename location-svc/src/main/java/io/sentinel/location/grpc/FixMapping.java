package io.sentinel.location.grpc;

import java.time.Instant;

import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.StrapState;
import io.sentinel.location.domain.FixReport;

/** Wire fixes to domain reports. Range checks are the validator's, so they name fields the same way for every protocol. */
final class FixMapping {
    private FixMapping() {
    }

    static FixReport toReport(Fix f, Instant receivedAt) {
        Instant deviceTime = f.hasDeviceTime() ? Instant.ofEpochSecond(f.getDeviceTime().getSeconds(), f.getDeviceTime().getNanos()) : null;
        return new FixReport(f.getDeviceId(), deviceTime, receivedAt, f.getLatitude(), f.getLongitude(), f.getAccuracyMetres(),
                f.hasHdop() ? f.getHdop() : null,
                f.hasSpeedMps() ? f.getSpeedMps() : null,
                f.hasHeadingDegrees() ? f.getHeadingDegrees() : null,
                f.hasBatteryPercent() ? f.getBatteryPercent() : null,
                f.hasCharging() ? f.getCharging() : null,
                f.getStrapState() == StrapState.STRAP_STATE_UNSPECIFIED ? null : f.getStrapState() == StrapState.STRAP_STATE_TAMPERED);
    }
}
