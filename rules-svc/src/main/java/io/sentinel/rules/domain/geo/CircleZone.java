package io.sentinel.rules.domain.geo;

/**
 * A circular zone. Distances to the centre are measured in a frame scaled at the mean latitude of
 * fix and centre (third-order error, about 2 cm at 20 km in London; see {@link Wgs84}); the error
 * bound is added before declaring a fix certainly inside or outside.
 */
final class CircleZone extends PreparedZone {

    private static final double RAD = Math.PI / 180;
    /** Beyond this fix-to-centre distance the mean-latitude model is not trusted; exact bounds decide. */
    private static final double MODEL_RANGE_METRES = 100_000;

    private final ZoneShape.Circle shape;
    private final double lat;
    private final double lon;
    private final double radius;

    CircleZone(ZoneShape.Circle shape) {
        this.shape = shape;
        this.lat = shape.centreLatitude();
        this.lon = shape.centreLongitude();
        this.radius = shape.radiusMetres();
    }

    @Override
    public ZoneShape.Circle shape() {
        return shape;
    }

    /**
     * @param sinP sine of the fix latitude
     * @param cosP cosine of the fix latitude
     * @param modelled whether the accuracy radius is small enough for the distance model
     */
    Containment classify(double fixLat, double fixLon, double r, double sinP, double cosP, boolean modelled) {
        double dLat = fixLat - lat;
        double reach = radius + r;
        // The meridian arc between two latitudes is a lower bound of any geodesic joining them.
        if (Math.abs(dLat) * Wgs84.MIN_METRES_PER_DEGREE_LATITUDE > reach) {
            return Containment.OUTSIDE;
        }
        double dLon = fixLon - lon;
        if (dLon > 180) {
            dLon -= 360;
        } else if (dLon < -180) {
            dLon += 360;
        }
        // cos/sin of the mean latitude from the fix's, by angle subtraction with short series:
        // |h| < 0.003 rad here, so the truncation error is below 1e-11.
        double h = dLat * RAD / 2;
        double ch = 1 - h * h / 2;
        double sh = h - h * h * h / 6;
        double sinM = sinP * ch - cosP * sh;
        double cosM = cosP * ch + sinP * sh;
        double w2 = 1 - Wgs84.E2 * sinM * sinM;
        double w = Math.sqrt(w2);
        double dx = dLon * (Wgs84.A * cosM * RAD / w);
        double dy = dLat * (Wgs84.A * (1 - Wgs84.E2) * RAD / (w2 * w));
        double d = Math.sqrt(dx * dx + dy * dy);
        if (!modelled || d > MODEL_RANGE_METRES) {
            return farOutside(fixLat, dLon, reach) ? Containment.OUTSIDE : Containment.UNCERTAIN;
        }
        double m = Wgs84.meanLatitudeModelError(d, Math.abs(sinM / cosM));
        if (d + m + r <= radius) {
            return Containment.INSIDE;
        }
        if (d - m - r > radius) {
            return Containment.OUTSIDE;
        }
        return Containment.UNCERTAIN;
    }

    /**
     * Exact test: within the latitude band the dLat check allowed, a path must cover dLon at no less
     * than the scale of the band's poleward edge, and a path leaving the band is longer than reach.
     */
    private boolean farOutside(double fixLat, double dLon, double reach) {
        double poleward = Math.max(Math.abs(fixLat), Math.abs(lat)) + reach / Wgs84.MIN_METRES_PER_DEGREE_LATITUDE;
        if (poleward >= 90) {
            return false;
        }
        return Math.abs(dLon) * Wgs84.metresPerDegreeLongitude(poleward) > reach;
    }
}
