package io.sentinel.rules.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.EvaluateFixesResponse;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsResponse;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.sentinel.api.internal.v1.RecordCheckInEventResponse;
import io.sentinel.api.internal.v1.RecordDeviceEventsRequest;
import io.sentinel.api.internal.v1.RecordDeviceEventsResponse;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueResponse;
import io.sentinel.api.internal.v1.RulesIntakeService;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.sentinel.rules.service.AlertFeed;
import io.sentinel.rules.service.ConditionsService;
import io.sentinel.rules.service.EvaluationLatency;
import io.sentinel.rules.service.EvaluationService;
import io.sentinel.rules.service.ExternalEvents;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * rules-svc's internal intake: conditions, fixes and events from the deployment's other services.
 * Conditions and events are recorded in the audit log as the calling service's changes; fixes are
 * collection, evaluated without a record each.
 */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class RulesIntakeGrpcService implements RulesIntakeService {
    private final ConditionsService conditions;
    private final EvaluationService evaluation;
    private final ExternalEvents external;
    private final AlertFeed feed;
    private final EvaluationLatency latency;
    private final CurrentCaller caller;

    public RulesIntakeGrpcService(ConditionsService conditions, EvaluationService evaluation, ExternalEvents external, AlertFeed feed,
            EvaluationLatency latency, CurrentCaller caller) {
        this.caller = caller;
        this.latency = latency;
        this.conditions = conditions;
        this.evaluation = evaluation;
        this.external = external;
        this.feed = feed;
    }

    @Override
    public Uni<PutSubjectConditionsResponse> putSubjectConditions(PutSubjectConditionsRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> conditions.put(who, why, request))
                .invoke(feed::committed)
                .map(v -> PutSubjectConditionsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    public Uni<EvaluateFixesResponse> evaluateFixes(EvaluateFixesRequest request) {
        return Uni.createFrom().deferred(() -> evaluation.evaluate(request.getFixesList()))
                .invoke(() -> latency.record(request.getFixesList(), java.time.Instant.now()))
                .invoke(feed::committed);
    }

    @Override
    public Multi<EvaluateFixesResponse> streamFixes(Multi<EvaluateFixesRequest> requests) {
        return FixStream.answer(requests, evaluation, feed, latency);
    }

    @Override
    public Uni<RecordDeviceEventsResponse> recordDeviceEvents(RecordDeviceEventsRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> external.recordDeviceEvents(who, why, request.getEventsList()))
                .invoke(feed::committed)
                .map(o -> RecordDeviceEventsResponse.newBuilder().setAlertsOpened(o.alertsOpened())
                        .addAllDeferredEventIds(o.deferredEventIds()).addAllRefusedEventIds(o.refusedEventIds()).build());
    }

    @Override
    public Uni<RecordCheckInEventResponse> recordCheckInEvent(RecordCheckInEventRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> external.recordCheckIn(who, why, request))
                .invoke(feed::committed)
                .map(id -> RecordCheckInEventResponse.newBuilder().setAlertId(id).build());
    }

    @Override
    public Uni<RecordReviewOverdueResponse> recordReviewOverdue(RecordReviewOverdueRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> external.recordReviewOverdue(who, why, request))
                .invoke(feed::committed)
                .map(id -> RecordReviewOverdueResponse.newBuilder().setAlertId(id).build());
    }
}
