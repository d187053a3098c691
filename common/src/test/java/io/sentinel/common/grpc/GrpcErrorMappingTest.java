package io.sentinel.common.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;

import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.sentinel.common.error.SentinelException;
import io.vertx.pgclient.PgException;

class GrpcErrorMappingTest {

    @Test
    void namesTheFieldInTheDescriptionOfAnInvalidArgument() {
        var e = GrpcErrorMapping.toStatus(SentinelException.invalid("latitude", "must be within [-90, 90]"));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("latitude: must be within [-90, 90]", e.getStatus().getDescription());
        assertEquals("latitude", e.getTrailers().get(GrpcErrorMapping.FIELD_KEY));
    }

    @Test
    void aDatabaseThatIsShuttingDownOrUnreachableIsRetryableNotInternal() {
        var shuttingDown = new PgException("the database system is shutting down", "FATAL", "57P03", null);
        assertEquals(Status.Code.UNAVAILABLE, GrpcErrorMapping.toStatus(shuttingDown).getStatus().getCode());
        assertEquals(Status.Code.UNAVAILABLE,
                GrpcErrorMapping.toStatus(new RuntimeException(new ConnectException("Connection refused"))).getStatus().getCode());
    }

    @Test
    void aConnectionLostUnderAStatementIsRetryableNotInternal() {
        // As the reactive client reports a connection dropped mid-batch, bare or wrapped by Hibernate Reactive.
        for (Throwable lost : new Throwable[] { io.vertx.sqlclient.ClosedConnectionException.INSTANCE,
                new io.vertx.core.VertxException("Connection was closed", true),
                new java.util.concurrent.CompletionException(new org.hibernate.HibernateException(new io.vertx.core.impl.NoStackTraceThrowable(
                        "Connection is not active now, current status: CLOSED"))),
                new java.io.IOException("recvAddress(..) failed: Connection reset by peer"), new java.nio.channels.ClosedChannelException() }) {
            var e = GrpcErrorMapping.toStatus(lost);
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), lost.toString());
            assertEquals(DatabaseUnavailable.MESSAGE, e.getStatus().getDescription());
        }
        // Not every failure with a message about connections is one of the database's.
        assertEquals(Status.Code.INTERNAL, GrpcErrorMapping.toStatus(new IllegalStateException("Connection was closed")).getStatus().getCode());
    }

    @Test
    void descriptionsStayPrintableAsciiSoNoClientSeesPercentEncoding() {
        var e = GrpcErrorMapping.toStatus(SentinelException.invalid("subject.family_name", "got 'Zo\u00eb \u2013 100%'\n"));
        assertEquals("subject.family_name: got 'Zo\\u00eb \\u2013 100\\u0025'\\u000a", e.getStatus().getDescription());
        assertEquals("subject.family_name", e.getTrailers().get(GrpcErrorMapping.FIELD_KEY));
        // Passed through from a peer, too.
        var relayed = GrpcErrorMapping.toStatus(Status.NOT_FOUND.withDescription("agency 'S\u00e3o Paulo'").asRuntimeException());
        assertEquals("agency 'S\\u00e3o Paulo'", relayed.getStatus().getDescription());
        var plain = SentinelException.invalid("latitude", "must be within [-90, 90]");
        assertEquals("latitude: must be within [-90, 90]", GrpcErrorMapping.toStatus(plain).getStatus().getDescription());
    }

    /** A PostgreSQL error as the client reports it, naming the constraint it violated. */
    static PgException pg(String sqlState, String constraint) {
        return new PgException("duplicate key value violates unique constraint", "ERROR", sqlState, "Key (subject_id)=(secret) already exists.",
                null, null, null, null, null, null, null, null, "public", "monitoring_order", null, null, constraint);
    }

    @Test
    void constraintsTheDatabaseHeldAreAnswersNeverInternal() {
        var unique = GrpcErrorMapping.toStatus(new java.util.concurrent.CompletionException(pg("23505", "device_owning_agency_id_serial_key")));
        assertEquals(Status.Code.ALREADY_EXISTS, unique.getStatus().getCode());
        assertEquals("the request conflicts with a record that already exists (device_owning_agency_id_serial_key); read it before retrying",
                unique.getStatus().getDescription());
        assertEquals(Status.Code.FAILED_PRECONDITION, GrpcErrorMapping.toStatus(pg("23503", "monitoring_order_subject_id_fkey")).getStatus().getCode());
        assertEquals(Status.Code.ABORTED, GrpcErrorMapping.toStatus(pg("40P01", null)).getStatus().getCode());
        assertEquals(Status.Code.ABORTED, GrpcErrorMapping.toStatus(pg("40001", null)).getStatus().getCode());
        // Wrapped by Hibernate, as a Panache flush reports it.
        var wrapped = new org.hibernate.exception.ConstraintViolationException("could not execute statement",
                new java.sql.SQLException("duplicate key", "23505"), "monitoring_order_one_active");
        assertEquals(Status.Code.ALREADY_EXISTS, GrpcErrorMapping.toStatus(wrapped).getStatus().getCode());
        assertEquals(true, io.sentinel.common.error.DatabaseConflicts.uniqueViolation(wrapped, "monitoring_order_one_active"));
        // The conflicting values (personal data, possibly) never reach the caller.
        assertEquals(false, unique.getStatus().getDescription().contains("secret"));
        // Other database errors stay INTERNAL.
        assertEquals(Status.Code.INTERNAL, GrpcErrorMapping.toStatus(pg("42P01", null)).getStatus().getCode());
    }

    @Test
    void aPurgedSubjectIsAFailedPreconditionWithAReasonSendersCanActOn() {
        var e = GrpcErrorMapping.toStatus(SentinelException.purged("subject_id", "0193a3c4-0000-7000-8000-000000000001", "p at t"));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("SUBJECT_PURGED", e.getTrailers().get(GrpcErrorMapping.REASON_KEY));
        assertEquals(true, GrpcErrorMapping.subjectPurged(new io.grpc.StatusRuntimeException(e.getStatus(), e.getTrailers())));
        var other = GrpcErrorMapping.toStatus(SentinelException.precondition("subject_id", "no monitoring order is known"));
        assertEquals(false, GrpcErrorMapping.subjectPurged(new io.grpc.StatusRuntimeException(other.getStatus(), other.getTrailers())));
    }

    @Test
    void staleVersionIsAborted() {
        assertEquals(Status.Code.ABORTED, GrpcErrorMapping.toStatus(SentinelException.stale("order changed")).getStatus().getCode());
    }
}
