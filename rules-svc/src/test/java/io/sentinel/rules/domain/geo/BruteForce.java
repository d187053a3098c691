package io.sentinel.rules.domain.geo;

import org.locationtech.jts.algorithm.locate.SimplePointInAreaLocator;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Location;
import org.locationtech.jts.geom.util.AffineTransformation;

/**
 * Reference answers computed the slow, obvious way with plain JTS: point-in-area over every edge of
 * the geometry for the point, and the distance from the fix to the whole boundary after projecting the
 * zone into the fix's local metric frame.
 */
final class BruteForce {

    private static final GeometryFactory FACTORY = new GeometryFactory();

    private BruteForce() {
    }

    /**
     * JTS's unindexed point-in-area test (every ring, every edge). {@code Geometry.covers} gives the same
     * answer for a point but costs about a millisecond per call through the relate machinery, so tests
     * call it ({@link #coversByRelate}) on a sample only.
     */
    static boolean covers(Geometry zone, double lat, double lon) {
        return SimplePointInAreaLocator.locate(new Coordinate(lon, lat), zone) != Location.EXTERIOR;
    }

    static boolean coversByRelate(Geometry zone, double lat, double lon) {
        return zone.covers(FACTORY.createPoint(new Coordinate(lon, lat)));
    }

    /** Distance in metres from the fix to the zone boundary, in the fix's local frame. */
    static double boundaryDistance(Geometry zone, double lat, double lon) {
        AffineTransformation toMetres = new AffineTransformation()
                .translate(-lon, -lat)
                .scale(Wgs84.metresPerDegreeLongitude(lat), Wgs84.metresPerDegreeLatitude(lat));
        return toMetres.transform(zone).getBoundary().distance(FACTORY.createPoint(new Coordinate(0, 0)));
    }

    /** What ZoneIndex promises for a polygonal zone, computed independently. */
    static Containment classify(Geometry zone, double lat, double lon, double r) {
        boolean in = covers(zone, lat, lon);
        if (r == 0) {
            return in ? Containment.INSIDE : Containment.OUTSIDE;
        }
        double rad = Math.toRadians(lat);
        double rEff = r + Wgs84.localModelError(r, Math.abs(Math.tan(rad)));
        // The envelope's distance is a lower bound of the boundary's: skip re-projecting far zones.
        var env = zone.getEnvelopeInternal();
        double ex = Math.max(0, Math.max(env.getMinX() - lon, lon - env.getMaxX())) * Wgs84.metresPerDegreeLongitude(lat);
        double ey = Math.max(0, Math.max(env.getMinY() - lat, lat - env.getMaxY())) * Wgs84.metresPerDegreeLatitude(lat);
        if (ex * ex + ey * ey > rEff * rEff * 1.0001) {
            return in ? Containment.INSIDE : Containment.OUTSIDE;
        }
        if (boundaryDistance(zone, lat, lon) <= rEff) {
            return Containment.UNCERTAIN;
        }
        return in ? Containment.INSIDE : Containment.OUTSIDE;
    }
}
