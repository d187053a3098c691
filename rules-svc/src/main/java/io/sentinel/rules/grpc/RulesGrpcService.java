package io.sentinel.rules.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.GetAlertRequest;
import io.sentinel.api.rules.v1.GetAlertResponse;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.ListAlertsResponse;
import io.sentinel.api.rules.v1.RulesService;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.common.security.TokenBoundStreams;
import io.sentinel.api.rules.v1.AcknowledgeAlertRequest;
import io.sentinel.api.rules.v1.AcknowledgeAlertResponse;
import io.sentinel.api.rules.v1.ResolveAlertRequest;
import io.sentinel.api.rules.v1.ResolveAlertResponse;
import io.sentinel.rules.service.AlertFeed;
import io.sentinel.rules.service.AlertLifecycle;
import io.sentinel.rules.service.AlertReader;
import io.sentinel.rules.service.AuditLog;
import io.sentinel.rules.service.AlertQueries;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The public gRPC edge of rules-svc: what caseworkers, reviewers and partner agencies call. */
@GrpcService
public class RulesGrpcService implements RulesService {
    private final AlertQueries queries;
    private final AlertFeed feed;
    private final CurrentCaller caller;
    private final AlertLifecycle lifecycle;
    private final AuditLog audit;

    public RulesGrpcService(AlertQueries queries, AlertFeed feed, CurrentCaller caller, AlertLifecycle lifecycle, AuditLog audit) {
        this.audit = audit;
        this.lifecycle = lifecycle;
        this.queries = queries;
        this.feed = feed;
        this.caller = caller;
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Multi<AlertEvent> subscribeAlerts(SubscribeAlertsRequest request) {
        if (request.getAfterCursor() < 0) {
            return Multi.createFrom().failure(SentinelException.invalid("after_cursor", "must not be negative"));
        }
        Caller who = caller.get();
        return TokenBoundStreams.untilExpiry(who, audit.subscribed(who, request.getAfterCursor())
                .onItem().transformToMulti(x -> feed.subscribe(AlertReader.of(who), request.getAfterCursor())));
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
