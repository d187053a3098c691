package io.sentinel.rules.domain.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;

/**
 * Replays real GPS traces, moved onto London, against the real borough polygons and compares every
 * decision of {@link ZoneIndex} with brute-force JTS on the same geometry. Skips without ../shared/data.
 */
class LondonBoroughsRealDataTest {

    private static Map<String, ZoneShape.Polygonal> boroughs;
    private static List<String> names;
    private static ZoneIndex index;

    @BeforeAll
    static void load() {
        if (!RealData.present()) {
            return;
        }
        boroughs = RealData.boroughs();
        names = new ArrayList<>(boroughs.keySet());
        Map<String, PreparedZone> zones = new LinkedHashMap<>();
        boroughs.forEach((name, shape) -> zones.put(name, PreparedZone.of(shape)));
        index = ZoneIndex.of(zones);
    }

    @BeforeEach
    void requireData() {
        RealData.dir();
    }

    private static Set<String> insideAt(double lat, double lon) {
        Containment[] out = index.evaluate(lat, lon, 0);
        Set<String> in = new TreeSet<>();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == Containment.INSIDE) {
                in.add(names.get(i));
            }
        }
        return in;
    }

    private static Set<String> bruteForceAt(double lat, double lon) {
        Set<String> in = new TreeSet<>();
        boroughs.forEach((name, shape) -> {
            if (BruteForce.coversByRelate(shape.geometry(), lat, lon)) {
                in.add(name);
            }
        });
        return in;
    }

    @Test
    void readsAllBoroughsWithTheirPublishedVertexCount() {
        assertEquals(33, boroughs.size());
        assertEquals(48_548, boroughs.values().stream().mapToInt(ZoneShape.Polygonal::vertexCount).sum());
    }

    @Test
    void knownPlacesLieInTheirBorough() {
        // Coordinates of the landmarks (WGS84, from their published positions).
        Object[][] known = {
                {"Guildhall", 51.51583, -0.09194, Set.of("City of London")},
                {"Buckingham Palace", 51.50100, -0.14190, Set.of("Westminster")},
                {"Tower of London", 51.50806, -0.07611, Set.of("Tower Hamlets")},
                {"Wembley Stadium", 51.55583, -0.27972, Set.of("Brent")},
                {"Heathrow Terminal 5", 51.47230, -0.48780, Set.of("Hillingdon")},
                {"Royal Observatory Greenwich", 51.47780, -0.00140, Set.of("Greenwich")},
                {"Windsor Castle", 51.48333, -0.60417, Set.of()},
                {"Westminster Bridge mid-span", 51.50083, -0.12194, Set.of()},
                {"London Bridge mid-span", 51.50790, -0.08770, Set.of()},
                {"Houses of Parliament", 51.49950, -0.12480, Set.of("Westminster")},
                {"County Hall", 51.50190, -0.11930, Set.of("Lambeth")},
        };
        for (Object[] k : known) {
            double lat = (double) k[1];
            double lon = (double) k[2];
            assertEquals(k[3], insideAt(lat, lon), (String) k[0]);
            assertEquals(k[3], bruteForceAt(lat, lon), k[0] + " (brute force)");
        }
    }

    @Test
    void windsorCastleLiesInWindsorAndMaidenheadInTheEnglandFile() {
        Map<String, ZoneShape.Polygonal> districts = RealData.englandDistricts();
        Set<String> in = new TreeSet<>();
        districts.forEach((name, shape) -> {
            if (PreparedZone.of(shape).classify(51.48333, -0.60417, 0) == Containment.INSIDE) {
                in.add(name);
            }
        });
        assertEquals(Set.of("Windsor and Maidenhead"), in);
    }

    @Test
    void sharedBoundaryVerticesBelongToEveryBoroughThatHasThem() {
        int shared = 0;
        for (int b = 0; b < names.size(); b++) {
            for (Coordinate c : boroughs.get(names.get(b)).geometry().getCoordinates()) {
                Containment[] out = index.evaluate(c.y, c.x, 0);
                assertEquals(Containment.INSIDE, out[b], names.get(b) + " at its own vertex " + c);
                int owners = 0;
                for (int i = 0; i < out.length; i++) {
                    boolean brute = BruteForce.covers(boroughs.get(names.get(i)).geometry(), c.y, c.x);
                    assertEquals(brute, out[i] == Containment.INSIDE, names.get(i) + " at " + c);
                    owners += brute ? 1 : 0;
                }
                if (owners > 1) {
                    shared++;
                }
            }
        }
        assertTrue(shared > 10_000, "vertices shared between boroughs: " + shared);
    }

    @Test
    void everyDecisionOnRealTracesMatchesBruteForce() {
        Map<String, List<RealData.Point>> traces = RealData.traces();
        // Central London plus boundary vertices of several boroughs, so traces cross many borders and the Thames.
        List<double[]> anchors = new ArrayList<>(List.of(
                new double[] {51.5074, -0.1278}, new double[] {51.5416, -0.0034}, new double[] {51.4214, -0.2064},
                new double[] {51.5055, -0.0754}, new double[] {51.5870, -0.3350}));
        for (String b : List.of("City of London", "Westminster", "Lambeth", "Newham", "Richmond upon Thames")) {
            Coordinate[] cs = boroughs.get(b).geometry().getCoordinates();
            for (int k = 0; k < 4; k++) {
                Coordinate c = cs[k * cs.length / 4];
                anchors.add(new double[] {c.y, c.x});
            }
        }
        long fixes = 0;
        long pointDecisions = 0;
        long discDecisions = 0;
        long inside = 0;
        long uncertain = 0;
        long inNoBorough = 0;
        long relateChecks = 0;
        List<String> disagreements = new ArrayList<>();
        Containment[] out = new Containment[index.size()];
        for (var trace : traces.entrySet()) {
            // The 18,107-fix Go!Track set spans a city; two placements of it are plenty.
            List<double[]> placements = trace.getValue().size() > 10_000 ? anchors.subList(0, 2) : anchors;
            for (double[] anchor : placements) {
                List<RealData.Point> moved = RealData.shiftOnto(trace.getValue(), anchor[0], anchor[1]);
                for (RealData.Point p : moved) {
                    fixes++;
                    index.evaluateInto(p.lat(), p.lon(), 0, out);
                    boolean anywhere = false;
                    for (int i = 0; i < out.length; i++) {
                        Geometry g = boroughs.get(names.get(i)).geometry();
                        Containment expected = BruteForce.classify(g, p.lat(), p.lon(), 0);
                        pointDecisions++;
                        if (expected != out[i]) {
                            disagreements.add(trace.getKey() + " " + names.get(i) + " at " + p + ": " + out[i] + " vs " + expected);
                        }
                        if (fixes % 53 == 0 && g.getEnvelopeInternal().contains(p.lon(), p.lat())) {
                            relateChecks++;
                            if (BruteForce.coversByRelate(g, p.lat(), p.lon()) != (out[i] == Containment.INSIDE)) {
                                disagreements.add(trace.getKey() + " " + names.get(i) + " at " + p + ": covers differs");
                            }
                        }
                        anywhere |= out[i] == Containment.INSIDE;
                    }
                    inside += anywhere ? 1 : 0;
                    inNoBorough += anywhere ? 0 : 1;
                    // Accuracy-aware decisions on a sample (the brute force re-projects whole boroughs).
                    if (fixes % 3 == 0) {
                        double r = Double.isNaN(p.accuracy()) ? 25 : p.accuracy();
                        index.evaluateInto(p.lat(), p.lon(), r, out);
                        for (int i = 0; i < out.length; i++) {
                            Containment expected = BruteForce.classify(boroughs.get(names.get(i)).geometry(), p.lat(), p.lon(), r);
                            discDecisions++;
                            uncertain += out[i] == Containment.UNCERTAIN ? 1 : 0;
                            if (expected != out[i]) {
                                disagreements.add(trace.getKey() + " " + names.get(i) + " at " + p + " r=" + r + ": " + out[i] + " vs " + expected);
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("real-data replay: %d fixes, %d point decisions, %d accuracy decisions (%d uncertain), "
                        + "%d fixes in a borough, %d in none, %d relate cross-checks, %d disagreements%n",
                fixes, pointDecisions, discDecisions, uncertain, inside, inNoBorough, relateChecks, disagreements.size());
        assertEquals(List.of(), disagreements.subList(0, Math.min(20, disagreements.size())));
        assertTrue(fixes > 80_000 && inside > 50_000 && inNoBorough > 1_000 && uncertain > 1_000,
                "the replay exercised inside, outside and uncertain cases");
    }
}
