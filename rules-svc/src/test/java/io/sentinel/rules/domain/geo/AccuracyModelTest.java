package io.sentinel.rules.domain.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import net.sf.geographiclib.Geodesic;
import net.sf.geographiclib.GeodesicData;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;

/**
 * Checks the metric approximations against true WGS84 geodesics (GeographicLib): a certain verdict
 * must hold for the true accuracy disc, and an uncertain one must not be much more cautious than
 * the documented error bound.
 */
class AccuracyModelTest {

    private static final Geodesic WGS84 = Geodesic.WGS84;

    /** Geodesic distance from a point to a lon/lat-straight segment, by ternary search along it. */
    private static double distanceToSegment(double lat, double lon, Coordinate a, Coordinate b) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 80; i++) {
            double m1 = lo + (hi - lo) / 3;
            double m2 = hi - (hi - lo) / 3;
            if (along(lat, lon, a, b, m1) <= along(lat, lon, a, b, m2)) {
                hi = m2;
            } else {
                lo = m1;
            }
        }
        return Math.min(along(lat, lon, a, b, (lo + hi) / 2), Math.min(along(lat, lon, a, b, 0), along(lat, lon, a, b, 1)));
    }

    private static double along(double lat, double lon, Coordinate a, Coordinate b, double t) {
        return WGS84.Inverse(lat, lon, a.y + t * (b.y - a.y), a.x + t * (b.x - a.x)).s12;
    }

    @Test
    void fixAtKnownGeodesicDistanceFromAMeridianEdgeFlipsExactlyAroundThatDistance() {
        // West edge of the zone runs along the meridian 0.1 W, which is itself a geodesic.
        PreparedZone zone = Zones.prepare(Zones.rectangle(-0.1, 51.4, 0.1, 51.6));
        for (double d : new double[] {5, 20, 50, 200, 1000, 5000}) {
            GeodesicData east = WGS84.Direct(51.5, -0.1, 90, d);
            double truth = WGS84.Inverse(east.lat2, east.lon2, east.lat2, -0.1).s12;
            double tolerance = Wgs84.localModelError(d, Math.tan(Math.toRadians(51.5))) + 1e-6;
            assertEquals(Containment.INSIDE, zone.classify(east.lat2, east.lon2, truth - 2 * tolerance - 0.001), "d=" + d);
            assertEquals(Containment.UNCERTAIN, zone.classify(east.lat2, east.lon2, truth + 0.001), "d=" + d);
            GeodesicData west = WGS84.Direct(51.5, -0.1, 270, d);
            assertEquals(Containment.OUTSIDE, zone.classify(west.lat2, west.lon2, truth - 2 * tolerance - 0.001), "d=" + d);
            assertEquals(Containment.UNCERTAIN, zone.classify(west.lat2, west.lon2, truth + 0.001), "d=" + d);
        }
    }

    @Test
    void certainPolygonVerdictsHoldForTheTrueGeodesicDiscAtManyLatitudes() {
        Random rnd = new Random(5);
        int certain = 0;
        for (double baseLat : new double[] {0.5, -33.9, 40.7, 51.5, 59.9, 69.6}) {
            for (int z = 0; z < 5; z++) {
                double lat = baseLat + rnd.nextDouble() * 0.2;
                double lon = rnd.nextDouble() * 20 - 10;
                var poly = Zones.star(rnd, lat, lon, 3 + rnd.nextInt(6), 500, 3000, false);
                PreparedZone zone = Zones.prepare(poly);
                Coordinate[] ring = poly.getExteriorRing().getCoordinates();
                for (int i = 0; i < 40; i++) {
                    GeodesicData p = WGS84.Direct(lat, lon, rnd.nextDouble() * 360, rnd.nextDouble() * 4000);
                    double truth = Double.POSITIVE_INFINITY;
                    for (int k = 1; k < ring.length; k++) {
                        truth = Math.min(truth, distanceToSegment(p.lat2, p.lon2, ring[k - 1], ring[k]));
                    }
                    // Radii straddling the true distance closely, where approximation errors would show.
                    double r = truth * (1 + (rnd.nextDouble() - 0.5) * 0.002);
                    Containment got = zone.classify(p.lat2, p.lon2, r);
                    double bound = Wgs84.localModelError(Math.max(r, truth), Math.abs(Math.tan(Math.toRadians(p.lat2))));
                    if (got != Containment.UNCERTAIN) {
                        certain++;
                        if (truth < r) {
                            fail(got + " but the boundary is " + truth + " m away, inside the " + r + " m disc");
                        }
                    } else if (truth > r + 2 * bound + 1e-6) {
                        fail("UNCERTAIN although the boundary is " + truth + " m away and r is " + r);
                    }
                }
            }
        }
        assertTrue(certain > 300, "certain verdicts exercised: " + certain);
    }

    @Test
    void certainCircleVerdictsHoldForTheTrueGeodesicDistance() {
        Random rnd = new Random(9);
        int certain = 0;
        for (double baseLat : new double[] {0.2, -45, 51.5, 64, 75}) {
            for (int i = 0; i < 3000; i++) {
                double lat = baseLat + rnd.nextDouble();
                double lon = rnd.nextDouble() * 360 - 180;
                double radius = Math.exp(rnd.nextDouble() * Math.log(20_000));
                double d = radius * (0.5 + rnd.nextDouble());
                GeodesicData p = WGS84.Direct(lat, lon, rnd.nextDouble() * 360, d);
                double r = rnd.nextInt(3) == 0 ? 0 : Math.abs(d - radius) * (1 + (rnd.nextDouble() - 0.5) * 0.01);
                Containment got = PreparedZone.of(new ZoneShape.Circle(lat, lon, radius)).classify(p.lat2, p.lon2, r);
                double truth = WGS84.Inverse(p.lat2, p.lon2, lat, lon).s12;
                switch (got) {
                    case INSIDE -> assertTrue(truth + r <= radius, "INSIDE but d=" + truth + " r=" + r + " R=" + radius);
                    case OUTSIDE -> assertTrue(truth - r > radius, "OUTSIDE but d=" + truth + " r=" + r + " R=" + radius);
                    case UNCERTAIN -> assertTrue(Math.abs(truth - radius)
                                    <= r + 2 * Wgs84.meanLatitudeModelError(truth, Math.abs(Math.tan(Math.toRadians(lat)))),
                            "UNCERTAIN but d=" + truth + " r=" + r + " R=" + radius);
                }
                if (got != Containment.UNCERTAIN) {
                    certain++;
                }
            }
        }
        assertTrue(certain > 8_000, "certain verdicts exercised: " + certain);
    }

    @Test
    void circleAcrossTheAntimeridianWrapsLongitude() {
        PreparedZone zone = PreparedZone.of(new ZoneShape.Circle(-17.0, 179.999, 500));
        GeodesicData p = WGS84.Direct(-17.0, 179.999, 90, 300);
        assertTrue(p.lon2 < 0, "the fix is across the antimeridian");
        assertEquals(Containment.INSIDE, zone.classify(p.lat2, p.lon2, 100));
        assertEquals(Containment.UNCERTAIN, zone.classify(p.lat2, p.lon2, 250));
    }

    @Test
    void documentedErrorBoundsCoverTheObservedErrors() {
        Random rnd = new Random(1);
        for (double lat0 : new double[] {0, 30, 51.5, 70, 80}) {
            for (int i = 0; i < 5000; i++) {
                double lat = lat0 + rnd.nextDouble() * 0.2 - 0.1;
                double lon = rnd.nextDouble() * 10;
                double d = rnd.nextDouble() * 10_000;
                GeodesicData g = WGS84.Direct(lat, lon, rnd.nextDouble() * 360, d);
                double dx = (g.lon2 - lon) * Wgs84.metresPerDegreeLongitude(lat);
                double dy = (g.lat2 - lat) * Wgs84.metresPerDegreeLatitude(lat);
                double local = Math.sqrt(dx * dx + dy * dy);
                double tan = Math.abs(Math.tan(Math.toRadians(lat)));
                assertTrue(Math.abs(local - d) <= Wgs84.localModelError(d, tan) + 1e-6,
                        "local frame at " + lat + " errs " + Math.abs(local - d) + " at " + d);
                double mean = (lat + g.lat2) / 2;
                double mx = (g.lon2 - lon) * Wgs84.metresPerDegreeLongitude(mean);
                double my = (g.lat2 - lat) * Wgs84.metresPerDegreeLatitude(mean);
                double meanD = Math.sqrt(mx * mx + my * my);
                assertTrue(Math.abs(meanD - d) <= Wgs84.meanLatitudeModelError(d, Math.abs(Math.tan(Math.toRadians(mean)))),
                        "mean-latitude frame at " + lat + " errs " + Math.abs(meanD - d) + " at " + d);
            }
        }
    }
}
