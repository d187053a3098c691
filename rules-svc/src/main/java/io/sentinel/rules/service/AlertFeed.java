package io.sentinel.rules.service;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.common.util.Timestamps;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The alert feed agencies subscribe to. The database is the feed (alert_event, ordered by
 * cursor); a commit notification wakes subscribers at once and a slow poll covers anything a
 * notification missed (another replica's commit, for instance). A subscriber that reconnects
 * with its last cursor resumes without gaps or repeats.
 *
 * <p>The cursor is global; what an agency may see (owning agency, or an unexpired grant covering
 * alerts) is decided when each event is read. Writers commit events in cursor order (see
 * {@link AlertWriter#lock()}), so "cursor greater than the last one delivered" misses nothing.
 * An event read while the agency had no grant is not replayed when a grant arrives later.
 */
@ApplicationScoped
public class AlertFeed {
    private static final int BATCH = 500;
    /*
     * One statement, so one snapshot: the page of visible events after the cursor, and the highest
     * cursor committed in that snapshot. Writers commit in cursor order, so every event up to that
     * high-water mark has been seen; when the page is not full the subscriber moves its cursor there
     * and never rescans other agencies' events (each commit would otherwise rescan the whole feed
     * after an agency's last visible event).
     */
    private static final String QUERY = """
            with hw as (select coalesce(max(cursor), 0) as high_water from alert_event),
            page as (
              select e.cursor, e.state as event_state, e.type as event_type, e.at as event_at, a.*
              from alert_event e join alert a on a.alert_id = e.alert_id
              where e.cursor > $2 and e.cursor <= (select high_water from hw)
                and (a.owning_agency_id = $1 or exists (select 1 from sharing_grant g where g.subject_id = a.subject_id
                     and g.agency_id = $1 and g.categories like '% DATA_CATEGORY_ALERTS %' and g.valid_until > now()))
              order by e.cursor limit $3)
            select hw.high_water, page.* from hw left join page on true order by page.cursor""";

    private final Pool pool;
    private final Duration pollInterval;
    private final BroadcastProcessor<Long> commits = BroadcastProcessor.create();

    public AlertFeed(Pool pool, @ConfigProperty(name = "sentinel.feed.poll-interval") Duration pollInterval) {
        this.pool = pool;
        this.pollInterval = pollInterval;
    }

    /** Called after a transaction that added feed events has committed. */
    public void committed() {
        commits.onNext(System.nanoTime());
    }

    public Multi<AlertEvent> subscribe(String agencyId, long afterCursor) {
        AtomicLong last = new AtomicLong(afterCursor);
        Multi<Long> wakeUps = Multi.createBy().merging().streams(
                Multi.createFrom().item(0L),
                commits,
                Multi.createFrom().ticks().every(pollInterval));
        return wakeUps
                .onOverflow().dropPreviousItems()
                .concatMap(tick -> Multi.createBy().repeating().uni(() -> drain(agencyId, last)).whilst(page -> page.size() == BATCH))
                .flatMap(list -> Multi.createFrom().iterable(list));
    }

    /** Reads the next page of visible events after the cursor and moves the cursor past what it scanned. */
    private Uni<List<AlertEvent>> drain(String agencyId, AtomicLong last) {
        return pool.preparedQuery(QUERY).execute(Tuple.of(agencyId, last.get(), BATCH)).map(rows -> {
            List<AlertEvent> events = new java.util.ArrayList<>();
            long highWater = last.get();
            for (Row row : rows) {
                highWater = row.getLong("high_water");
                if (row.getLong("cursor") == null) {
                    continue; // no visible event: the row only carries the high-water mark
                }
                events.add(AlertEvent.newBuilder()
                        .setCursor(row.getLong("cursor"))
                        .setAlert(AlertMapping.fromRow(row))
                        .setType(AlertEventType.valueOf(row.getString("event_type")))
                        .setAt(Timestamps.of(AlertMapping.instant(row, "event_at")))
                        .build());
            }
            if (events.size() == BATCH) {
                last.set(events.get(events.size() - 1).getCursor()); // more may follow: the next tick reads on
            } else {
                last.set(Math.max(last.get(), highWater));
            }
            return events;
        });
    }
}
