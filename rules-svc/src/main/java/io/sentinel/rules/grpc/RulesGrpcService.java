package io.sentinel.rules.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.EvaluateFixesRequest;
import io.sentinel.api.rules.v1.EvaluateFixesResponse;
import io.sentinel.api.rules.v1.GetAlertRequest;
import io.sentinel.api.rules.v1.GetAlertResponse;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.ListAlertsResponse;
import io.sentinel.api.rules.v1.PutSubjectConditionsRequest;
import io.sentinel.api.rules.v1.PutSubjectConditionsResponse;
import io.sentinel.api.rules.v1.RulesService;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.api.rules.v1.AcknowledgeAlertRequest;
import io.sentinel.api.rules.v1.AcknowledgeAlertResponse;
import io.sentinel.api.rules.v1.ExportSubjectRequest;
import io.sentinel.api.rules.v1.ExportSubjectResponse;
import io.sentinel.api.rules.v1.PurgeSubjectRequest;
import io.sentinel.api.rules.v1.PurgeSubjectResponse;
import io.sentinel.api.rules.v1.PutSharingGrantsRequest;
import io.sentinel.api.rules.v1.PutSharingGrantsResponse;
import io.sentinel.api.rules.v1.RecordCheckInEventRequest;
import io.sentinel.api.rules.v1.RecordCheckInEventResponse;
import io.sentinel.api.rules.v1.RecordDeviceEventsRequest;
import io.sentinel.api.rules.v1.RecordDeviceEventsResponse;
import io.sentinel.api.rules.v1.RecordReviewOverdueRequest;
import io.sentinel.api.rules.v1.RecordReviewOverdueResponse;
import io.sentinel.api.rules.v1.ResolveAlertRequest;
import io.sentinel.api.rules.v1.ResolveAlertResponse;
import io.sentinel.rules.service.AlertFeed;
import io.sentinel.rules.service.AlertLifecycle;
import io.sentinel.rules.service.AuditLog;
import io.sentinel.rules.service.ExternalEvents;
import io.sentinel.rules.service.SharingGrants;
import io.sentinel.rules.service.SubjectData;
import io.sentinel.rules.service.AlertQueries;
import io.sentinel.rules.service.ConditionsService;
import io.sentinel.rules.service.EvaluationService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The gRPC edge of rules-svc. */
@GrpcService
public class RulesGrpcService implements RulesService {
    private final ConditionsService conditions;
    private final EvaluationService evaluation;
    private final AlertQueries queries;
    private final AlertFeed feed;
    private final CurrentCaller caller;
    private final AlertLifecycle lifecycle;
    private final ExternalEvents external;
    private final SharingGrants grants;
    private final SubjectData subjectData;
    private final AuditLog audit;

    public RulesGrpcService(ConditionsService conditions, EvaluationService evaluation, AlertQueries queries, AlertFeed feed,
            CurrentCaller caller, AlertLifecycle lifecycle, ExternalEvents external, SharingGrants grants, SubjectData subjectData,
            AuditLog audit) {
        this.audit = audit;
        this.lifecycle = lifecycle;
        this.external = external;
        this.grants = grants;
        this.subjectData = subjectData;
        this.conditions = conditions;
        this.evaluation = evaluation;
        this.queries = queries;
        this.feed = feed;
        this.caller = caller;
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<PutSubjectConditionsResponse> putSubjectConditions(PutSubjectConditionsRequest request) {
        return Uni.createFrom().deferred(() -> conditions.put(request))
                .invoke(feed::committed)
                .map(v -> PutSubjectConditionsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<EvaluateFixesResponse> evaluateFixes(EvaluateFixesRequest request) {
        return Uni.createFrom().deferred(() -> evaluation.evaluate(request.getFixesList()))
                .invoke(feed::committed);
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Multi<EvaluateFixesResponse> streamFixes(Multi<EvaluateFixesRequest> requests) {
        return FixStream.answer(requests, evaluation, feed);
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.SERVICE })
    public Multi<AlertEvent> subscribeAlerts(SubscribeAlertsRequest request) {
        if (request.getAfterCursor() < 0) {
            return Multi.createFrom().failure(SentinelException.invalid("after_cursor", "must not be negative"));
        }
        Caller who = caller.get();
        return audit.subscribed(who, request.getAfterCursor()).onItem().transformToMulti(x -> feed.subscribe(who.agencyId(),
                request.getAfterCursor()));
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.REVIEWER })
    public Uni<ListAlertsResponse> listAlerts(ListAlertsRequest request) {
        Caller who = caller.get();
        return audit.around(who, "list_alerts", request.getSubjectId(), null, Uni.createFrom().deferred(() -> queries.list(who,
                request.getSubjectId(), request.getState(), request.getKind(), request.getPageSize(), request.getPageToken())));
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.REVIEWER })
    public Uni<GetAlertResponse> getAlert(GetAlertRequest request) {
        Caller who = caller.get();
        return audit.around(who, "get_alert", null, request.getAlertId(), Uni.createFrom().deferred(() -> queries.get(who, request.getAlertId())))
                .map(a -> GetAlertResponse.newBuilder().setAlert(a).build());
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<PutSharingGrantsResponse> putSharingGrants(PutSharingGrantsRequest request) {
        return Uni.createFrom().deferred(() -> grants.put(request))
                .map(v -> PutSharingGrantsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<PurgeSubjectResponse> purgeSubject(PurgeSubjectRequest request) {
        return Uni.createFrom().deferred(() -> subjectData.purge(request))
                .map(counts -> PurgeSubjectResponse.newBuilder().putAllCounts(counts).build());
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<ExportSubjectResponse> exportSubject(ExportSubjectRequest request) {
        return Uni.createFrom().deferred(() -> subjectData.export(request.getSubjectId()))
                .map(json -> ExportSubjectResponse.newBuilder().setJson(json).build());
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<RecordDeviceEventsResponse> recordDeviceEvents(RecordDeviceEventsRequest request) {
        return Uni.createFrom().deferred(() -> external.recordDeviceEvents(request.getEventsList()))
                .invoke(feed::committed)
                .map(o -> RecordDeviceEventsResponse.newBuilder().setAlertsOpened(o.alertsOpened())
                        .addAllDeferredEventIds(o.deferredEventIds()).build());
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<RecordCheckInEventResponse> recordCheckInEvent(RecordCheckInEventRequest request) {
        return Uni.createFrom().deferred(() -> external.recordCheckIn(request))
                .invoke(feed::committed)
                .map(id -> RecordCheckInEventResponse.newBuilder().setAlertId(id).build());
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<RecordReviewOverdueResponse> recordReviewOverdue(RecordReviewOverdueRequest request) {
        return Uni.createFrom().deferred(() -> external.recordReviewOverdue(request))
                .invoke(feed::committed)
                .map(id -> RecordReviewOverdueResponse.newBuilder().setAlertId(id).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<AcknowledgeAlertResponse> acknowledgeAlert(AcknowledgeAlertRequest request) {
        Caller who = caller.get();
        return audit.around(who, "acknowledge_alert", null, request.getAlertId(),
                Uni.createFrom().deferred(() -> lifecycle.acknowledge(who, request.getAlertId())))
                .invoke(feed::committed)
                .map(a -> AcknowledgeAlertResponse.newBuilder().setAlert(a).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ResolveAlertResponse> resolveAlert(ResolveAlertRequest request) {
        Caller who = caller.get();
        return audit.around(who, "resolve_alert", null, request.getAlertId(),
                Uni.createFrom().deferred(() -> lifecycle.resolve(who, request.getAlertId(), request.getOutcome(), request.getNote())))
                .invoke(feed::committed)
                .map(a -> ResolveAlertResponse.newBuilder().setAlert(a).build());
    }
}
