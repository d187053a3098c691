package io.sentinel.enrollment.service;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps each order's conditions status (MonitoringOrder.conditions_status) in step with what
 * rules-svc answered to PutSubjectConditions, so a caseworker sees when a subject is not monitored
 * under the conditions they were told were accepted. The outbox's PutSubjectConditions handler
 * ({@link PeerMessages.Conditions}) calls it in the transaction that marks the message delivered or
 * parked; it acts only on the order's latest version (a newer version in flight keeps its PENDING).
 */
@ApplicationScoped
public class ConditionsStatusTracker {
    static final String PENDING = "PENDING";
    static final String APPLIED = "APPLIED";
    static final String NOT_APPLIED = "NOT_APPLIED";
    /** Longest reason kept: rules-svc's refusal names a field and a short problem. */
    static final int MAX_REASON = 500;

    /** rules-svc acknowledged the message: the order's conditions of that version are applied. */
    public Uni<Void> delivered(SqlClient tx, byte[] payload) {
        return update(tx, payload, APPLIED, null);
    }

    /** rules-svc refused the message for good: the order's conditions of that version are not applied, and why. */
    public Uni<Void> parked(SqlClient tx, byte[] payload, String reason) {
        return update(tx, payload, NOT_APPLIED, reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason);
    }

    private static Uni<Void> update(SqlClient tx, byte[] payload, String status, String reason) {
        PutSubjectConditionsRequest sent;
        try {
            sent = PutSubjectConditionsRequest.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            // The outbox could not have sent it either; nothing to say about an order.
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("""
                update monitoring_order set conditions_status = $1, conditions_reason = $2
                where order_id = $3 and conditions_version = $4""")
                .execute(Tuple.of(status, reason, UUID.fromString(sent.getOrderId()), sent.getVersion())).replaceWithVoid();
    }
}
