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
        var uniqueViolation = new PgException("duplicate key", "ERROR", "23505", null);
        assertEquals(Status.Code.INTERNAL, GrpcErrorMapping.toStatus(uniqueViolation).getStatus().getCode());
    }

    @Test
    void staleVersionIsAborted() {
        assertEquals(Status.Code.ABORTED, GrpcErrorMapping.toStatus(SentinelException.stale("order changed")).getStatus().getCode());
    }
}
