package io.sentinel.rules.service;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
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
 * alerts) is decided when each event is read. An event read while the agency had no grant is not
 * replayed when a grant arrives later. How much of each alert it sees is decided then too, per
 * subscriber ({@link AlertReader}): without locations unless the agency owns the subject or a grant
 * in force shares location trails as well, and without the CLOSED events that would give away when a
 * withheld breach ended ({@link AlertSight}).
 *
 * <p>Cursors are given after commit. Writers insert events without one, in whatever order their
 * transactions finish; the sequencer ({@link #sequence()}) numbers committed events in
 * short transactions serialised by {@link #SEQUENCER_LOCK}, so cursors become visible in cursor
 * order and "cursor greater than the last one delivered" misses nothing. (Numbering at insert time
 * would need every alert writer to hold one lock until commit, and escalations and device events
 * would then hold up live fix evaluation.) The sequencer runs after each local commit of feed
 * events and on every poll interval, which also numbers what another replica or a crash left.
 */
@ApplicationScoped
public class AlertFeed {
    private static final Logger LOG = Logger.getLogger(AlertFeed.class);
    /** Arbitrary application-wide key of the sequencer's lock. */
    public static final long SEQUENCER_LOCK = 0x5e17_f33dL;
    private static final int BATCH = 500;
    /** At most this many events are numbered per sequencer transaction; a longer backlog takes several. */
    static final int SEQUENCE_CHUNK = 5000;
    /*
     * Numbers the oldest unnumbered committed events in insertion order. nextval reserves the first
     * cursor and setval the rest (only the lock holder takes cursors, so the range is its own); the
     * volatile CTE is evaluated once.
     */
    private static final String PENDING = "select exists (select 1 from alert_event where cursor is null)";
    private static final String SEQUENCE = """
            with p as (select event_id, row_number() over (order by event_id) as r from alert_event
                   where cursor is null order by event_id limit $1),
            n as (select count(*) as k from p),
            b as (select setval('alert_event_cursor_seq', nextval('alert_event_cursor_seq') + k - 1) - k as base from n where k > 0)
            update alert_event e set cursor = b.base + p.r from p, b where e.event_id = p.event_id""";
    /*
     * One statement, so one snapshot: the page of visible events after the cursor, and the highest
     * cursor committed in that snapshot. Cursors commit in cursor order, so every event up to that
     * high-water mark has been seen; when the page is not full the subscriber moves its cursor there
     * and never rescans other agencies' events (each commit would otherwise rescan the whole feed
     * after an agency's last visible event). location_granted says, for another agency's alert, whether
     * a grant in force shares location trails as well, so the reader sees it in full (AlertSight).
     */
    private static final String QUERY = """
            with hw as (select coalesce(max(cursor), 0) as high_water,
                   $4::uuid is null or exists (select 1 from sharing_grant g where g.grant_id = $4 and g.agency_id = $1
                     and g.categories like '% DATA_CATEGORY_ALERTS %' and g.valid_until > now()) as grant_in_force
                 from alert_event),
            page as (
              select e.cursor, e.state as event_state, e.type as event_type, e.at as event_at,
                a.owning_agency_id <> $1 and exists (select 1 from sharing_grant g where g.subject_id = a.subject_id
                  and g.agency_id = $1 and g.categories like '% DATA_CATEGORY_LOCATION_TRAIL %' and g.valid_until > now())
                  as location_granted,
                a.*
              from alert_event e join alert a on a.alert_id = e.alert_id
              where e.cursor > $2 and e.cursor <= (select high_water from hw)
                and (a.owning_agency_id = $1 or exists (select 1 from sharing_grant g where g.subject_id = a.subject_id
                     and g.agency_id = $1 and g.categories like '% DATA_CATEGORY_ALERTS %' and g.valid_until > now()))
                and ($4::uuid is null or exists (select 1 from sharing_grant g where g.grant_id = $4 and g.subject_id = a.subject_id
                     and g.agency_id = $1 and g.categories like '% DATA_CATEGORY_ALERTS %' and g.valid_until > now()))
              order by e.cursor limit $3)
            select hw.high_water, hw.grant_in_force, page.* from hw left join page on true order by page.cursor""";

    private final Pool pool;
    private final Duration pollInterval;
    private final BroadcastProcessor<Long> commits = BroadcastProcessor.create();
    /** A sequencer run was asked for since the last one started. */
    private final AtomicBoolean requested = new AtomicBoolean();
    /** A sequencer run is in flight in this replica. */
    private final AtomicBoolean running = new AtomicBoolean();
    /** A local commit added feed events since the last run started: wake subscribers after the next run. */
    private final AtomicBoolean localCommit = new AtomicBoolean();

    public AlertFeed(Pool pool, @ConfigProperty(name = "sentinel.feed.poll-interval") Duration pollInterval) {
        this.pool = pool;
        this.pollInterval = pollInterval;
    }

    /**
     * Called after a transaction that added feed events has committed: numbers the committed events
     * and then wakes the subscribers (even when another replica's sequencer numbered them first).
     * Calls while a run is in flight make one more run after it, not one each.
     */
    public void committed() {
        localCommit.set(true);
        numberPending();
    }

    /** Numbers whatever committed events are not numbered yet; wakes subscribers if there were any. */
    public void numberPending() {
        requested.set(true);
        sequenceWhileRequested();
    }

    private void sequenceWhileRequested() {
        while (true) {
            if (!running.compareAndSet(false, true)) {
                return; // the run in flight looks at the request when it ends
            }
            if (requested.getAndSet(false)) {
                break;
            }
            running.set(false);
            if (!requested.get()) {
                return;
            }
        }
        boolean wake = localCommit.getAndSet(false);
        sequence().subscribe().with(n -> {
            if (n > 0 || wake) {
                commits.onNext(System.nanoTime());
            }
            if (n == SEQUENCE_CHUNK) {
                requested.set(true); // a backlog: go on at once
            }
            running.set(false);
            sequenceWhileRequested();
        }, failure -> {
            LOG.warnf(failure, "numbering alert feed events failed; retried at the next commit or poll");
            if (wake) {
                localCommit.set(true);
            }
            running.set(false);
        });
    }

    /**
     * Numbers up to {@link #SEQUENCE_CHUNK} committed, unnumbered events in one transaction; returns
     * how many. Most commits on the fix path change no alert, so one indexed look comes first and the
     * transaction and its lock are skipped when nothing waits (an event committed just after the
     * look is numbered by the run its own commit asks for).
     */
    Uni<Integer> sequence() {
        return pool.preparedQuery(PENDING).execute().flatMap(r -> !r.iterator().next().getBoolean(0) ? Uni.createFrom().item(0)
                : pool.withTransaction(c -> c.query("select pg_advisory_xact_lock(" + SEQUENCER_LOCK + ")").execute()
                        .flatMap(x -> c.preparedQuery(SEQUENCE).execute(Tuple.of(SEQUENCE_CHUNK)))
                        .map(rows -> rows.rowCount())));
    }

    /**
     * The events {@code reader} may see after {@code afterCursor}: replay, then live. With a
     * {@code grantId} (a read under that sharing grant) only the events of the subject it shares, and
     * the feed ends with PERMISSION_DENIED once the grant is no longer in force. Each batch read is
     * handed to {@code delivering} (to record the delivery) before its events are sent; empty reads
     * are not.
     */
    public Multi<AlertEvent> subscribe(AlertReader reader, long afterCursor, UUID grantId,
            Function<List<AlertEvent>, Uni<Void>> delivering) {
        AtomicLong last = new AtomicLong(afterCursor);
        Multi<Long> wakeUps = Multi.createBy().merging().streams(
                Multi.createFrom().item(0L),
                commits,
                Multi.createFrom().ticks().every(pollInterval));
        return wakeUps
                .onOverflow().dropPreviousItems()
                .concatMap(tick -> Multi.createBy().repeating().uni(() -> drain(reader, grantId, last)
                        .call(page -> page.events().isEmpty() ? Uni.createFrom().voidItem() : delivering.apply(page.events())))
                        .whilst(Page::full))
                .flatMap(page -> Multi.createFrom().iterable(page.events()));
    }

    /** What one read delivered, and whether it read a full batch of visible events (more may follow at once). */
    private record Page(List<AlertEvent> events, boolean full) {
    }

    /**
     * Reads the next page of visible events after the cursor, as the reader may see them, and moves
     * the cursor past what it scanned. Events the reader's sight hides are scanned and skipped, so
     * whether more follow is decided by the rows read, not by the events kept.
     */
    private Uni<Page> drain(AlertReader reader, UUID grantId, AtomicLong last) {
        Tuple args = Tuple.tuple().addString(reader.agencyId()).addLong(last.get()).addInteger(BATCH).addUUID(grantId);
        return pool.preparedQuery(QUERY).execute(args).map(rows -> {
            List<AlertEvent> events = new java.util.ArrayList<>();
            long highWater = last.get();
            long lastRead = last.get();
            int read = 0;
            for (Row row : rows) {
                if (!row.getBoolean("grant_in_force")) {
                    throw SentinelException.denied("the sharing grant this feed was opened under (" + Justification.GRANT + " " + grantId
                            + ") is no longer in force; the feed ends");
                }
                highWater = row.getLong("high_water");
                if (row.getLong("cursor") == null) {
                    continue; // no visible event: the row only carries the high-water mark
                }
                read++;
                lastRead = row.getLong("cursor");
                AlertKind kind = AlertKind.valueOf(row.getString("kind"));
                AlertEventType type = AlertEventType.valueOf(row.getString("event_type"));
                AlertSight sight = reader.sightOf(row.getString("owning_agency_id"), row.getBoolean("location_granted"));
                if (!reader.mayRead(kind) || !sight.shows(type, kind)) {
                    continue;
                }
                events.add(AlertEvent.newBuilder()
                        .setCursor(lastRead)
                        .setAlert(sight.redact(AlertMapping.fromRow(row)))
                        .setType(type)
                        .setAt(Timestamps.of(AlertMapping.instant(row, "event_at")))
                        .build());
            }
            boolean full = read == BATCH;
            if (full) {
                last.set(lastRead); // more may follow: the next tick reads on
            } else {
                last.set(Math.max(last.get(), highWater));
            }
            return new Page(events, full);
        });
    }
}
