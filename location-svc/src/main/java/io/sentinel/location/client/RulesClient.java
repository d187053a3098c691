package io.sentinel.location.client;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.grpc.GrpcClient;
import io.sentinel.api.common.v1.GeoPoint;
import io.sentinel.api.rules.v1.EvaluateFixesRequest;
import io.sentinel.api.rules.v1.EvaluateFixesResponse;
import io.sentinel.api.rules.v1.EvaluatedFix;
import io.sentinel.api.rules.v1.RulesService;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.repository.FixRepository.StoredFix;
import io.smallrye.mutiny.Uni;

/** Calls rules-svc with a deadline; retries are the forwarder's, driven by its durable cursor. */
@ApplicationScoped
public class RulesClient {
    private final RulesService rules;
    private final Duration deadline;

    public RulesClient(@GrpcClient("rules") RulesService rules, @ConfigProperty(name = "sentinel.forwarding.deadline") Duration deadline) {
        this.rules = rules;
        this.deadline = deadline;
    }

    /** Sends fixes for evaluation; returns the highest fix id rules-svc has recorded. */
    public Uni<Long> evaluate(List<StoredFix> fixes) {
        EvaluateFixesRequest.Builder req = EvaluateFixesRequest.newBuilder();
        for (StoredFix f : fixes) {
            req.addFixes(EvaluatedFix.newBuilder()
                    .setFixId(f.fixId())
                    .setSubjectId(f.subjectId().toString())
                    .setDeviceId(f.deviceId().toString())
                    .setDeviceTime(Timestamps.of(f.deviceTime()))
                    .setReceivedAt(Timestamps.of(f.receivedAt()))
                    .setPosition(GeoPoint.newBuilder().setLatitude(f.latitude()).setLongitude(f.longitude()))
                    .setAccuracyMetres(f.accuracyMetres())
                    .setImplausible(f.implausible())
                    .setLowAccuracy(f.lowAccuracy()));
        }
        return rules.evaluateFixes(req.build()).ifNoItem().after(deadline).fail().map(EvaluateFixesResponse::getLastFixId);
    }
}
