package io.sentinel.enrollment.service;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.outbox.Outbox;
import io.sentinel.common.outbox.OutboxEngine;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.util.Timestamps;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Raises each overdue order review to rules-svc once (per due date) through the outbox, so a
 * caseworker is alerted when monitoring continues past the date its justification was to be checked.
 * Each raise tells rules-svc about a person, so it is recorded in the audit log in the same transaction.
 */
@ApplicationScoped
public class ReviewWatch {
    private static final Logger LOG = Logger.getLogger(ReviewWatch.class);

    private final Pool pool;
    private final Outbox outbox;
    private final AuditLog audit;

    public ReviewWatch(Pool pool, Outbox outbox, AuditLog audit) {
        this.pool = pool;
        this.outbox = outbox;
        this.audit = audit;
    }

    @Scheduled(every = "${sentinel.reviews.check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        return raiseOverdue().invoke(n -> {
            if (n > 0) {
                LOG.infof("raised %d overdue order reviews", n);
                outbox.wake();
            }
        }).replaceWithVoid();
    }

    /** Queues RecordReviewOverdue for every overdue review not yet raised; returns how many. */
    public Uni<Integer> raiseOverdue() {
        return pool.withTransaction(c -> c.query("""
                select o.order_id, o.subject_id, o.owning_agency_id, o.review_due_at from monitoring_order o
                where o.state = 'ORDER_STATE_ACTIVE' and o.review_due_at < now()
                  and not exists (select 1 from review_overdue_raised r where r.order_id = o.order_id and r.review_due_at = o.review_due_at)
                order by o.review_due_at limit 500 for update of o skip locked""").execute().flatMap(rows -> {
            Multi<Row> each = Multi.createFrom().iterable(rows);
            return each.onItem().transformToUniAndConcatenate(r -> {
                UUID order = r.getUUID("order_id");
                OffsetDateTime due = r.getOffsetDateTime("review_due_at");
                // Derived from order and due date, so a repeated raise is the same event to rules-svc.
                UUID eventId = UUID.nameUUIDFromBytes((order + "|" + due.toInstant()).getBytes(StandardCharsets.UTF_8));
                byte[] payload = RecordReviewOverdueRequest.newBuilder().setEventId(eventId.toString())
                        .setSubjectId(r.getUUID("subject_id").toString()).setOrderId(order.toString())
                        .setReviewDueAt(Timestamps.of(due.toInstant())).build().toByteArray();
                return c.preparedQuery("insert into review_overdue_raised (order_id, review_due_at, event_id, raised_at) values ($1, $2, $3, now())")
                        .execute(Tuple.of(order, due, eventId))
                        .chain(() -> OutboxEngine.enqueue(c, PeerMessages.RULES, PeerMessages.REVIEW_OVERDUE, r.getUUID("subject_id").toString(),
                                r.getUUID("subject_id"), null, payload))
                        .chain(() -> audit.write(c, AuditRecord.of(RetentionService.scheduler(r.getString("owning_agency_id")),
                                new Justification("order review overdue", "order " + order, ""), AuditActions.ORDER_REVIEW_OVERDUE_RAISED,
                                List.of(r.getUUID("subject_id").toString()), AuditRecord.ALLOWED, "raised to " + PeerMessages.RULES)));
            }).collect().asList().map(l -> l.size());
        }));
    }
}
