package io.sentinel.location.client;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.grpc.GrpcClient;
import io.sentinel.api.common.v1.GeoPoint;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.EvaluateFixesResponse;
import io.sentinel.api.internal.v1.EvaluatedFix;
import io.sentinel.api.internal.v1.DeviceEvent;
import io.sentinel.api.internal.v1.DeviceEventKind;
import io.sentinel.api.internal.v1.RecordDeviceEventsRequest;
import io.grpc.Channel;
import io.sentinel.api.internal.v1.MutinyRulesIntakeServiceGrpc;
import io.sentinel.api.internal.v1.MutinyRulesIntakeServiceGrpc.MutinyRulesIntakeServiceStub;
import io.sentinel.common.grpc.ServiceTokenClientInterceptor;
import io.sentinel.common.security.ServiceTokens;
import io.sentinel.common.security.Services;
import io.sentinel.location.repository.DeviceEventRepository.PendingEvent;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.repository.FixRepository.StoredFix;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Calls rules-svc's internal intake with location-svc's own service token; retries are the
 * callers', driven by their durable cursors and outboxes.
 */
@ApplicationScoped
public class RulesClient {
    private final MutinyRulesIntakeServiceStub rules;
    private final Duration deadline;

    public RulesClient(@GrpcClient("rules") Channel rules, ServiceTokens tokens,
            @ConfigProperty(name = "sentinel.forwarding.deadline") Duration deadline) {
        this.rules = MutinyRulesIntakeServiceGrpc.newMutinyStub(ServiceTokenClientInterceptor.toPeer(rules, tokens, Services.RULES));
        this.deadline = deadline;
    }

    /** The forwarding stream: batches go out in order, each answer is the highest fix id rules-svc recorded. */
    public Multi<EvaluateFixesResponse> stream(Multi<EvaluateFixesRequest> batches) {
        return rules.streamFixes(batches);
    }

    /** One batch of stored fixes as rules-svc evaluates them. */
    public static EvaluateFixesRequest request(List<StoredFix> fixes) {
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
        return req.build();
    }

    /** Records device-health events; rules-svc is idempotent on event_id, so a resend is harmless. */
    /** Sends device events; returns the ids of those rules-svc deferred (no monitoring order known yet for the subject). */
    public Uni<java.util.Set<String>> recordDeviceEvents(List<PendingEvent> events) {
        RecordDeviceEventsRequest.Builder req = RecordDeviceEventsRequest.newBuilder();
        for (PendingEvent e : events) {
            req.addEvents(DeviceEvent.newBuilder()
                    .setEventId(e.eventId().toString())
                    .setSubjectId(e.subjectId().toString())
                    .setDeviceId(e.deviceId().toString())
                    .setKind(DeviceEventKind.valueOf("DEVICE_EVENT_KIND_" + e.kind()))
                    .setOccurredAt(Timestamps.of(e.occurredAt()))
                    .setDetail(e.detail()));
        }
        return rules.recordDeviceEvents(req.build()).ifNoItem().after(deadline).fail()
                .map(r -> java.util.Set.copyOf(r.getDeferredEventIdsList()));
    }
}
