package io.sentinel.enrollment.health;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import grpc.health.v1.Health;
import io.quarkus.grpc.GrpcClient;
import io.sentinel.common.health.GrpcPeersCheck;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/** Reports whether the peers that receive condition changes answer. */
@Readiness
@ApplicationScoped
public class PeersReadiness extends GrpcPeersCheck implements AsyncHealthCheck {
    @GrpcClient("rules")
    Health rules;
    @GrpcClient("location")
    Health location;
    @GrpcClient("biometric")
    Health biometric;

    @ConfigProperty(name = "sentinel.health.peers-required")
    boolean peersRequired;

    @Override
    public Uni<HealthCheckResponse> call() {
        Map<String, Health> peers = new LinkedHashMap<>();
        peers.put("rules-svc", rules);
        peers.put("location-svc", location);
        peers.put("biometric-svc", biometric);
        return check(peers, peersRequired);
    }
}
