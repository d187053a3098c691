package io.sentinel.enrollment.client;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.sentinel.api.internal.v1.MutinyLocationIntakeServiceGrpc;
import io.sentinel.api.internal.v1.MutinyLocationIntakeServiceGrpc.MutinyLocationIntakeServiceStub;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.common.grpc.ServiceTokenClientInterceptor;
import io.sentinel.common.security.ServiceTokens;
import io.sentinel.common.security.Services;
import io.smallrye.mutiny.Uni;

/**
 * Hands a just-committed device assignment to location-svc at once, so AssignDevice answers only when
 * location-svc accepts the device's fixes. The same message also sits in the outbox, which delivers
 * it whatever happens here: location-svc ignores a version it already holds, so the two deliveries
 * are one. Bounded: an unreachable or slow location-svc costs the caller at most {@link #WAIT}.
 */
@ApplicationScoped
public class LocationAssignmentClient {
    /** How long AssignDevice waits for location-svc before answering "pending". */
    public static final Duration WAIT = Duration.ofSeconds(5);

    private final MutinyLocationIntakeServiceStub location;

    public LocationAssignmentClient(@GrpcClient("location") Channel location, ServiceTokens tokens) {
        this.location = MutinyLocationIntakeServiceGrpc.newMutinyStub(ServiceTokenClientInterceptor.toPeer(location, tokens, Services.LOCATION));
    }

    /** Delivers {@code r}; the version location-svc holds, or a failure (DEADLINE_EXCEEDED after {@link #WAIT}). */
    public Uni<Long> deliverNow(PutDeviceAssignmentRequest r) {
        return location.putDeviceAssignment(r).map(a -> a.getVersion()).ifNoItem().after(WAIT)
                .failWith(() -> new StatusRuntimeException(Status.DEADLINE_EXCEEDED
                        .withDescription("location-svc did not answer within " + WAIT.toSeconds() + " s")));
    }
}
