package io.sentinel.biometric.service;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.sentinel.biometric.domain.PromptPlanner;
import io.sentinel.common.util.Uuids;
import io.sentinel.common.window.OrderWindow;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Draws each active schedule's daily check-in prompts at unpredictable moments inside the
 * subject's waking window, and turns a prompt whose deadline passed unanswered into a MISSED
 * event for rules-svc (through the same outbox as confirmed NO_MATCH results).
 */
@ApplicationScoped
public class PromptScheduler {
    private static final Logger LOG = Logger.getLogger(PromptScheduler.class);

    private final Pool pool;
    private final CheckInEventOutbox outbox;
    private final Duration deadline;
    private final SecureRandom random = new SecureRandom();

    public PromptScheduler(Pool pool, CheckInEventOutbox outbox, @ConfigProperty(name = "sentinel.prompts.deadline") Duration deadline) {
        this.pool = pool;
        this.outbox = outbox;
        this.deadline = deadline;
    }

    public Duration deadline() {
        return deadline;
    }

    @Scheduled(every = "${sentinel.prompts.plan-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> planJob() {
        return planDays(Instant.now()).onFailure().invoke(t -> LOG.warnf("prompt planning failed: %s", t.getMessage())).replaceWithVoid();
    }

    @Scheduled(every = "${sentinel.prompts.missed-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> missedJob() {
        return markMissed(Instant.now()).onFailure().invoke(t -> LOG.warnf("missed-prompt sweep failed: %s", t.getMessage())).replaceWithVoid();
    }

    /**
     * Draws the prompts of each active subject's local today and tomorrow that are not drawn yet.
     * Moments already past at {@code now} are dropped, so a subject whose monitoring starts
     * mid-day is never prompted in the past; moments outside the order's legal window are dropped too,
     * so nobody is prompted before the order starts or after it ends. Returns how many prompts were created.
     */
    public Uni<Integer> planDays(Instant now) {
        return pool.query("""
                select subject_id, owning_agency_id, time_zone, per_day, window_start, window_end, order_starts_at, order_ends_at
                from check_in_schedule where active and per_day > 0""")
                .execute().flatMap(rows -> {
                    List<Uni<Integer>> work = new ArrayList<>();
                    for (Row r : rows) {
                        work.add(planSubject(r, now));
                    }
                    return work.isEmpty() ? Uni.createFrom().item(0)
                            : Uni.join().all(work).andCollectFailures().map(l -> l.stream().mapToInt(Integer::intValue).sum());
                });
    }

    private Uni<Integer> planSubject(Row r, Instant now) {
        UUID subject = r.getUUID("subject_id");
        String agency = r.getString("owning_agency_id");
        List<Tuple> prompts = new ArrayList<>();
        List<LocalDate> days = new ArrayList<>();
        OrderWindow order = OrderWindow.ofNullable(instant(r, "order_starts_at"), instant(r, "order_ends_at"));
        try {
            LocalDate today = now.atZone(PromptPlanner.zone(r.getString("time_zone"))).toLocalDate();
            for (LocalDate day : List.of(today, today.plusDays(1))) {
                days.add(day);
                var window = PromptPlanner.window(day, r.getString("time_zone"), r.getString("window_start"), r.getString("window_end"));
                for (Instant at : PromptPlanner.plan(window, r.getInteger("per_day"), random)) {
                    // Never in the past, and never outside the order's legal window.
                    if (at.isAfter(now) && order.contains(at)) {
                        prompts.add(Tuple.of(Uuids.v7(), subject, agency, day, at.atOffset(ZoneOffset.UTC), at.plus(deadline).atOffset(ZoneOffset.UTC)));
                    }
                }
            }
        } catch (IllegalArgumentException bad) {
            // enrollment-svc validates schedules; one bad schedule must not stop everyone else's prompts.
            LOG.errorf("schedule of subject %s cannot be planned: %s", subject, bad.getMessage());
            return Uni.createFrom().item(0);
        }
        return pool.withTransaction(c -> {
            Uni<Integer> created = Uni.createFrom().item(0);
            for (LocalDate day : days) {
                List<Tuple> ofDay = prompts.stream().filter(t -> t.getLocalDate(3).equals(day)).toList();
                created = created.flatMap(n -> c.preparedQuery("insert into prompt_day (subject_id, local_date, planned_at) values ($1, $2, now()) on conflict do nothing")
                        .execute(Tuple.of(subject, day)).flatMap(ins -> ins.rowCount() == 0 || ofDay.isEmpty() ? Uni.createFrom().item(n)
                                : c.preparedQuery("""
                                        insert into check_in_prompt (prompt_id, subject_id, owning_agency_id, local_date, prompt_at, deadline_at, state)
                                        values ($1, $2, $3, $4, $5, $6, 'PENDING')""").executeBatch(ofDay).map(x -> n + ofDay.size())));
            }
            return created;
        });
    }

    private static Instant instant(Row r, String column) {
        var t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    /**
     * Every PENDING prompt whose deadline is at or before {@code now} becomes MISSED and, in the
     * same statement, queues a MISSED event (occurred_at = the deadline). Returns how many.
     */
    public Uni<Integer> markMissed(Instant now) {
        return pool.preparedQuery("""
                with missed as (
                    update check_in_prompt set state = 'MISSED' where state = 'PENDING' and deadline_at <= $1
                    returning prompt_id, subject_id, deadline_at)
                insert into check_in_event_outbox (event_id, subject_id, kind, check_in_id, occurred_at)
                select gen_random_uuid(), subject_id, 'CHECK_IN_EVENT_KIND_MISSED', prompt_id, deadline_at
                from missed order by deadline_at, prompt_id""").execute(Tuple.of(now.atOffset(ZoneOffset.UTC))).map(rows -> {
                    if (rows.rowCount() > 0) {
                        outbox.wake();
                    }
                    return rows.rowCount();
                });
    }

    /** The subject's prompts open at {@code now}, earliest first; prompts still to come are not revealed. */
    public Uni<List<io.sentinel.api.biometric.v1.CheckInPrompt>> open(UUID subject, Instant now) {
        return pool.preparedQuery("""
                select prompt_id, prompt_at, deadline_at from check_in_prompt
                where subject_id = $1 and state = 'PENDING' and prompt_at <= $2 and deadline_at > $2 order by prompt_at""")
                .execute(Tuple.of(subject, now.atOffset(ZoneOffset.UTC))).map(rows -> {
                    List<io.sentinel.api.biometric.v1.CheckInPrompt> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(prompt(r));
                    }
                    return out;
                });
    }

    /** A prompt row (prompt_id, prompt_at, deadline_at) as the API shows it. */
    static io.sentinel.api.biometric.v1.CheckInPrompt prompt(Row r) {
        return io.sentinel.api.biometric.v1.CheckInPrompt.newBuilder().setPromptId(r.getUUID("prompt_id").toString())
                .setPromptAt(io.sentinel.common.util.Timestamps.of(r.getOffsetDateTime("prompt_at").toInstant()))
                .setDeadlineAt(io.sentinel.common.util.Timestamps.of(r.getOffsetDateTime("deadline_at").toInstant())).build();
    }
}
