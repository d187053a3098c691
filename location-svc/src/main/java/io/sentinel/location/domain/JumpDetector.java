package io.sentinel.location.domain;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Flags a fix whose distance from the device's previous fix (by device time) could only be
 * covered at an implausible speed.
 *
 * <p>The distance counted is what remains after both accuracy radii are subtracted: two fixes
 * whose circles overlap could be the same spot, however short the interval. That makes the
 * check lenient for coarse fixes, which are flagged {@link FixFlag#LOW_ACCURACY} anyway.
 */
public final class JumpDetector {

    /**
     * 70 m/s (252 km/h): above any road vehicle a supervised person can plausibly be in and above
     * conventional rail; only high-speed rail and aircraft exceed it, and a flag there merely
     * stops rules-svc from alerting on that fix alone. It is also the bound at which the shared
     * Go!Track sample shows its 6 known glitch jumps.
     */
    public static final double DEFAULT_MAX_SPEED_MPS = 70.0;

    /** Mean Earth radius (IUGG), metres; haversine error against the ellipsoid is below 0.5 %. */
    static final double EARTH_RADIUS_METRES = 6_371_008.8;

    /**
     * The measured step between two fixes.
     *
     * @param distanceMetres           great-circle distance between the two centres
     * @param unexplainedMetres        distance left after subtracting both accuracy radii (>= 0)
     * @param interval                 absolute device-time difference
     * @param impliedSpeedMps          unexplainedMetres / interval; infinite when the interval is 0
     *                                 and the circles do not overlap
     * @param implausible              impliedSpeedMps exceeds the bound
     */
    public record Step(double distanceMetres, double unexplainedMetres, Duration interval,
                       double impliedSpeedMps, boolean implausible) {
    }

    private final double maxSpeedMps;

    public JumpDetector(double maxSpeedMps) {
        if (!(maxSpeedMps > 0) || Double.isInfinite(maxSpeedMps)) {
            throw new IllegalArgumentException("maxSpeedMps must be a positive finite number, got " + maxSpeedMps);
        }
        this.maxSpeedMps = maxSpeedMps;
    }

    public JumpDetector() {
        this(DEFAULT_MAX_SPEED_MPS);
    }

    public double maxSpeedMps() {
        return maxSpeedMps;
    }

    /**
     * Measures the step from {@code previous} to {@code current}. Either order in time works, so a
     * late fix can also be checked against its successor.
     */
    public Step measure(FixReport previous, FixReport current) {
        double distance = distanceMetres(previous.latitude(), previous.longitude(),
                current.latitude(), current.longitude());
        double unexplained = Math.max(0, distance - previous.accuracyMetres() - current.accuracyMetres());
        Duration interval = Duration.between(previous.deviceTime(), current.deviceTime()).abs();
        double seconds = interval.toNanos() / 1e9;
        double speed;
        if (unexplained == 0) {
            speed = 0;
        } else if (seconds == 0) {
            speed = Double.POSITIVE_INFINITY;
        } else {
            speed = unexplained / seconds;
        }
        return new Step(distance, unexplained, interval, speed, speed > maxSpeedMps);
    }

    /** {@link FixFlag#IMPLAUSIBLE_JUMP} or nothing; no previous fix means nothing to compare. */
    public Set<FixFlag> flags(FixReport previousOrNull, FixReport current) {
        if (previousOrNull == null || !measure(previousOrNull, current).implausible()) {
            return EnumSet.noneOf(FixFlag.class);
        }
        return EnumSet.of(FixFlag.IMPLAUSIBLE_JUMP);
    }

    /** Haversine great-circle distance on the mean-radius sphere. */
    public static double distanceMetres(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double h = Math.sin(dp / 2) * Math.sin(dp / 2)
                + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * EARTH_RADIUS_METRES * Math.asin(Math.min(1, Math.sqrt(h)));
    }
}
