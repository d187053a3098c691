package io.sentinel.rules.domain.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;

class ZoneIndexTest {

    private static final GeoJsonZoneReader READER = new GeoJsonZoneReader();

    /** 0.01 x 0.01 degree square (about 700 m x 1.1 km) with a square hole in the middle. */
    private static final Geometry SQUARE_WITH_HOLE = READER.read("{\"type\":\"Polygon\",\"coordinates\":["
            + "[[-0.1,51.5],[-0.09,51.5],[-0.09,51.51],[-0.1,51.51],[-0.1,51.5]],"
            + "[[-0.097,51.503],[-0.093,51.503],[-0.093,51.507],[-0.097,51.507],[-0.097,51.503]]]}").geometry();

    @Test
    void pointInHoleIsOutside() {
        PreparedZone zone = Zones.prepare(SQUARE_WITH_HOLE);
        assertEquals(Containment.OUTSIDE, zone.classify(51.505, -0.095, 0));
        assertEquals(Containment.INSIDE, zone.classify(51.501, -0.095, 0));
        assertEquals(Containment.OUTSIDE, zone.classify(51.52, -0.095, 0));
    }

    @Test
    void boundaryPointsCountAsInsideForExactFixesAndUncertainOtherwise() {
        PreparedZone zone = Zones.prepare(SQUARE_WITH_HOLE);
        double[][] onBoundary = {{51.5, -0.1}, {51.5, -0.095}, {51.505, -0.09}, {51.503, -0.095}, {51.507, -0.097}};
        for (double[] p : onBoundary) {
            assertEquals(Containment.INSIDE, zone.classify(p[0], p[1], 0), () -> "on the boundary at " + p[0] + "," + p[1]);
            assertEquals(Containment.UNCERTAIN, zone.classify(p[0], p[1], 0.01));
        }
    }

    @Test
    void accuracyDiscDecidesBetweenCertainAndUncertain() {
        PreparedZone zone = Zones.prepare(SQUARE_WITH_HOLE);
        // 100 m east of the west edge, 167 m north of the south edge, far from the hole: nearest boundary 100 m.
        double lat = 51.5015;
        double lon = -0.1 + 100 / Wgs84.metresPerDegreeLongitude(lat);
        assertEquals(Containment.INSIDE, zone.classify(lat, lon, 99.5));
        assertEquals(Containment.UNCERTAIN, zone.classify(lat, lon, 100.5));
        // Midway along the south edge, 0.0005 degrees (55.6 m) north of it.
        double dSouth = 0.0005 * Wgs84.metresPerDegreeLatitude(51.5005);
        assertEquals(Containment.INSIDE, zone.classify(51.5005, -0.095, dSouth - 0.05));
        assertEquals(Containment.UNCERTAIN, zone.classify(51.5005, -0.095, dSouth + 0.05));
        // In the hole, 0.001 degrees of longitude (69 m) from its west and east edges: outside the zone.
        double dHole = 0.002 * Wgs84.metresPerDegreeLongitude(51.505);
        assertEquals(Containment.OUTSIDE, zone.classify(51.505, -0.095, dHole - 0.05));
        assertEquals(Containment.UNCERTAIN, zone.classify(51.505, -0.095, dHole + 0.05));
        // Outside, 300 m west of the west edge.
        double west = -0.1 - 300 / Wgs84.metresPerDegreeLongitude(51.505);
        assertEquals(Containment.OUTSIDE, zone.classify(51.505, west, 299.9));
        assertEquals(Containment.UNCERTAIN, zone.classify(51.505, west, 300.1));
    }

    @Test
    void agreesWithJtsCoversOnRandomStarPolygonsWithHoles() {
        Random rnd = new Random(42);
        int checked = 0;
        for (int z = 0; z < 40; z++) {
            double lat = 51.3 + rnd.nextDouble() * 0.4;
            double lon = -0.4 + rnd.nextDouble() * 0.6;
            Polygon poly = Zones.star(rnd, lat, lon, 5 + rnd.nextInt(1000), 200, 3000, rnd.nextBoolean());
            PreparedZone zone = Zones.prepare(poly);
            var env = poly.getEnvelopeInternal();
            for (int i = 0; i < 2000; i++) {
                double y = env.getMinY() - 0.005 + rnd.nextDouble() * (env.getHeight() + 0.01);
                double x = env.getMinX() - 0.005 + rnd.nextDouble() * (env.getWidth() + 0.01);
                assertEquals(BruteForce.classify(poly, y, x, 0), zone.classify(y, x, 0), () -> "at " + y + "," + x);
                if (i % 100 == 0) {
                    assertEquals(BruteForce.coversByRelate(poly, y, x), zone.classify(y, x, 0) == Containment.INSIDE);
                }
                checked++;
            }
            // Every vertex and the exact y of every vertex (horizontal-ray tie cases).
            for (Coordinate c : poly.getCoordinates()) {
                assertEquals(Containment.INSIDE, zone.classify(c.y, c.x, 0));
                double x = env.getMinX() + rnd.nextDouble() * env.getWidth();
                assertEquals(BruteForce.classify(poly, c.y, x, 0), zone.classify(c.y, x, 0), () -> "at " + c.y + "," + x);
                checked++;
            }
        }
        assertTrue(checked > 80_000);
    }

    @Test
    void agreesWithJtsCoversOnGridPolygonsWithHorizontalEdgesAndGridPoints() {
        // Coordinates on a 1/64 degree grid are exact in binary, so points land exactly on edges and vertices.
        Random rnd = new Random(7);
        for (int z = 0; z < 200; z++) {
            List<Coordinate> ring = new ArrayList<>();
            // A random orthogonal "staircase" polygon: monotone in x above and below.
            int w = 4 + rnd.nextInt(12);
            double[] top = new double[w + 1];
            double[] bottom = new double[w + 1];
            for (int i = 0; i <= w; i++) {
                bottom[i] = rnd.nextInt(4);
                top[i] = 4 + rnd.nextInt(6);
            }
            for (int i = 0; i <= w; i++) {
                ring.add(new Coordinate(i / 64.0, 51 + bottom[i] / 64.0));
                ring.add(new Coordinate((i + 1) / 64.0, 51 + bottom[i] / 64.0));
            }
            for (int i = w; i >= 0; i--) {
                ring.add(new Coordinate((i + 1) / 64.0, 51 + top[i] / 64.0));
                ring.add(new Coordinate(i / 64.0, 51 + top[i] / 64.0));
            }
            ring.add(ring.get(0).copy());
            Polygon poly = Zones.FACTORY.createPolygon(ring.toArray(new Coordinate[0]));
            assertTrue(poly.isValid());
            PreparedZone zone = Zones.prepare(poly);
            for (int xi = -2; xi <= 2 * (w + 3); xi++) {
                for (int yi = -2; yi <= 24; yi++) {
                    double x = xi / 128.0;
                    double y = 51 + yi / 128.0;
                    assertEquals(BruteForce.classify(poly, y, x, 0), zone.classify(y, x, 0), "at " + y + "," + x);
                    assertEquals(BruteForce.coversByRelate(poly, y, x), zone.classify(y, x, 0) == Containment.INSIDE);
                }
            }
        }
    }

    @Test
    void accuracyVerdictsAgreeWithBruteForceDistanceToBoundary() {
        Random rnd = new Random(3);
        int uncertain = 0;
        int certain = 0;
        for (int z = 0; z < 12; z++) {
            double lat = 51.3 + rnd.nextDouble() * 0.4;
            double lon = -0.4 + rnd.nextDouble() * 0.6;
            Polygon poly = Zones.star(rnd, lat, lon, 50 + rnd.nextInt(950), 300, 2500, rnd.nextBoolean());
            ZoneIndex index = ZoneIndex.empty().with("z", Zones.prepare(poly));
            var env = poly.getEnvelopeInternal();
            for (int i = 0; i < 400; i++) {
                double y = env.getMinY() - 0.01 + rnd.nextDouble() * (env.getHeight() + 0.02);
                double x = env.getMinX() - 0.01 + rnd.nextDouble() * (env.getWidth() + 0.02);
                double r = rnd.nextInt(4) == 0 ? 0 : Math.exp(rnd.nextDouble() * Math.log(3000));
                Containment expected = BruteForce.classify(poly, y, x, r);
                assertEquals(expected, index.evaluate(y, x, r)[0], "at " + y + "," + x + " r=" + r);
                if (expected == Containment.UNCERTAIN) {
                    uncertain++;
                } else {
                    certain++;
                }
            }
        }
        assertTrue(uncertain > 300 && certain > 1500, "both kinds exercised: " + uncertain + " / " + certain);
    }

    @Test
    void evaluatesManyZonesAtOnceLikeOneByOne() {
        Random rnd = new Random(11);
        Map<String, PreparedZone> zones = new LinkedHashMap<>();
        for (int z = 0; z < 17; z++) {
            zones.put("poly-" + z, Zones.prepare(Zones.star(rnd, 51.45 + rnd.nextDouble() * 0.1,
                    -0.2 + rnd.nextDouble() * 0.2, 1000, 300, 4000, z % 3 == 0)));
        }
        for (int z = 0; z < 3; z++) {
            zones.put("circle-" + z, PreparedZone.of(new ZoneShape.Circle(51.5, -0.1 + z * 0.02, 500 + 700 * z)));
        }
        ZoneIndex index = ZoneIndex.of(zones);
        assertEquals(20, index.size());
        Containment[] out = new Containment[20];
        for (int i = 0; i < 3000; i++) {
            double lat = 51.42 + rnd.nextDouble() * 0.16;
            double lon = -0.25 + rnd.nextDouble() * 0.3;
            double r = i % 3 == 0 ? 0 : rnd.nextDouble() * 200;
            index.evaluateInto(lat, lon, r, out);
            for (int s = 0; s < 20; s++) {
                assertEquals(index.zone(s).classify(lat, lon, r), out[s]);
            }
        }
    }

    @Test
    void copyOnWriteLeavesTheOriginalIndexUntouched() {
        PreparedZone a = Zones.prepare(Zones.rectangle(-0.1, 51.5, -0.09, 51.51));
        PreparedZone b = Zones.prepare(Zones.rectangle(-0.08, 51.5, -0.07, 51.51));
        PreparedZone c = PreparedZone.of(new ZoneShape.Circle(51.505, -0.095, 100));
        ZoneIndex one = ZoneIndex.empty().with("a", a);
        ZoneIndex two = one.with("b", b);
        ZoneIndex replaced = two.with("a", c);
        ZoneIndex removed = two.without("a");
        assertEquals(List.of("a"), one.zoneIds());
        assertEquals(List.of("a", "b"), two.zoneIds());
        assertSame(a, two.zone(0));
        assertSame(c, replaced.zone(0));
        assertSame(b, replaced.zone(1));
        assertEquals(List.of("b"), removed.zoneIds());
        assertEquals(0, removed.slotOf("b"));
        assertSame(two, two.without("missing"));
        assertArrayEquals(new Containment[] {Containment.INSIDE, Containment.OUTSIDE}, two.evaluate(51.501, -0.0999, 0));
        assertArrayEquals(new Containment[] {Containment.OUTSIDE, Containment.OUTSIDE}, replaced.evaluate(51.501, -0.0999, 0));
    }

    @Test
    void rejectsBadFixesAndBadIds() {
        ZoneIndex index = ZoneIndex.empty().with("a", Zones.prepare(Zones.rectangle(-0.1, 51.5, -0.09, 51.51)));
        assertEquals("latitude 90.5 out of range [-90, 90]",
                assertThrows(IllegalArgumentException.class, () -> index.evaluate(90.5, 0, 0)).getMessage());
        assertEquals("longitude NaN out of range [-180, 180]",
                assertThrows(IllegalArgumentException.class, () -> index.evaluate(51, Double.NaN, 0)).getMessage());
        assertEquals("accuracyMetres must be a finite number >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> index.evaluate(51, 0, -1)).getMessage());
        assertEquals("accuracyMetres must be a finite number >= 0, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> index.evaluate(51, 0, Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("out has 0 elements, index has 1 zones",
                assertThrows(IllegalArgumentException.class, () -> index.evaluateInto(51, 0, 0, new Containment[0])).getMessage());
        assertEquals("zoneId must not be blank",
                assertThrows(IllegalArgumentException.class, () -> index.with(" ", index.zone(0))).getMessage());
        assertEquals("no zone with id 'b'",
                assertThrows(IllegalArgumentException.class, () -> index.evaluate("b", 51, 0, 0)).getMessage());
    }

    @Test
    void hugeAccuracyIsUncertainNearAZoneAndOutsideFarAway() {
        ZoneIndex index = ZoneIndex.empty()
                .with("poly", Zones.prepare(Zones.rectangle(-0.1, 51.5, -0.09, 51.51)))
                .with("circle", PreparedZone.of(new ZoneShape.Circle(51.505, -0.095, 300)));
        assertArrayEquals(new Containment[] {Containment.UNCERTAIN, Containment.UNCERTAIN}, index.evaluate(51.6, -0.3, 50_000));
        // Edinburgh is about 530 km away.
        assertArrayEquals(new Containment[] {Containment.OUTSIDE, Containment.OUTSIDE}, index.evaluate(55.95, -3.19, 50_000));
        assertArrayEquals(new Containment[] {Containment.UNCERTAIN, Containment.UNCERTAIN}, index.evaluate(55.95, -3.19, 600_000));
    }
}
