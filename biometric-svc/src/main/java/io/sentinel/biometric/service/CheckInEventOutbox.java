package io.sentinel.biometric.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.scheduler.Scheduled;
import io.sentinel.api.internal.v1.CheckInEventKind;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.grpc.Channel;
import io.sentinel.api.internal.v1.MutinyRulesIntakeServiceGrpc;
import io.sentinel.api.internal.v1.MutinyRulesIntakeServiceGrpc.MutinyRulesIntakeServiceStub;
import io.sentinel.common.grpc.ServiceTokenClientInterceptor;
import io.sentinel.common.security.ServiceTokens;
import io.sentinel.common.security.Services;
import io.sentinel.common.util.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Delivers check-in events to rules-svc in the order they were written. A failure backs the
 * failing event off exponentially and holds every later one behind it, so rules-svc receives
 * them all, in order, once it is back. An event rules-svc rejects as invalid is parked with the
 * error instead of blocking the queue forever.
 */
@ApplicationScoped
public class CheckInEventOutbox {
    private static final Logger LOG = Logger.getLogger(CheckInEventOutbox.class);

    private final Pool pool;
    private final MutinyRulesIntakeServiceStub rules;
    private final Duration deadline;
    private final Duration maxBackoff;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public CheckInEventOutbox(Pool pool, @GrpcClient("rules") Channel rules, ServiceTokens tokens,
            @ConfigProperty(name = "sentinel.outbox.deadline") Duration deadline,
            @ConfigProperty(name = "sentinel.outbox.max-backoff") Duration maxBackoff) {
        this.pool = pool;
        this.rules = MutinyRulesIntakeServiceGrpc.newMutinyStub(ServiceTokenClientInterceptor.toPeer(rules, tokens, Services.RULES));
        this.deadline = deadline;
        this.maxBackoff = maxBackoff;
    }

    record Event(long id, UUID eventId, UUID subjectId, String kind, UUID checkInId, String reviewedBy,
            java.time.OffsetDateTime occurredAt, int attempts, boolean due) {
    }

    /** Something was committed to the outbox: deliver now rather than at the next poll. */
    public void wake() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            again.set(false);
            deliverDue().subscribe().with(n -> finish(), t -> {
                LOG.warnf("check-in event round failed: %s", t.getMessage());
                finish();
            });
        }
    }

    /** Called after a review decision committed: a confirmed NO_MATCH has an event to deliver. */
    public void afterDecision(io.sentinel.api.biometric.v1.CheckIn decided) {
        if (decided.getReviewState() == io.sentinel.api.biometric.v1.ReviewState.REVIEW_STATE_CONFIRMED_NO_MATCH) {
            wake();
        }
    }

    private void finish() {
        running.set(false);
        if (again.get()) {
            wake();
        }
    }

    @Scheduled(every = "${sentinel.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        wake();
    }

    /**
     * One round: the pending events in id order, up to the first that is backing off (later ones
     * wait behind it to keep the order). Returns how many were delivered.
     */
    public Uni<Integer> deliverDue() {
        return pool.query("""
                select id, event_id, subject_id, kind, check_in_id, reviewed_by, occurred_at, attempts,
                       next_attempt_at <= now() as due
                from check_in_event_outbox
                where delivered_at is null and next_attempt_at <> 'infinity' order by id limit 200""").execute().flatMap(rows -> {
            List<Event> list = new ArrayList<>();
            for (Row r : rows) {
                list.add(new Event(r.getLong("id"), r.getUUID("event_id"), r.getUUID("subject_id"), r.getString("kind"),
                        r.getUUID("check_in_id"), r.getString("reviewed_by"), r.getOffsetDateTime("occurred_at"),
                        r.getInteger("attempts"), r.getBoolean("due")));
            }
            return deliverInOrder(list, 0, 0);
        });
    }

    private Uni<Integer> deliverInOrder(List<Event> list, int index, int delivered) {
        if (index >= list.size() || !list.get(index).due()) {
            return Uni.createFrom().item(delivered);
        }
        Event e = list.get(index);
        return send(e)
                .flatMap(x -> pool.preparedQuery("update check_in_event_outbox set delivered_at = now(), attempts = attempts + 1, last_error = null where id = $1")
                        .execute(Tuple.of(e.id())))
                .flatMap(x -> deliverInOrder(list, index + 1, delivered + 1))
                .onFailure().recoverWithUni(t -> failed(e, t).flatMap(parked -> parked
                        // A parked event no longer holds the queue; a backing-off one does.
                        ? deliverInOrder(list, index + 1, delivered)
                        : Uni.createFrom().item(delivered)));
    }

    private Uni<?> send(Event e) {
        RecordCheckInEventRequest.Builder b = RecordCheckInEventRequest.newBuilder().setEventId(e.eventId().toString())
                .setSubjectId(e.subjectId().toString()).setKind(CheckInEventKind.valueOf(e.kind()))
                .setOccurredAt(Timestamps.of(e.occurredAt().toInstant())).setCheckInId(e.checkInId().toString());
        if (e.reviewedBy() != null) {
            b.setReviewedBy(e.reviewedBy());
        }
        return rules.recordCheckInEvent(b.build()).ifNoItem().after(deadline).fail();
    }

    /** Records a failed attempt; true when the event was parked as permanently rejected. */
    private Uni<Boolean> failed(Event e, Throwable t) {
        Status status = Status.fromThrowable(t);
        // A refusal because the subject was purged at rules-svc (its tombstone) is as final as an invalid event.
        boolean permanent = status.getCode() == Status.Code.INVALID_ARGUMENT || status.getCode() == Status.Code.PERMISSION_DENIED
                || io.sentinel.common.grpc.GrpcErrorMapping.subjectPurged(t);
        String error = status.getCode() + ": " + (status.getDescription() == null ? t.getMessage() : status.getDescription());
        if (permanent) {
            LOG.errorf("check-in event %s rejected permanently by rules-svc: %s", e.eventId(), error);
            return pool.preparedQuery("update check_in_event_outbox set attempts = attempts + 1, last_error = $2, next_attempt_at = 'infinity' where id = $1")
                    .execute(Tuple.of(e.id(), error)).replaceWith(true);
        }
        long backoffMs = Math.min(maxBackoff.toMillis(), 500L << Math.min(e.attempts(), 16));
        LOG.debugf("check-in event %s not delivered (%s), retry in %d ms", e.eventId(), error, backoffMs);
        return pool.preparedQuery("""
                update check_in_event_outbox set attempts = attempts + 1, last_error = $2,
                       next_attempt_at = now() + ($3 || ' milliseconds')::interval where id = $1""")
                .execute(Tuple.of(e.id(), error, Long.toString(backoffMs))).replaceWith(false);
    }
}
