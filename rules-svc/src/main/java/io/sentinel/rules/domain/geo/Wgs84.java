package io.sentinel.rules.domain.geo;

/**
 * Local scales of the WGS84 ellipsoid: metres per degree along a parallel and along a meridian.
 *
 * <p>Distances in this package are measured in an equirectangular frame scaled at one latitude.
 * Compared with geodesic distances from GeographicLib, the frame scaled at one end of a distance
 * {@code d} errs by about {@code 0.19 * |tan(lat)| * d^2 / a}; scaled at the mean latitude of both
 * ends it errs by about {@code 0.08 * d^3 / a^2} at London's latitude. {@link #localModelError} and
 * {@link #meanLatitudeModelError} bound these with a safety factor of at least two, and callers add
 * the bound to a radius so that a "certain" answer stays certain despite the approximation.
 */
public final class Wgs84 {

    /** Semi-major axis in metres. */
    public static final double A = 6_378_137.0;
    /** Flattening. */
    public static final double F = 1 / 298.257223563;
    /** First eccentricity squared. */
    public static final double E2 = F * (2 - F);
    /** Smallest length of one degree of latitude (at the equator), in metres: a lower bound everywhere. */
    public static final double MIN_METRES_PER_DEGREE_LATITUDE = A * (1 - E2) * Math.PI / 180;

    private static final double RAD = Math.PI / 180;

    private Wgs84() {
    }

    /** Metres per degree of longitude at the latitude whose sine and cosine are given. */
    public static double metresPerDegreeLongitude(double sinLat, double cosLat) {
        return A * cosLat * RAD / Math.sqrt(1 - E2 * sinLat * sinLat);
    }

    /** Metres per degree of latitude at the latitude whose sine is given. */
    public static double metresPerDegreeLatitudeAtSine(double sinLat) {
        double w = Math.sqrt(1 - E2 * sinLat * sinLat);
        return A * (1 - E2) * RAD / (w * w * w);
    }

    /** Metres per degree of longitude at a latitude in degrees. */
    public static double metresPerDegreeLongitude(double latitude) {
        double r = latitude * RAD;
        return metresPerDegreeLongitude(Math.sin(r), Math.cos(r));
    }

    /** Metres per degree of latitude at a latitude in degrees. */
    public static double metresPerDegreeLatitude(double latitude) {
        return metresPerDegreeLatitudeAtSine(Math.sin(latitude * RAD));
    }

    /**
     * Upper bound of the error of a distance {@code d} measured in a frame scaled at one of its ends,
     * at a latitude whose |tan| is given (0.5 against the 0.19 observed; 0.002 covers the equator).
     */
    public static double localModelError(double d, double absTanLat) {
        return d * d * (0.5 * absTanLat + 0.002) / A;
    }

    /**
     * Upper bound of the error of a distance {@code d} measured in a frame scaled at the mean latitude
     * of its ends, plus a micrometre for rounding.
     */
    public static double meanLatitudeModelError(double d, double absTanLat) {
        return d * d * d * 0.2 * (1 + absTanLat * absTanLat) / (A * A) + 1e-6;
    }
}
