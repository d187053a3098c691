package io.sentinel.enrollment.service;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectResponse;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.common.outbox.OutboxHandler;
import io.sentinel.common.outbox.OutboxMessage;
import io.sentinel.common.security.Services;
import io.sentinel.enrollment.client.PeerClients;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What enrollment-svc tells its peers through the common outbox: the message kinds, and one
 * {@link OutboxHandler} per kind. Messages about a subject are ordered per peer and subject (an
 * assignment per peer and device), so a subject's later change waits behind an earlier one that fails.
 */
public final class PeerMessages {
    public static final String RULES = Services.RULES;
    public static final String LOCATION = Services.LOCATION;
    public static final String BIOMETRIC = Services.BIOMETRIC;
    public static final String PUT_CONDITIONS = "PutSubjectConditions";
    public static final String PUT_SCHEDULE = "PutCheckInSchedule";
    public static final String PUT_ASSIGNMENT = "PutDeviceAssignment";
    public static final String PUT_GRANTS = "PutSharingGrants";
    public static final String REVIEW_OVERDUE = "RecordReviewOverdue";
    public static final String PURGE_SUBJECT = "PurgeSubject";

    private PeerMessages() {
    }

    @ApplicationScoped
    public static class Conditions implements OutboxHandler<Object> {
        private final PeerClients peers;
        private final ConditionsStatusTracker status;

        public Conditions(PeerClients peers, ConditionsStatusTracker status) {
            this.peers = peers;
            this.status = status;
        }

        @Override
        public String kind() {
            return PUT_CONDITIONS;
        }

        @Override
        public Uni<Object> send(OutboxMessage m) {
            return parse(() -> PutSubjectConditionsRequest.parseFrom(m.payload())).flatMap(r -> peers.putSubjectConditions(r).map(x -> x));
        }

        /** The order's conditions status follows rules-svc's answer (see ConditionsStatusTracker). */
        @Override
        public Uni<Void> delivered(SqlClient tx, OutboxMessage m, Object answer) {
            return status.delivered(tx, m.payload());
        }

        @Override
        public Uni<Void> parked(SqlClient tx, OutboxMessage m, String reason) {
            return status.parked(tx, m.payload(), reason);
        }
    }

    @ApplicationScoped
    public static class Schedule implements OutboxHandler<Object> {
        private final PeerClients peers;

        public Schedule(PeerClients peers) {
            this.peers = peers;
        }

        @Override
        public String kind() {
            return PUT_SCHEDULE;
        }

        @Override
        public Uni<Object> send(OutboxMessage m) {
            return parse(() -> PutCheckInScheduleRequest.parseFrom(m.payload())).flatMap(r -> peers.putCheckInSchedule(r).map(x -> x));
        }
    }

    @ApplicationScoped
    public static class Assignment implements OutboxHandler<Object> {
        private final PeerClients peers;

        public Assignment(PeerClients peers) {
            this.peers = peers;
        }

        @Override
        public String kind() {
            return PUT_ASSIGNMENT;
        }

        @Override
        public Uni<Object> send(OutboxMessage m) {
            return parse(() -> PutDeviceAssignmentRequest.parseFrom(m.payload())).flatMap(r -> peers.putDeviceAssignment(r).map(x -> x));
        }
    }

    @ApplicationScoped
    public static class ReviewOverdue implements OutboxHandler<Object> {
        private final PeerClients peers;

        public ReviewOverdue(PeerClients peers) {
            this.peers = peers;
        }

        @Override
        public String kind() {
            return REVIEW_OVERDUE;
        }

        @Override
        public Uni<Object> send(OutboxMessage m) {
            return parse(() -> RecordReviewOverdueRequest.parseFrom(m.payload())).flatMap(r -> peers.recordReviewOverdue(r).map(x -> x));
        }
    }

    @ApplicationScoped
    public static class Grants implements OutboxHandler<Object> {
        private final PeerClients peers;

        public Grants(PeerClients peers) {
            this.peers = peers;
        }

        @Override
        public String kind() {
            return PUT_GRANTS;
        }

        @Override
        public Uni<Object> send(OutboxMessage m) {
            return parse(() -> PutSharingGrantsRequest.parseFrom(m.payload())).flatMap(r -> peers.putSharingGrants(m.target(), r).map(x -> x));
        }
    }

    /**
     * A peer's confirmation of a purge, recorded for the run's report. Keyed by (run, peer, subject):
     * a confirmation delivered twice (a replica died after the peer answered) replaces, never adds.
     */
    @ApplicationScoped
    public static class Purge implements OutboxHandler<PurgeSubjectResponse> {
        private final PeerClients peers;

        public Purge(PeerClients peers) {
            this.peers = peers;
        }

        @Override
        public String kind() {
            return PURGE_SUBJECT;
        }

        @Override
        public Uni<PurgeSubjectResponse> send(OutboxMessage m) {
            return parse(() -> PurgeSubjectRequest.parseFrom(m.payload())).flatMap(r -> peers.purgeSubject(m.target(), r));
        }

        @Override
        public Uni<Void> delivered(SqlClient tx, OutboxMessage m, PurgeSubjectResponse answer) {
            PurgeSubjectRequest sent;
            try {
                sent = PurgeSubjectRequest.parseFrom(m.payload());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                return Uni.createFrom().voidItem();
            }
            UUID purgeId = UUID.fromString(sent.getPurgeId());
            String subject = sent.getSubjectId();
            Uni<?> confirm = tx.preparedQuery("""
                    insert into purge_confirmation (purge_id, source, subject_id, confirmed_at) values ($1, $2, $3, now())
                    on conflict (purge_id, source, subject_id) do nothing""").execute(Tuple.of(purgeId, m.target(), subject));
            if (answer.getCountsMap().isEmpty()) {
                return confirm.replaceWithVoid();
            }
            List<Tuple> rows = new ArrayList<>();
            answer.getCountsMap().forEach((category, n) -> rows.add(Tuple.of(purgeId, m.target(), subject, category, n)));
            return confirm.flatMap(x -> tx.preparedQuery("""
                    insert into purge_count (purge_id, source, subject_id, category, count) values ($1, $2, $3, $4, $5)
                    on conflict (purge_id, source, subject_id, category) do update set count = excluded.count""").executeBatch(rows))
                    .replaceWithVoid();
        }
    }

    interface Parse<T> {
        T get() throws com.google.protobuf.InvalidProtocolBufferException;
    }

    /** An unreadable payload fails the send, which the outbox treats as permanent. */
    static <T> Uni<T> parse(Parse<T> p) {
        try {
            return Uni.createFrom().item(p.get());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return Uni.createFrom().failure(e);
        }
    }
}
