package io.sentinel.common.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import grpc.health.v1.Health;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.smallrye.mutiny.Uni;

/**
 * Readiness data about the gRPC peers a service calls, asked with the standard
 * {@code grpc.health.v1.Health/Check}. A peer that is down makes this check DOWN only when
 * {@code peersRequired} is set: services that deliver through a durable outbox or cursor keep
 * working while a peer is away, and pulling them out of the load balancer would turn one
 * failure into many. On-call engineers still see each peer's state in the check's data.
 */
public abstract class GrpcPeersCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    protected Uni<HealthCheckResponse> check(Map<String, Health> peers, boolean peersRequired) {
        List<Uni<Map.Entry<String, String>>> probes = new ArrayList<>();
        peers.forEach((name, health) -> probes.add(health.check(HealthCheckRequest.newBuilder().build())
                .ifNoItem().after(TIMEOUT).fail()
                .map(r -> Map.entry(name, r.getStatus().name()))
                .onFailure().recoverWithItem(t -> Map.entry(name, "UNREACHABLE: " + describe(t)))));
        if (probes.isEmpty()) {
            return Uni.createFrom().item(HealthCheckResponse.up("grpc-peers"));
        }
        return Uni.join().all(probes).andFailFast().map(results -> {
            Map<String, String> states = new LinkedHashMap<>();
            results.forEach(e -> states.put(e.getKey(), e.getValue()));
            boolean allServing = states.values().stream().allMatch(s -> s.equals(ServingStatus.SERVING.name()));
            HealthCheckResponseBuilder b = HealthCheckResponse.named("grpc-peers").status(allServing || !peersRequired);
            states.forEach(b::withData);
            b.withData("peers-required", peersRequired);
            return b.build();
        });
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.length() > 120 ? m.substring(0, 120) : m;
    }
}
