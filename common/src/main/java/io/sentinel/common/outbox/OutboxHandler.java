package io.sentinel.common.outbox;

import io.sentinel.common.grpc.GrpcErrorMapping;
import io.grpc.Status;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Delivers one kind of outbox message, and hears how it ended. A service provides one (a CDI bean) per
 * message kind it writes; the outbox calls {@link #send} until the peer answers, then
 * {@link #delivered} or {@link #parked} in the transaction that records the outcome, so what the
 * service keeps about the delivery (an order's conditions status, a purge's counts) commits with it.
 *
 * @param <R> what the peer answered
 */
public interface OutboxHandler<R> {
    /** The message kind this handler delivers (the outbox row's {@code kind}). */
    String kind();

    /** Sends the message to its target; fails with the peer's gRPC status. The outbox adds the deadline. */
    Uni<R> send(OutboxMessage message);

    /** The peer acknowledged: runs in the transaction marking the row delivered. */
    default Uni<Void> delivered(SqlClient tx, OutboxMessage message, R answer) {
        return Uni.createFrom().voidItem();
    }

    /** The row was parked (refused for good, or too many attempts): runs in the transaction parking it. */
    default Uni<Void> parked(SqlClient tx, OutboxMessage message, String reason) {
        return Uni.createFrom().voidItem();
    }

    /**
     * Whether a failure is final, so the row is parked at once rather than retried: the peer found the
     * message invalid or not allowed, the subject was purged there (its tombstone), or the payload
     * cannot even be read. Anything else (UNAVAILABLE, DEADLINE_EXCEEDED, FAILED_PRECONDITION for other
     * reasons, INTERNAL) is retried with backoff.
     */
    default boolean permanent(Throwable failure) {
        if (failure instanceof com.google.protobuf.InvalidProtocolBufferException) {
            return true;
        }
        Status.Code code = Status.fromThrowable(failure).getCode();
        return code == Status.Code.INVALID_ARGUMENT || code == Status.Code.PERMISSION_DENIED || GrpcErrorMapping.subjectPurged(failure);
    }
}
