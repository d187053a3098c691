package io.sentinel.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

import io.sentinel.rules.domain.geo.Wgs84;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.simplify.TopologyPreservingSimplifier;

/**
 * The benchmark's subjects, zones and fixes, identical for every implementation: 256 subjects with
 * 20 zones of at most 1,000 vertices each, and a stream of fixes from real traces moved onto London
 * (or random walks when the data folder is missing). Each subject owns a contiguous stretch of the
 * traces (so its fixes are where its zones are), and {@link #order} interleaves all subjects'
 * fixes at random, as a service receiving many devices sees them.
 */
final class Workload {

    static final int SUBJECTS = 256;
    static final int ZONES_PER_SUBJECT = 20;
    static final int MAX_VERTICES = 1000;
    static final double DEFAULT_ACCURACY = 10;

    static final GeometryFactory FACTORY = new GeometryFactory(new PrecisionModel(), 4326);

    final String description;
    /** Distinct zones; subjects refer to them by index. */
    final List<Geometry> pool;
    final int[][] subjectZones;
    final double[] lat;
    final double[] lon;
    final double[] accuracy;
    final int[] subjectOfFix;
    /** Evaluation order: a fixed random permutation of the fixes. */
    final int[] order;

    private Workload(String description, List<Geometry> pool, int[][] subjectZones, List<BenchData.Fix> fixes) {
        this.description = description;
        this.pool = pool;
        this.subjectZones = subjectZones;
        int n = fixes.size();
        lat = new double[n];
        lon = new double[n];
        accuracy = new double[n];
        subjectOfFix = new int[n];
        order = new int[n];
        for (int i = 0; i < n; i++) {
            BenchData.Fix f = fixes.get(i);
            lat[i] = f.lat();
            lon[i] = f.lon();
            accuracy[i] = Double.isNaN(f.accuracy()) ? DEFAULT_ACCURACY : f.accuracy();
            subjectOfFix[i] = subjectOf(i, n);
            order[i] = i;
        }
        Random rnd = new Random(7);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private static int subjectOf(int fix, int fixes) {
        return (int) ((long) fix * SUBJECTS / fixes);
    }

    int size() {
        return lat.length;
    }

    /**
     * @param zones "boroughs" (the 33 real London boroughs, simplified to at most 1,000 vertices),
     *              "synthetic" (400 irregular smooth zones of exactly 1,000 vertices, a quarter with a
     *              hole) or "spiky" (400 stars whose 1,000 vertices jump between r and 2r: a stress
     *              case where any horizontal line crosses hundreds of edges)
     */
    static Workload build(String zones) {
        Optional<Path> data = BenchData.dir();
        List<double[]> anchors = List.of(new double[] {51.5074, -0.1278}, new double[] {51.5416, -0.0034},
                new double[] {51.4214, -0.2064}, new double[] {51.5055, -0.0754}, new double[] {51.5870, -0.3350},
                new double[] {51.4613, -0.1156}, new double[] {51.5560, -0.2796}, new double[] {51.3762, -0.0982},
                new double[] {51.4769, -0.0005}, new double[] {51.5150, -0.0920});
        Random rnd = new Random(2025);
        List<BenchData.Fix> fixes = data.map(d -> BenchData.tracesOnLondon(d, anchors)).orElseGet(() -> randomWalks(rnd, anchors));
        String fixSource = data.map(d -> "real traces from " + d + " moved onto London")
                .orElse("random walks (no ../shared/data found)");
        List<Geometry> pool = switch (zones) {
            case "boroughs" -> boroughs(data.orElseThrow(() -> new IllegalStateException(
                    "zones=boroughs needs ../shared/data (set -Dsentinel.data=DIR); use -p zones=synthetic without it")));
            case "synthetic" -> synthetic(rnd, fixes, false);
            case "spiky" -> synthetic(rnd, fixes, true);
            default -> throw new IllegalArgumentException("zones must be boroughs, synthetic or spiky, got " + zones);
        };
        int[][] subjectZones = new int[SUBJECTS][];
        for (int s = 0; s < SUBJECTS; s++) {
            // A subject's zones are the 20 nearest to the middle of its stretch of fixes.
            int from = 0;
            while (subjectOf(from, fixes.size()) < s) {
                from++;
            }
            int to = from;
            while (to < fixes.size() && subjectOf(to, fixes.size()) == s) {
                to++;
            }
            BenchData.Fix middle = fixes.get((from + to) / 2);
            double y = middle.lat();
            double x = middle.lon();
            subjectZones[s] = IntStream.range(0, pool.size()).boxed()
                    .sorted(Comparator.comparingDouble(i -> pool.get(i).getEnvelopeInternal().centre().distance(new Coordinate(x, y))))
                    .limit(ZONES_PER_SUBJECT).mapToInt(Integer::intValue).toArray();
        }
        int maxVertices = pool.stream().mapToInt(Geometry::getNumPoints).max().orElse(0);
        String description = zones + ": " + pool.size() + " distinct zones (max " + maxVertices + " vertices), "
                + SUBJECTS + " subjects x " + ZONES_PER_SUBJECT + " zones, " + fixes.size() + " fixes (" + fixSource + ")";
        return new Workload(description, pool, subjectZones, fixes);
    }

    private static List<Geometry> boroughs(Path data) {
        List<Geometry> out = new ArrayList<>();
        for (Geometry g : BenchData.boroughs(data)) {
            out.add(g.getNumPoints() <= MAX_VERTICES ? g : simplifyTo(g, MAX_VERTICES));
        }
        return out;
    }

    /** Topology-preserving simplification with the smallest tolerance (bisected) that fits the budget. */
    private static Geometry simplifyTo(Geometry g, int maxVertices) {
        double lo = 0;
        double hi = 1e-3;
        Geometry best = TopologyPreservingSimplifier.simplify(g, hi);
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            Geometry s = TopologyPreservingSimplifier.simplify(g, mid);
            if (s.getNumPoints() <= maxVertices) {
                hi = mid;
                best = s;
            } else {
                lo = mid;
            }
        }
        if (!best.isValid()) {
            throw new IllegalStateException("simplified zone is invalid");
        }
        return best;
    }

    /** Zones centred near real fix positions (within 1 km), so fixes fall in, out and along them. */
    private static List<Geometry> synthetic(Random rnd, List<BenchData.Fix> fixes, boolean spiky) {
        List<Geometry> out = new ArrayList<>();
        for (int z = 0; z < 400; z++) {
            BenchData.Fix near = fixes.get(rnd.nextInt(fixes.size()));
            double lat = near.lat() + (rnd.nextDouble() - 0.5) * 0.018;
            double lon = near.lon() + (rnd.nextDouble() - 0.5) * 0.029;
            double rMin = 200 + rnd.nextDouble() * 1000;
            if (z % 4 == 0) {
                // 967 + 1 shell positions and 31 + 1 hole positions: 1,000 in all.
                LinearRing shell = ring(rnd, lat, lon, MAX_VERTICES - 33, rMin, spiky);
                out.add(FACTORY.createPolygon(shell, new LinearRing[] {ring(rnd, lat, lon, 31, rMin * 0.3, false)}));
            } else {
                out.add(FACTORY.createPolygon(ring(rnd, lat, lon, MAX_VERTICES - 1, rMin, spiky)));
            }
        }
        return out;
    }

    /**
     * A ring of n distinct vertices around (lat, lon) whose radius is at least rMin metres: smooth
     * (a few random harmonics between rMin and about 2 rMin, plus 1% jitter) or spiky (each vertex
     * at an independent random radius in [rMin, 2 rMin]).
     */
    private static LinearRing ring(Random rnd, double lat, double lon, int n, double rMin, boolean spiky) {
        double kx = Wgs84.metresPerDegreeLongitude(lat);
        double ky = Wgs84.metresPerDegreeLatitude(lat);
        double[] amp = new double[6];
        double[] phase = new double[6];
        for (int k = 0; k < amp.length; k++) {
            amp[k] = rnd.nextDouble() * 0.3 / (k + 1);
            phase[k] = rnd.nextDouble() * 2 * Math.PI;
        }
        Coordinate[] cs = new Coordinate[n + 1];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            double f = 1;
            if (spiky) {
                f += rnd.nextDouble();
            } else {
                for (int k = 0; k < amp.length; k++) {
                    f += amp[k] * (1 + Math.sin((k + 1) * a + phase[k]));
                }
                f += rnd.nextDouble() * 0.01;
            }
            double r = rMin * f;
            cs[i] = new Coordinate(lon + r * Math.cos(a) / kx, lat + r * Math.sin(a) / ky);
        }
        cs[n] = cs[0].copy();
        return FACTORY.createLinearRing(cs);
    }

    private static List<BenchData.Fix> randomWalks(Random rnd, List<double[]> anchors) {
        List<BenchData.Fix> out = new ArrayList<>();
        for (double[] a : anchors) {
            double lat = a[0];
            double lon = a[1];
            for (int i = 0; i < 5000; i++) {
                lat += rnd.nextGaussian() * 1e-4;
                lon += rnd.nextGaussian() * 1.6e-4;
                out.add(new BenchData.Fix(lat, lon, 5 + rnd.nextDouble() * 30));
            }
        }
        return out;
    }
}
