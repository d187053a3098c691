package io.sentinel.location.repository;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.location.domain.DeviceState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Device health state and the outbox of device events for rules-svc. */
@ApplicationScoped
public class DeviceEventRepository {

    /** An event to record, attributed to the subject the device was assigned to. */
    public record NewEvent(UUID eventId, UUID subjectId, UUID deviceId, String kind, Instant occurredAt, String detail) {
    }

    /** An outbox row not yet acknowledged by rules-svc. */
    public record PendingEvent(long seq, UUID eventId, UUID subjectId, UUID deviceId, String kind, Instant occurredAt,
            String detail) {
    }

    /** State changes and events that must commit together with the fixes that caused them. */
    public record HealthWrite(List<DeviceState> states, List<NewEvent> events) {
        public static final HealthWrite NONE = new HealthWrite(List.of(), List.of());

        public boolean isEmpty() {
            return states.isEmpty() && events.isEmpty();
        }
    }

    private static final String UPSERT_STATE = """
            insert into device_state (device_id, last_device_time, last_received_at, battery_low, charging, strap_tampered,
                                      no_signal_raised)
            select * from unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::bool[], $5::bool[], $6::bool[], $7::bool[])
            on conflict (device_id) do update set last_device_time = excluded.last_device_time,
                last_received_at = excluded.last_received_at, battery_low = excluded.battery_low, charging = excluded.charging,
                strap_tampered = excluded.strap_tampered, no_signal_raised = excluded.no_signal_raised""";

    private static final String INSERT_EVENTS = """
            insert into device_event (event_id, subject_id, device_id, kind, occurred_at, detail)
            select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[])""";

    private final Pool pool;

    public DeviceEventRepository(Pool pool) {
        this.pool = pool;
    }

    /** Writes inside the caller's transaction. */
    public static Uni<Void> write(SqlConnection c, HealthWrite w) {
        Uni<Void> states = Uni.createFrom().voidItem();
        if (!w.states().isEmpty()) {
            int n = w.states().size();
            UUID[] id = new UUID[n];
            OffsetDateTime[] lastDevice = new OffsetDateTime[n], lastReceived = new OffsetDateTime[n];
            Boolean[] low = new Boolean[n], charging = new Boolean[n], tampered = new Boolean[n], noSignal = new Boolean[n];
            for (int i = 0; i < n; i++) {
                DeviceState s = w.states().get(i);
                id[i] = UUID.fromString(s.deviceId());
                lastDevice[i] = utc(s.lastDeviceTime());
                lastReceived[i] = utc(s.lastReceivedAt());
                low[i] = s.batteryLow();
                charging[i] = s.charging();
                tampered[i] = s.strapTampered();
                noSignal[i] = s.noSignalRaised();
            }
            states = c.preparedQuery(UPSERT_STATE)
                    .execute(Tuple.tuple(List.of(id, lastDevice, lastReceived, low, charging, tampered, noSignal))).replaceWithVoid();
        }
        if (w.events().isEmpty()) {
            return states;
        }
        int n = w.events().size();
        UUID[] eventId = new UUID[n], subject = new UUID[n], device = new UUID[n];
        String[] kind = new String[n], detail = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            NewEvent e = w.events().get(i);
            eventId[i] = e.eventId();
            subject[i] = e.subjectId();
            device[i] = e.deviceId();
            kind[i] = e.kind();
            at[i] = utc(e.occurredAt());
            detail[i] = e.detail();
        }
        Tuple args = Tuple.tuple(List.of(eventId, subject, device, kind, at, detail));
        return states.chain(() -> c.preparedQuery(INSERT_EVENTS).execute(args)).replaceWithVoid();
    }

    /** Writes in a transaction of its own (the no-signal sweep). */
    public Uni<Void> write(HealthWrite w) {
        if (w.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(c -> write(c, w));
    }

    public Uni<List<DeviceState>> loadStates() {
        return pool.query("select * from device_state").execute().map(rows -> {
            List<DeviceState> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                out.add(new DeviceState(r.getUUID("device_id").toString(), instant(r, "last_device_time"),
                        instant(r, "last_received_at"), r.getBoolean("battery_low"), r.getBoolean("charging"),
                        r.getBoolean("strap_tampered"), r.getBoolean("no_signal_raised")));
            }
            return out;
        });
    }

    public Uni<List<PendingEvent>> pending(int limit) {
        return pool.preparedQuery("select * from device_event where delivered_at is null"
                + " and (next_attempt_at is null or next_attempt_at <= now()) order by seq limit $1")
                .execute(Tuple.of(limit)).map(rows -> {
                    List<PendingEvent> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new PendingEvent(r.getLong("seq"), r.getUUID("event_id"), r.getUUID("subject_id"),
                                r.getUUID("device_id"), r.getString("kind"), instant(r, "occurred_at"), r.getString("detail")));
                    }
                    return out;
                });
    }

    public Uni<Void> markDelivered(List<PendingEvent> events) {
        Long[] seqs = events.stream().map(PendingEvent::seq).toArray(Long[]::new);
        return pool.preparedQuery("update device_event set delivered_at = now(), attempts = attempts + 1 where seq = any($1)")
                .execute(Tuple.of(seqs)).replaceWithVoid();
    }

    /**
     * Events rules-svc deferred: sent again after a backoff doubling with each attempt (2 s, 4 s, …,
     * at most an hour), so they never hold back the events behind them.
     */
    public Uni<Void> markDeferred(List<PendingEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Long[] seqs = events.stream().map(PendingEvent::seq).toArray(Long[]::new);
        return pool.preparedQuery("update device_event set attempts = attempts + 1, next_attempt_at = now()"
                + " + least(interval '1 hour', interval '1 second' * power(2, least(attempts + 1, 12))) where seq = any($1)")
                .execute(Tuple.of(seqs)).replaceWithVoid();
    }

    public Uni<Void> markAttempted(List<PendingEvent> events) {
        Long[] seqs = events.stream().map(PendingEvent::seq).toArray(Long[]::new);
        return pool.preparedQuery("update device_event set attempts = attempts + 1 where seq = any($1)")
                .execute(Tuple.of(seqs)).replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
