package io.sentinel.location.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.location.domain.FixReport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
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
            on conflict (device_id, device_time) do nothing""";

    private final Pool pool;

    public FixRepository(Pool pool) {
        this.pool = pool;
    }

    /** Inserts in one statement and one transaction; returns how many were new. */
    public Uni<Integer> insert(List<NewFix> fixes) {
        if (fixes.isEmpty()) {
            return Uni.createFrom().item(0);
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
        return pool.withTransaction(c -> c.preparedQuery(INSERT).execute(args)).map(RowSet::rowCount);
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

    private static StoredFix stored(Row r) {
        return new StoredFix(r.getLong("fix_id"), r.getUUID("device_id"), r.getUUID("subject_id"),
                r.getOffsetDateTime("device_time").toInstant(), r.getOffsetDateTime("received_at").toInstant(),
                r.getDouble("latitude"), r.getDouble("longitude"), r.getDouble("accuracy_metres"),
                r.getBoolean("implausible"), r.getBoolean("low_accuracy"));
    }
}
