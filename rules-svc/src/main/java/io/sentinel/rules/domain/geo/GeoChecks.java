package io.sentinel.rules.domain.geo;

/** Range checks shared by zone parsing and fix evaluation, with messages that name the field. */
final class GeoChecks {

    private GeoChecks() {
    }

    static void latitude(String path, double latitude) {
        if (!Double.isFinite(latitude)) {
            throw new InvalidZoneException(path, "latitude must be a finite number, got " + latitude);
        }
        if (latitude < -90 || latitude > 90) {
            throw new InvalidZoneException(path, "latitude " + latitude + " out of range [-90, 90]");
        }
    }

    static void longitude(String path, double longitude) {
        if (!Double.isFinite(longitude)) {
            throw new InvalidZoneException(path, "longitude must be a finite number, got " + longitude);
        }
        if (longitude < -180 || longitude > 180) {
            throw new InvalidZoneException(path, "longitude " + longitude + " out of range [-180, 180]");
        }
    }

    /** Fix checks throw plain IllegalArgumentException: a bad fix is not a bad zone. */
    static void fix(double latitude, double longitude, double accuracyMetres) {
        if (!(latitude >= -90 && latitude <= 90)) {
            throw new IllegalArgumentException("latitude " + latitude + " out of range [-90, 90]");
        }
        if (!(longitude >= -180 && longitude <= 180)) {
            throw new IllegalArgumentException("longitude " + longitude + " out of range [-180, 180]");
        }
        if (!(accuracyMetres >= 0) || accuracyMetres == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("accuracyMetres must be a finite number >= 0, got " + accuracyMetres);
        }
    }
}
