package io.sentinel.common.geo;

import org.locationtech.jts.geom.Geometry;

import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;

/**
 * Validation of zone shapes (the {@code sentinel.common.v1.Zone} contract). enrollment-svc refuses
 * a bad zone before storing it and rules-svc refuses it again on receipt, with the same
 * field-named errors. Works on plain values: the generated proto classes live in each service.
 */
public final class Zones {
    public static final int MAX_VERTICES = 10_000;
    public static final double MAX_RADIUS_METRES = 100_000;

    private Zones() {
    }

    /** A GeoJSON Polygon or MultiPolygon, valid and at most {@link #MAX_VERTICES} vertices. */
    public static Geometry polygon(String field, String geojson) {
        Geometry g = ZoneShapes.parse(field, geojson);
        if (g.getNumPoints() > MAX_VERTICES) {
            throw SentinelException.invalid(field, "has " + g.getNumPoints() + " vertices (max " + MAX_VERTICES + ")");
        }
        return g;
    }

    /** Checks a circle's centre and radius. */
    public static void circle(String field, double latitude, double longitude, double radiusMetres) {
        Check.range(field + ".centre.latitude", latitude, -90, 90);
        Check.range(field + ".centre.longitude", longitude, -180, 180);
        Check.range(field + ".radius_metres", radiusMetres, 1, MAX_RADIUS_METRES);
    }
}
