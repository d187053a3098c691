package io.sentinel.bench.location;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.operation.distance.IndexedFacetDistance;
import org.locationtech.jts.simplify.TopologyPreservingSimplifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The fault drill's workload and its expected alerts, computed here from the real data alone
 * (JTS on the polygons and the traces, never rules-svc's code): each subject is one real GO Track
 * trip moved onto London (east/north offsets in metres kept), its fixes 30 s apart in device time,
 * and its one exclusion zone a real London borough boundary (simplified to at most 200 vertices,
 * and that simplified polygon is what is sent). A trip/borough pair is used only when its answer is
 * beyond doubt: every fix more than {@link #MARGIN_METRES} from the boundary (the fixes are sent
 * with 10 m accuracy), every stay inside at least {@link #MIN_INSIDE} fixes (2.5 min; rules-svc
 * opens after 2 min and 3 fixes), every stay outside between two at least {@link #MIN_OUTSIDE}
 * fixes (1.5 min; it closes after 1 min and 2 fixes), and no step longer than 500 m (which the
 * jump detector could flag). The expected alerts are then exactly one per stay inside, dated from
 * its first fix.
 */
final class DrillPlan {
    static final double MARGIN_METRES = 30;
    static final int MIN_INSIDE = 6;
    static final int MIN_OUTSIDE = 4;
    static final int MIN_FIXES = 40;
    static final long FIX_SECONDS = 30;
    private static final GeometryFactory GEO = new GeometryFactory(new PrecisionModel(), 4326);
    /** Where trips are placed: points on or near borough boundaries in inner London. */
    private static final double[][] ANCHORS = { { 51.5155, -0.1410 }, { 51.5230, -0.1050 }, { 51.4940, -0.1300 }, { 51.5350, -0.0780 },
            { 51.5050, -0.0850 }, { 51.4800, -0.1100 }, { 51.5460, -0.1400 }, { 51.5200, -0.0600 }, { 51.4700, -0.0700 },
            { 51.5000, -0.2000 }, { 51.5400, -0.1900 }, { 51.4650, -0.1600 } };

    record Trip(int trackId, List<double[]> fixes) {
    }

    /** One subject's workload: its fixes (lat, lon), its zone and the fix indexes where expected breaches start. */
    record Subject(int trackId, List<double[]> fixes, String zoneName, String zoneGeoJson, List<Integer> breachStarts) {
    }

    private DrillPlan() {
    }

    /** Up to {@code wanted} usable subjects from the data, in a fixed order. */
    static List<Subject> subjects(Path data, int wanted) {
        List<Trip> trips = trips(data.resolve("gps/uci-gotrack/go_track_trackspoints.csv"));
        Map<String, Polygon> boroughs = boroughs(data.resolve("zones/london_boroughs_gla_2011_wgs84.geojson"));
        List<Subject> out = new ArrayList<>();
        int anchor = 0;
        for (Trip trip : trips) {
            if (out.size() >= wanted) {
                break;
            }
            Subject found = null;
            for (int a = 0; a < ANCHORS.length && found == null; a++) {
                double[] at = ANCHORS[(anchor + a) % ANCHORS.length];
                List<double[]> moved = shift(trip.fixes(), at[0], at[1]);
                for (Map.Entry<String, Polygon> b : boroughs.entrySet()) {
                    List<Integer> starts = breachStarts(moved, b.getValue());
                    if (starts != null && !starts.isEmpty()) {
                        found = new Subject(trip.trackId(), moved, b.getKey(), geoJson(b.getValue()), starts);
                        break;
                    }
                }
            }
            anchor++;
            if (found != null) {
                out.add(found);
            }
        }
        return out;
    }

    /**
     * The indexes of the fixes that start each stay inside {@code zone}, or null when the answer is
     * not beyond doubt (see the class comment).
     */
    static List<Integer> breachStarts(List<double[]> fixes, Polygon zone) {
        Envelope env = new Envelope();
        fixes.forEach(f -> env.expandToInclude(f[1], f[0]));
        if (!zone.getEnvelopeInternal().intersects(env)) {
            return null;
        }
        IndexedFacetDistance boundary = new IndexedFacetDistance(zone.getBoundary());
        PreparedGeometry prepared = PreparedGeometryFactory.prepare(zone);
        boolean[] inside = new boolean[fixes.size()];
        for (int i = 0; i < fixes.size(); i++) {
            double[] f = fixes.get(i);
            Point p = GEO.createPoint(new Coordinate(f[1], f[0]));
            // A distance in degrees, turned into metres at the smaller scale (a degree of longitude),
            // so the margin is never overstated.
            double metres = boundary.distance(p) * metresPerDegreeLongitude(f[0]);
            if (metres <= MARGIN_METRES) {
                return null;
            }
            inside[i] = prepared.contains(p);
        }
        List<Integer> starts = new ArrayList<>();
        int i = 0;
        boolean seenOutside = false;
        while (i < inside.length) {
            int j = i;
            while (j < inside.length && inside[j] == inside[i]) {
                j++;
            }
            int run = j - i;
            if (inside[i]) {
                if (run < MIN_INSIDE) {
                    return null;
                }
                starts.add(i);
            } else if (i > 0 && j < inside.length && run < MIN_OUTSIDE) {
                return null; // a short stay outside between two inside
            } else {
                seenOutside = true;
            }
            i = j;
        }
        // A trip wholly inside tells nothing about entering; keep those that enter or leave.
        return seenOutside ? starts : null;
    }

    static double metresPerDegreeLatitude() {
        return 111_132.0;
    }

    static double metresPerDegreeLongitude(double lat) {
        return 111_320.0 * Math.cos(Math.toRadians(lat));
    }

    private static List<Trip> trips(Path csv) {
        Map<Integer, List<double[]>> byTrack = new LinkedHashMap<>();
        List<String> lines = read(csv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            byTrack.computeIfAbsent(Integer.parseInt(f[2]), k -> new ArrayList<>())
                    .add(new double[] { Double.parseDouble(f[0]), Double.parseDouble(f[1]) });
        }
        List<Trip> out = new ArrayList<>();
        byTrack.forEach((id, fixes) -> {
            if (fixes.size() < MIN_FIXES) {
                return;
            }
            for (int i = 1; i < fixes.size(); i++) {
                double[] a = fixes.get(i - 1), b = fixes.get(i);
                double dy = (b[0] - a[0]) * metresPerDegreeLatitude(), dx = (b[1] - a[1]) * metresPerDegreeLongitude(a[0]);
                if (Math.hypot(dx, dy) > 500) {
                    return; // a jump the service may flag: not a trip whose answer is beyond doubt
                }
            }
            out.add(new Trip(id, fixes));
        });
        return out;
    }

    /** Moves a trip so its mean lands on (lat, lon), keeping east/north offsets in metres. */
    private static List<double[]> shift(List<double[]> trip, double lat, double lon) {
        double mLat = trip.stream().mapToDouble(f -> f[0]).average().orElseThrow();
        double mLon = trip.stream().mapToDouble(f -> f[1]).average().orElseThrow();
        double kx = metresPerDegreeLongitude(mLat) / metresPerDegreeLongitude(lat);
        List<double[]> out = new ArrayList<>(trip.size());
        for (double[] f : trip) {
            out.add(new double[] { lat + (f[0] - mLat), lon + (f[1] - mLon) * kx });
        }
        return out;
    }

    /** The boroughs that are single polygons without holes, simplified to at most 200 vertices. */
    private static Map<String, Polygon> boroughs(Path file) {
        Map<String, Polygon> out = new LinkedHashMap<>();
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(file));
            for (JsonNode f : root.get("features")) {
                JsonNode g = f.get("geometry");
                if (!"Polygon".equals(g.get("type").asText()) || g.get("coordinates").size() != 1) {
                    continue;
                }
                JsonNode ring = g.get("coordinates").get(0);
                Coordinate[] cs = new Coordinate[ring.size()];
                for (int i = 0; i < ring.size(); i++) {
                    cs[i] = new Coordinate(ring.get(i).get(0).asDouble(), ring.get(i).get(1).asDouble());
                }
                Geometry p = GEO.createPolygon(GEO.createLinearRing(cs));
                double tolerance = 0.00005;
                while (p.getNumPoints() > 200) {
                    p = TopologyPreservingSimplifier.simplify(p, tolerance);
                    tolerance *= 1.5;
                }
                if (p instanceof Polygon poly && poly.isValid()) {
                    JsonNode props = f.get("properties");
                    String name = props != null && props.has("NAME") ? props.get("NAME").asText() : "borough " + out.size();
                    out.put(name, poly);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String geoJson(Polygon p) {
        LinearRing ring = p.getExteriorRing();
        StringBuilder b = new StringBuilder("{\"type\":\"Polygon\",\"coordinates\":[[");
        Coordinate[] cs = ring.getCoordinates();
        if (!org.locationtech.jts.algorithm.Orientation.isCCW(cs)) {
            // RFC 7946: exterior rings counterclockwise.
            java.util.Collections.reverse(java.util.Arrays.asList(cs));
        }
        for (int i = 0; i < cs.length; i++) {
            b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "[%.7f,%.7f]", cs[i].x, cs[i].y));
        }
        return b.append("]]}").toString();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
