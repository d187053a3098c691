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
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.sentinel.rules.service.AlertFeed;
import io.sentinel.rules.service.ConditionsService;
import io.sentinel.rules.service.EvaluationService;
import io.sentinel.rules.service.ExternalEvents;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** rules-svc's internal intake: conditions, fixes and events from the deployment's other services. */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class RulesIntakeGrpcService implements RulesIntakeService {
    private final ConditionsService conditions;
    private final EvaluationService evaluation;
    private final ExternalEvents external;
    private final AlertFeed feed;

    public RulesIntakeGrpcService(ConditionsService conditions, EvaluationService evaluation, ExternalEvents external, AlertFeed feed) {
        this.conditions = conditions;
        this.evaluation = evaluation;
        this.external = external;
        this.feed = feed;
    }

    @Override
    public Uni<PutSubjectConditionsResponse> putSubjectConditions(PutSubjectConditionsRequest request) {
        return Uni.createFrom().deferred(() -> conditions.put(request))
                .invoke(feed::committed)
                .map(v -> PutSubjectConditionsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    public Uni<EvaluateFixesResponse> evaluateFixes(EvaluateFixesRequest request) {
        return Uni.createFrom().deferred(() -> evaluation.evaluate(request.getFixesList()))
                .invoke(feed::committed);
    }

    @Override
    public Multi<EvaluateFixesResponse> streamFixes(Multi<EvaluateFixesRequest> requests) {
        return FixStream.answer(requests, evaluation, feed);
    }

    @Override
    public Uni<RecordDeviceEventsResponse> recordDeviceEvents(RecordDeviceEventsRequest request) {
        return Uni.createFrom().deferred(() -> external.recordDeviceEvents(request.getEventsList()))
                .invoke(feed::committed)
                .map(o -> RecordDeviceEventsResponse.newBuilder().setAlertsOpened(o.alertsOpened())
                        .addAllDeferredEventIds(o.deferredEventIds()).build());
    }

    @Override
    public Uni<RecordCheckInEventResponse> recordCheckInEvent(RecordCheckInEventRequest request) {
        return Uni.createFrom().deferred(() -> external.recordCheckIn(request))
                .invoke(feed::committed)
                .map(id -> RecordCheckInEventResponse.newBuilder().setAlertId(id).build());
    }

    @Override
    public Uni<RecordReviewOverdueResponse> recordReviewOverdue(RecordReviewOverdueRequest request) {
        return Uni.createFrom().deferred(() -> external.recordReviewOverdue(request))
                .invoke(feed::committed)
                .map(id -> RecordReviewOverdueResponse.newBuilder().setAlertId(id).build());
    }
}
