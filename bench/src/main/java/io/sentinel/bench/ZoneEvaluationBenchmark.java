package io.sentinel.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sentinel.rules.domain.geo.Containment;
import io.sentinel.rules.domain.geo.PreparedZone;
import io.sentinel.rules.domain.geo.ZoneIndex;
import io.sentinel.rules.domain.geo.ZoneShape;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.io.WKBWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Zone evaluation throughput: one operation is one fix evaluated against all 20 zones of its subject.
 *
 * <ul>
 * <li>{@code sentinelIndex}: {@link ZoneIndex}, point containment (accuracy 0).</li>
 * <li>{@code sentinelIndexWithAccuracy}: {@link ZoneIndex} with each fix's accuracy disc
 *     (INSIDE/OUTSIDE/UNCERTAIN), real accuracies where the trace has them, else 10 m.</li>
 * <li>{@code jtsStrtreePrepared}: baseline, a JTS STRtree per subject over prepared geometries,
 *     queried with the fix's point envelope, then {@code covers} on each candidate.</li>
 * <li>{@code postgisStContains}: baseline, one {@code ST_Contains} query per fix against a GiST
 *     index over (subject, geometry) in PostgreSQL/PostGIS (JDBC URL from
 *     {@code -Dsentinel.bench.jdbcUrl}); skipped by {@link BenchMain} when unreachable.</li>
 * <li>{@code postgisStContainsBatch}: the same index, one query per batch of {@value #BATCH} fixes
 *     (an {@code unnest} of their points joined to the zones), so it measures containment
 *     throughput rather than round trips.</li>
 * </ul>
 * Setup checks that every implementation returns the same zones for the same fixes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ZoneEvaluationBenchmark {

    static final int BATCH = 1024;
    static final int SQL_BATCH = 64;

    /** The workload and the in-memory indexes built from it. */
    @State(Scope.Thread)
    public static class Zones {

        @Param({"boroughs", "synthetic", "spiky"})
        public String zones;

        Workload w;
        ZoneIndex[] indexes;
        STRtree[] trees;
        Containment[] out = new Containment[Workload.ZONES_PER_SUBJECT];
        int cursor;

        @Setup(Level.Trial)
        public void build() {
            w = Workload.build(zones);
            System.out.println("\n# workload " + w.description);
            PreparedZone[] compiled = new PreparedZone[w.pool.size()];
            PreparedGeometry[] prepared = new PreparedGeometry[w.pool.size()];
            for (int z = 0; z < compiled.length; z++) {
                compiled[z] = PreparedZone.of(new ZoneShape.Polygonal(w.pool.get(z)));
                prepared[z] = PreparedGeometryFactory.prepare(w.pool.get(z));
            }
            indexes = new ZoneIndex[Workload.SUBJECTS];
            trees = new STRtree[Workload.SUBJECTS];
            for (int s = 0; s < Workload.SUBJECTS; s++) {
                Map<String, PreparedZone> mine = new LinkedHashMap<>();
                STRtree tree = new STRtree();
                for (int z : w.subjectZones[s]) {
                    mine.put("zone-" + z, compiled[z]);
                    tree.insert(prepared[z].getGeometry().getEnvelopeInternal(), prepared[z]);
                }
                tree.build();
                indexes[s] = ZoneIndex.of(mine);
                trees[s] = tree;
            }
            checkStrtreeAgrees();
        }

        /** Zones containing fix i according to ZoneIndex, as pool indices. */
        List<Integer> insideByIndex(int i) {
            int s = w.subjectOfFix[i];
            indexes[s].evaluateInto(w.lat[i], w.lon[i], 0, out);
            List<Integer> in = new ArrayList<>();
            for (int k = 0; k < indexes[s].size(); k++) {
                if (out[k] == Containment.INSIDE) {
                    in.add(w.subjectZones[s][k]);
                }
            }
            in.sort(null);
            return in;
        }

        private void checkStrtreeAgrees() {
            Map<Geometry, Integer> poolIndex = new IdentityHashMap<>();
            for (int z = 0; z < w.pool.size(); z++) {
                poolIndex.put(w.pool.get(z), z);
            }
            long hits = 0;
            for (int i = 0; i < w.size(); i++) {
                Point p = Workload.FACTORY.createPoint(new Coordinate(w.lon[i], w.lat[i]));
                List<Integer> in = new ArrayList<>();
                for (Object o : trees[w.subjectOfFix[i]].query(p.getEnvelopeInternal())) {
                    PreparedGeometry g = (PreparedGeometry) o;
                    if (g.covers(p)) {
                        in.add(poolIndex.get(g.getGeometry()));
                    }
                }
                in.sort(null);
                if (!in.equals(insideByIndex(i))) {
                    throw new IllegalStateException("STRtree and ZoneIndex disagree at fix " + i + ": " + in + " vs " + insideByIndex(i));
                }
                hits += in.size();
            }
            long uncertain = 0;
            for (int i = 0; i < w.size(); i++) {
                indexes[w.subjectOfFix[i]].evaluateInto(w.lat[i], w.lon[i], w.accuracy[i], out);
                for (int k = 0; k < Workload.ZONES_PER_SUBJECT; k++) {
                    uncertain += out[k] == Containment.UNCERTAIN ? 1 : 0;
                }
            }
            System.out.println("# check: STRtree and ZoneIndex agree on all " + w.size() + " fixes (" + hits
                    + " containments; with accuracy radii " + uncertain + " uncertain verdicts)");
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sentinelIndex(Zones z) {
        Workload w = z.w;
        Containment[] out = z.out;
        int inside = 0;
        int i = z.cursor;
        for (int k = 0; k < BATCH; k++) {
            int f = w.order[i];
            ZoneIndex index = z.indexes[w.subjectOfFix[f]];
            index.evaluateInto(w.lat[f], w.lon[f], 0, out);
            for (int s = 0; s < index.size(); s++) {
                inside += out[s] == Containment.INSIDE ? 1 : 0;
            }
            if (++i == w.size()) {
                i = 0;
            }
        }
        z.cursor = i;
        return inside;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sentinelIndexWithAccuracy(Zones z) {
        Workload w = z.w;
        Containment[] out = z.out;
        int certain = 0;
        int i = z.cursor;
        for (int k = 0; k < BATCH; k++) {
            int f = w.order[i];
            ZoneIndex index = z.indexes[w.subjectOfFix[f]];
            index.evaluateInto(w.lat[f], w.lon[f], w.accuracy[f], out);
            for (int s = 0; s < index.size(); s++) {
                certain += out[s] != Containment.UNCERTAIN ? 1 : 0;
            }
            if (++i == w.size()) {
                i = 0;
            }
        }
        z.cursor = i;
        return certain;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int jtsStrtreePrepared(Zones z) {
        Workload w = z.w;
        int inside = 0;
        int i = z.cursor;
        for (int k = 0; k < BATCH; k++) {
            int f = w.order[i];
            Point p = Workload.FACTORY.createPoint(new Coordinate(w.lon[f], w.lat[f]));
            for (Object o : z.trees[w.subjectOfFix[f]].query(new Envelope(w.lon[f], w.lon[f], w.lat[f], w.lat[f]))) {
                inside += ((PreparedGeometry) o).covers(p) ? 1 : 0;
            }
            if (++i == w.size()) {
                i = 0;
            }
        }
        z.cursor = i;
        return inside;
    }

    /** A PostgreSQL connection holding the workload's zones in a temporary table with a GiST index. */
    @State(Scope.Thread)
    public static class PostGis {

        Connection db;
        PreparedStatement query;
        PreparedStatement batchQuery;
        String index;

        @Setup(Level.Trial)
        public void load(Zones z) throws SQLException {
            String url = BenchMain.jdbcUrl();
            db = DriverManager.getConnection(url);
            try (Statement st = db.createStatement()) {
                st.execute("CREATE EXTENSION IF NOT EXISTS postgis");
                boolean btreeGist = true;
                try {
                    st.execute("CREATE EXTENSION IF NOT EXISTS btree_gist");
                } catch (SQLException e) {
                    btreeGist = false;
                }
                st.execute("CREATE TEMP TABLE bench_zone (subject int NOT NULL, zone int NOT NULL, geom geometry(Geometry, 4326) NOT NULL)");
                WKBWriter wkb = new WKBWriter(2, false);
                try (PreparedStatement insert = db.prepareStatement(
                        "INSERT INTO bench_zone (subject, zone, geom) VALUES (?, ?, ST_SetSRID(ST_GeomFromWKB(?), 4326))")) {
                    byte[][] bytes = new byte[z.w.pool.size()][];
                    for (int s = 0; s < Workload.SUBJECTS; s++) {
                        for (int zone : z.w.subjectZones[s]) {
                            if (bytes[zone] == null) {
                                bytes[zone] = wkb.write(z.w.pool.get(zone));
                            }
                            insert.setInt(1, s);
                            insert.setInt(2, zone);
                            insert.setBytes(3, bytes[zone]);
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                }
                index = btreeGist ? "GiST (subject, geom) via btree_gist" : "GiST (geom) + btree (subject)";
                if (btreeGist) {
                    st.execute("CREATE INDEX ON bench_zone USING gist (subject, geom)");
                } else {
                    st.execute("CREATE INDEX ON bench_zone USING gist (geom)");
                    st.execute("CREATE INDEX ON bench_zone (subject)");
                }
                st.execute("ANALYZE bench_zone");
            }
            query = db.prepareStatement("SELECT zone FROM bench_zone WHERE subject = ? "
                    + "AND ST_Contains(geom, ST_SetSRID(ST_MakePoint(?, ?), 4326))");
            System.out.println("# postgis: " + url.replaceAll("password=[^&]*", "password=***") + ", index " + index);
            try (PreparedStatement explain = db.prepareStatement("EXPLAIN SELECT zone FROM bench_zone WHERE subject = 1 "
                    + "AND ST_Contains(geom, ST_SetSRID(ST_MakePoint(-0.1, 51.5), 4326))");
                 ResultSet rs = explain.executeQuery()) {
                while (rs.next()) {
                    System.out.println("#   " + rs.getString(1));
                }
            }
            int checked = Math.min(5000, z.w.size());
            for (int i = 0; i < checked; i++) {
                List<Integer> in = run(z.w, i);
                in.sort(null);
                if (!in.equals(z.insideByIndex(i))) {
                    throw new IllegalStateException("PostGIS and ZoneIndex disagree at fix " + i + ": " + in + " vs " + z.insideByIndex(i));
                }
            }
            System.out.println("# check: PostGIS and ZoneIndex agree on the first " + checked + " fixes");
            batchQuery = db.prepareStatement("SELECT p.k, z.zone FROM unnest(?::int[], ?::int[], ?::float8[], ?::float8[])"
                    + " AS p(k, subject, lon, lat) JOIN bench_zone z ON z.subject = p.subject"
                    + " AND ST_Contains(z.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))");
            for (int from = 0; from < checked; from += BATCH) {
                int[] fixes = new int[Math.min(BATCH, checked - from)];
                for (int k = 0; k < fixes.length; k++) {
                    fixes[k] = from + k;
                }
                List<List<Integer>> in = runBatch(z.w, fixes);
                for (int k = 0; k < fixes.length; k++) {
                    in.get(k).sort(null);
                    if (!in.get(k).equals(z.insideByIndex(fixes[k]))) {
                        throw new IllegalStateException("PostGIS (batch) and ZoneIndex disagree at fix " + fixes[k] + ": " + in.get(k)
                                + " vs " + z.insideByIndex(fixes[k]));
                    }
                }
            }
            System.out.println("# check: PostGIS one query per " + BATCH + " fixes (unnest) agrees with ZoneIndex on the first "
                    + checked + " fixes");
        }

        /** The zones containing each of the given fixes, with one query for all of them. */
        List<List<Integer>> runBatch(Workload w, int[] fixes) throws SQLException {
            Object[] k = new Object[fixes.length];
            Object[] subject = new Object[fixes.length];
            Object[] lon = new Object[fixes.length];
            Object[] lat = new Object[fixes.length];
            List<List<Integer>> in = new ArrayList<>(fixes.length);
            for (int i = 0; i < fixes.length; i++) {
                k[i] = i;
                subject[i] = w.subjectOfFix[fixes[i]];
                lon[i] = w.lon[fixes[i]];
                lat[i] = w.lat[fixes[i]];
                in.add(new ArrayList<>(2));
            }
            batchQuery.setArray(1, db.createArrayOf("int4", k));
            batchQuery.setArray(2, db.createArrayOf("int4", subject));
            batchQuery.setArray(3, db.createArrayOf("float8", lon));
            batchQuery.setArray(4, db.createArrayOf("float8", lat));
            try (ResultSet rs = batchQuery.executeQuery()) {
                while (rs.next()) {
                    in.get(rs.getInt(1)).add(rs.getInt(2));
                }
            }
            return in;
        }

        List<Integer> run(Workload w, int i) throws SQLException {
            query.setInt(1, w.subjectOfFix[i]);
            query.setDouble(2, w.lon[i]);
            query.setDouble(3, w.lat[i]);
            List<Integer> in = new ArrayList<>(2);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    in.add(rs.getInt(1));
                }
            }
            return in;
        }

        @TearDown(Level.Trial)
        public void close() throws SQLException {
            if (db != null) {
                db.close();
            }
        }
    }

    /** The fairer PostGIS baseline: one query (an {@code unnest} of the points) per batch of fixes, not one round trip per fix. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int postgisStContainsBatch(Zones z, PostGis pg) throws SQLException {
        Workload w = z.w;
        int[] fixes = new int[BATCH];
        int i = z.cursor;
        for (int k = 0; k < BATCH; k++) {
            fixes[k] = w.order[i];
            if (++i == w.size()) {
                i = 0;
            }
        }
        z.cursor = i;
        int inside = 0;
        for (List<Integer> in : pg.runBatch(w, fixes)) {
            inside += in.size();
        }
        return inside;
    }

    @Benchmark
    @OperationsPerInvocation(SQL_BATCH)
    public int postgisStContains(Zones z, PostGis pg) throws SQLException {
        Workload w = z.w;
        int inside = 0;
        int i = z.cursor;
        for (int k = 0; k < SQL_BATCH; k++) {
            inside += pg.run(w, w.order[i]).size();
            if (++i == w.size()) {
                i = 0;
            }
        }
        z.cursor = i;
        return inside;
    }
}
