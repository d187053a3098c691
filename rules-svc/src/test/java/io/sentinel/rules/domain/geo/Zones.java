package io.sentinel.rules.domain.geo;

import java.util.Random;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;

/** Generated test zones. */
final class Zones {

    static final GeometryFactory FACTORY = new GeometryFactory();

    private Zones() {
    }

    /**
     * A star-shaped polygon of {@code n} vertices around (lat, lon), radii in [rMin, rMax] metres,
     * with an optional star-shaped hole strictly inside the smallest radius.
     */
    static Polygon star(Random rnd, double lat, double lon, int n, double rMin, double rMax, boolean hole) {
        LinearRing shell = ring(rnd, lat, lon, n, rMin, rMax);
        if (!hole) {
            return FACTORY.createPolygon(shell);
        }
        LinearRing inner = ring(rnd, lat, lon, Math.max(3, n / 4), rMin * 0.2, rMin * 0.6);
        return FACTORY.createPolygon(shell, new LinearRing[] {inner});
    }

    static LinearRing ring(Random rnd, double lat, double lon, int n, double rMin, double rMax) {
        double kx = Wgs84.metresPerDegreeLongitude(lat);
        double ky = Wgs84.metresPerDegreeLatitude(lat);
        Coordinate[] cs = new Coordinate[n + 1];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            double r = rMin + rnd.nextDouble() * (rMax - rMin);
            cs[i] = new Coordinate(lon + r * Math.cos(a) / kx, lat + r * Math.sin(a) / ky);
        }
        cs[n] = cs[0].copy();
        return FACTORY.createLinearRing(cs);
    }

    static Geometry rectangle(double lon0, double lat0, double lon1, double lat1) {
        return FACTORY.createPolygon(new Coordinate[] {
                new Coordinate(lon0, lat0), new Coordinate(lon1, lat0), new Coordinate(lon1, lat1),
                new Coordinate(lon0, lat1), new Coordinate(lon0, lat0)});
    }

    static PreparedZone prepare(Geometry g) {
        return PreparedZone.of(new ZoneShape.Polygonal(g));
    }
}
