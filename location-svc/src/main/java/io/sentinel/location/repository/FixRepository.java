package io.sentinel.location.repository;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.location.domain.FixReport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The trail, written and read with the reactive SQL client directly: one multi-row statement per
 * batch is what makes ingestion fast, and the rows need no entity life cycle.
 */
@ApplicationScoped
public class FixRepository {

    /** A fix ready to store: validated, attributed to a subject and flagged. */
    public record NewFix(FixReport report, UUID subjectId, boolean implausible, boolean lowAccuracy) {
    }

    /** A stored fix as forwarding reads it. */
    public record StoredFix(long fixId, UUID deviceId, UUID subjectId, Instant deviceTime, Instant receivedAt, double latitude,
            double longitude, double accuracyMetres, boolean implausible, boolean lowAccuracy) {
    }

    private static final String INSERT = """
            insert into fix (device_id, subject_id, device_time, received_at, latitude, longitude, accuracy_metres, hdop,
                             speed_mps, heading_degrees, battery_percent, charging, strap_tampered, implausible, low_accuracy)
            select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::float8[],
                                 $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::int4[], $12::bool[], $13::bool[],
                                 $14::bool[], $15::bool[])
            on conflict (device_id, device_time) do nothing
            returning device_id, device_time""";

    private final Pool pool;

    public FixRepository(Pool pool) {
        this.pool = pool;
    }

    /** A fix of a subject's trail as trail queries and exports read it. */
    public record TrailFix(long fixId, UUID deviceId, Instant deviceTime, Instant receivedAt, double latitude, double longitude,
            double accuracyMetres, Double speedMps, Double headingDegrees, Integer batteryPercent, boolean implausible,
            boolean lowAccuracy) {
    }

    /** A stored fix's identity: its device and device time (to the microsecond, as stored). */
    public record FixKey(UUID deviceId, Instant deviceTime) {
        public static FixKey of(FixReport r) {
            return new FixKey(UUID.fromString(r.deviceId()), r.deviceTime().truncatedTo(ChronoUnit.MICROS));
        }
    }

    /**
     * Application-wide key of the transaction lock every fix insert takes. Within one replica the
     * group commit is already serial; the lock extends that order to every replica.
     */
    public static final long FIX_ID_ORDER_LOCK = 0x5e17_f1c5L;
    private static final String ORDER_LOCK = "select pg_advisory_xact_lock(" + FIX_ID_ORDER_LOCK + ")";

    /**
     * Inserts the fixes (one statement) and the health changes they caused in one transaction;
     * returns the keys of the fixes that were new (duplicates of stored ones are left as they were).
     */
    public Uni<Set<FixKey>> insert(List<NewFix> fixes, DeviceEventRepository.HealthWrite health) {
        if (fixes.isEmpty()) {
            return health.isEmpty() ? Uni.createFrom().item(Set.of())
                    : pool.withTransaction(c -> DeviceEventRepository.write(c, health)).replaceWith(Set.of());
        }
        int n = fixes.size();
        UUID[] device = new UUID[n];
        UUID[] subject = new UUID[n];
        OffsetDateTime[] deviceTime = new OffsetDateTime[n];
        OffsetDateTime[] receivedAt = new OffsetDateTime[n];
        Double[] lat = new Double[n], lon = new Double[n], acc = new Double[n], hdop = new Double[n], speed = new Double[n],
                heading = new Double[n];
        Integer[] battery = new Integer[n];
        Boolean[] charging = new Boolean[n], tamper = new Boolean[n], implausible = new Boolean[n], low = new Boolean[n];
        for (int i = 0; i < n; i++) {
            NewFix f = fixes.get(i);
            FixReport r = f.report();
            device[i] = UUID.fromString(r.deviceId());
            subject[i] = f.subjectId();
            deviceTime[i] = r.deviceTime().atOffset(ZoneOffset.UTC);
            receivedAt[i] = r.receivedAt().atOffset(ZoneOffset.UTC);
            lat[i] = r.latitude();
            lon[i] = r.longitude();
            acc[i] = r.accuracyMetres();
            hdop[i] = r.hdop();
            speed[i] = r.speedMps();
            heading[i] = r.headingDegrees();
            battery[i] = r.batteryPercent();
            charging[i] = r.charging();
            tamper[i] = r.strapTampered();
            implausible[i] = f.implausible();
            low[i] = f.lowAccuracy();
        }
        Tuple args = Tuple.tuple(List.of(device, subject, deviceTime, receivedAt, lat, lon, acc, hdop, speed, heading, battery,
                charging, tamper, implausible, low));
        // Ids are drawn under the lock, so fixes commit in fix_id order across replicas too: forwarding
        // reads "after the last id sent" and must never find a lower id committing later.
        return pool.withTransaction(c -> c.query(ORDER_LOCK).execute().flatMap(l -> c.preparedQuery(INSERT).execute(args)).map(rows -> {
            Set<FixKey> inserted = new HashSet<>(rows.rowCount() * 2);
            for (Row r : rows) {
                inserted.add(new FixKey(r.getUUID(0), r.getOffsetDateTime(1).toInstant()));
            }
            return inserted;
        }).call(() -> health.isEmpty() ? Uni.createFrom().voidItem() : DeviceEventRepository.write(c, health)));
    }

    /** A subject's fixes in [from, to) by device time, at most limit. */
    public Uni<List<TrailFix>> trail(UUID subjectId, Instant from, Instant to, int limit) {
        return pool.preparedQuery("""
                select * from fix where subject_id = $1 and device_time >= $2 and device_time < $3
                order by device_time, device_id limit $4""")
                .execute(Tuple.of(subjectId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), limit))
                .map(FixRepository::trailRows);
    }

    /**
     * One keyset page of a subject's trail in (device time, device) order: the fixes after
     * {@code after} (the first page when null), at most {@code limit}. Each page is its own short
     * query, so a lifetime trail is read without holding it or a long transaction open.
     */
    public Uni<List<TrailFix>> pageOf(UUID subjectId, TrailFix after, int limit) {
        if (after == null) {
            return pool.preparedQuery("select * from fix where subject_id = $1 order by device_time, device_id limit $2")
                    .execute(Tuple.of(subjectId, limit)).map(FixRepository::trailRows);
        }
        return pool.preparedQuery("""
                select * from fix where subject_id = $1 and (device_time, device_id) > ($2, $3)
                order by device_time, device_id limit $4""")
                .execute(Tuple.of(subjectId, after.deviceTime().atOffset(ZoneOffset.UTC), after.deviceId(), limit))
                .map(FixRepository::trailRows);
    }

    /** Deletes a subject's fixes taken before olderThan (all when null) on {@code c} (a purge's transaction); returns how many. */
    public Uni<Integer> deleteSubject(SqlClient c, UUID subjectId, Instant olderThan) {
        if (olderThan == null) {
            return c.preparedQuery("delete from fix where subject_id = $1").execute(Tuple.of(subjectId)).map(RowSet::rowCount);
        }
        return c.preparedQuery("delete from fix where subject_id = $1 and device_time < $2")
                .execute(Tuple.of(subjectId, olderThan.atOffset(ZoneOffset.UTC))).map(RowSet::rowCount);
    }

    /**
     * Data minimisation: deletes fixes of subjects whose order keeps curfew-and-zone data only,
     * once rules-svc has acknowledged them (fix_id at or below the cursor) and they were received
     * before {@code receivedBefore}.
     */
    public Uni<Integer> deleteEvaluatedMinimised(String target, Instant receivedBefore) {
        return pool.preparedQuery("""
                delete from fix f using device_assignment a
                where a.device_id = f.device_id and a.subject_id = f.subject_id
                  and a.cadence = 'LOCATION_CADENCE_CURFEW_AND_ZONES_ONLY'
                  and f.fix_id <= coalesce((select last_fix_id from forward_cursor where target = $1), 0)
                  and f.received_at < $2""")
                .execute(Tuple.of(target, receivedBefore.atOffset(ZoneOffset.UTC))).map(RowSet::rowCount);
    }

    private static List<TrailFix> trailRows(RowSet<Row> rows) {
        List<TrailFix> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new TrailFix(r.getLong("fix_id"), r.getUUID("device_id"), r.getOffsetDateTime("device_time").toInstant(),
                    r.getOffsetDateTime("received_at").toInstant(), r.getDouble("latitude"), r.getDouble("longitude"),
                    r.getDouble("accuracy_metres"), r.getDouble("speed_mps"), r.getDouble("heading_degrees"),
                    r.getInteger("battery_percent"), r.getBoolean("implausible"), r.getBoolean("low_accuracy")));
        }
        return out;
    }

    /** The latest stored fix of a device at or before the given device time, if any. */
    public Uni<StoredFix> latestBefore(UUID deviceId, Instant deviceTime) {
        return pool.preparedQuery("""
                select * from fix where device_id = $1 and device_time <= $2 order by device_time desc limit 1""")
                .execute(Tuple.of(deviceId, deviceTime.atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.iterator().hasNext() ? stored(rows.iterator().next()) : null);
    }

    /** Fixes committed after the cursor, in commit order. */
    public Uni<List<StoredFix>> after(long fixId, int limit) {
        return pool.preparedQuery("select * from fix where fix_id > $1 order by fix_id limit $2")
                .execute(Tuple.of(fixId, limit))
                .map(rows -> {
                    List<StoredFix> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(stored(r)));
                    return out;
                });
    }

    public Uni<Long> cursor(String target) {
        return pool.preparedQuery("select last_fix_id from forward_cursor where target = $1").execute(Tuple.of(target))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getLong(0) : 0L);
    }

    public Uni<Void> saveCursor(String target, long lastFixId) {
        return pool.preparedQuery("""
                insert into forward_cursor (target, last_fix_id, updated_at) values ($1, $2, now())
                on conflict (target) do update set last_fix_id = greatest(forward_cursor.last_fix_id, excluded.last_fix_id),
                                                   updated_at = now()""")
                .execute(Tuple.of(target, lastFixId)).replaceWithVoid();
    }

    /** Creates the monthly partition that holds the given instant, if missing. */
    public Uni<Void> ensureMonthlyPartition(java.time.YearMonth month) {
        String name = "fix_" + month.getYear() + "_" + String.format("%02d", month.getMonthValue());
        String from = month.atDay(1) + " 00:00:00+00";
        String to = month.plusMonths(1).atDay(1) + " 00:00:00+00";
        return pool.query("create table if not exists " + name + " partition of fix for values from ('" + from + "') to ('" + to + "')")
                .execute().replaceWithVoid();
    }

    /** The trail's range partitions whose whole range ends at or before {@code cutoff}, oldest first (never the default one). */
    public Uni<List<String>> partitionsEndingBy(Instant cutoff) {
        // PostgreSQL renders the bound in its own text form; it also reads it back.
        return pool.preparedQuery("""
                select relname from (
                    select c.relname, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz as upper_bound
                    from pg_inherits i join pg_class c on c.oid = i.inhrelid
                    where i.inhparent = 'fix'::regclass) p
                where upper_bound <= $1 order by upper_bound""")
                .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /**
     * Drops one trail partition. Dropping needs a brief exclusive lock on the trail, so it waits at
     * most {@code lockTimeout} for running trail transactions (inserts queue behind a waiting drop)
     * and fails otherwise, to be tried again on the next run.
     */
    public Uni<Void> dropPartition(String name, Duration lockTimeout) {
        if (!name.matches("fix_[0-9_]+")) {
            throw new IllegalArgumentException("not a trail partition: " + name);
        }
        return pool.withTransaction(c -> c.query("set local lock_timeout = " + lockTimeout.toMillis()).execute()
                .flatMap(x -> c.query("drop table " + name).execute())).replaceWithVoid();
    }

    /** Deletes fixes older than {@code cutoff} that fell into the default partition (outside every range partition). */
    public Uni<Integer> deleteDefaultPartitionBefore(Instant cutoff) {
        return pool.preparedQuery("delete from fix_default where device_time < $1")
                .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC))).map(RowSet::rowCount);
    }

    private static StoredFix stored(Row r) {
        return new StoredFix(r.getLong("fix_id"), r.getUUID("device_id"), r.getUUID("subject_id"),
                r.getOffsetDateTime("device_time").toInstant(), r.getOffsetDateTime("received_at").toInstant(),
                r.getDouble("latitude"), r.getDouble("longitude"), r.getDouble("accuracy_metres"),
                r.getBoolean("implausible"), r.getBoolean("low_accuracy"));
    }
}
