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
import io.sentinel.api.rules.v1.DeviceEvent;
import io.sentinel.api.rules.v1.DeviceEventKind;
import io.sentinel.api.rules.v1.RecordDeviceEventsRequest;
import io.sentinel.api.rules.v1.RulesService;
import io.sentinel.location.repository.DeviceEventRepository.PendingEvent;
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

    /** Records device-health events; rules-svc is idempotent on event_id, so a resend is harmless. */
    public Uni<Integer> recordDeviceEvents(List<PendingEvent> events) {
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
        return rules.recordDeviceEvents(req.build()).ifNoItem().after(deadline).fail().map(r -> r.getAlertsOpened());
    }
}
