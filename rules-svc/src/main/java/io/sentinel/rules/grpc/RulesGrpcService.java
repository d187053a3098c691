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
import io.sentinel.rules.service.AlertFeed;
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

    public RulesGrpcService(ConditionsService conditions, EvaluationService evaluation, AlertQueries queries, AlertFeed feed,
            CurrentCaller caller) {
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
                .map(v -> PutSubjectConditionsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<EvaluateFixesResponse> evaluateFixes(EvaluateFixesRequest request) {
        return Uni.createFrom().deferred(() -> evaluation.evaluate(request.getFixesList()))
                .invoke(r -> {
                    if (r.getAlertsOpened() > 0) {
                        feed.committed();
                    }
                });
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.SERVICE })
    public Multi<AlertEvent> subscribeAlerts(SubscribeAlertsRequest request) {
        if (request.getAfterCursor() < 0) {
            return Multi.createFrom().failure(SentinelException.invalid("after_cursor", "must not be negative"));
        }
        Caller who = caller.get();
        return feed.subscribe(who.agencyId(), request.getAfterCursor());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.REVIEWER })
    public Uni<ListAlertsResponse> listAlerts(ListAlertsRequest request) {
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> queries.list(who, request.getSubjectId(), request.getState(), request.getPageSize(),
                request.getPageToken()));
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.REVIEWER })
    public Uni<GetAlertResponse> getAlert(GetAlertRequest request) {
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> queries.get(who, request.getAlertId()))
                .map(a -> GetAlertResponse.newBuilder().setAlert(a).build());
    }
}
