package io.sentinel.biometric.health;

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

/** Reports whether rules-svc, which receives confirmed failed check-ins, answers. */
@Readiness
@ApplicationScoped
public class PeersReadiness extends GrpcPeersCheck implements AsyncHealthCheck {
    @GrpcClient("rules")
    Health rules;

    @ConfigProperty(name = "sentinel.health.peers-required")
    boolean peersRequired;

    @Override
    public Uni<HealthCheckResponse> call() {
        return check(Map.of("rules-svc", rules), peersRequired);
    }
}
