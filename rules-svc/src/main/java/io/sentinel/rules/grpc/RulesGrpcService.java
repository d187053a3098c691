package io.sentinel.rules.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.rules.v1.AcknowledgeAlertRequest;
import io.sentinel.api.rules.v1.AcknowledgeAlertResponse;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.GetAlertRequest;
import io.sentinel.api.rules.v1.GetAlertResponse;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.ListAlertsResponse;
import io.sentinel.api.rules.v1.ResolveAlertRequest;
import io.sentinel.api.rules.v1.ResolveAlertResponse;
import io.sentinel.api.rules.v1.RulesService;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.common.security.TokenBoundStreams;
import io.sentinel.rules.service.AlertFeed;
import io.sentinel.rules.service.AlertLifecycle;
import io.sentinel.rules.service.AlertQueries;
import io.sentinel.rules.service.FeedSubscriptions;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The public gRPC edge of rules-svc: what caseworkers, reviewers and partner agencies call. Every
 * read states its purpose and reference (a partner also its grant) as call metadata, read here at
 * entry, and is recorded in the audit log; so is every decision.
 */
@GrpcService
public class RulesGrpcService implements RulesService {
    private final AlertQueries queries;
    private final AlertFeed feed;
    private final FeedSubscriptions subscriptions;
    private final CurrentCaller caller;
    private final AlertLifecycle lifecycle;

    public RulesGrpcService(AlertQueries queries, AlertFeed feed, FeedSubscriptions subscriptions, CurrentCaller caller,
            AlertLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        this.queries = queries;
        this.feed = feed;
        this.subscriptions = subscriptions;
        this.caller = caller;
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Multi<AlertEvent> subscribeAlerts(SubscribeAlertsRequest request) {
        Justification why = Justification.ofGrpcCall();
        if (request.getAfterCursor() < 0) {
            return Multi.createFrom().failure(SentinelException.invalid("after_cursor", "must not be negative"));
        }
        Caller who = caller.get();
        return TokenBoundStreams.untilExpiry(who, subscriptions.subscribe(who, why, request.getAfterCursor()));
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.REVIEWER })
    public Uni<ListAlertsResponse> listAlerts(ListAlertsRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> queries.list(who, why, request.getSubjectId(), request.getState(), request.getKind(),
                request.getPageSize(), request.getPageToken()));
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.REVIEWER })
    public Uni<GetAlertResponse> getAlert(GetAlertRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> queries.get(who, why, request.getAlertId()))
                .map(a -> GetAlertResponse.newBuilder().setAlert(a).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<AcknowledgeAlertResponse> acknowledgeAlert(AcknowledgeAlertRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> lifecycle.acknowledge(who, why, request.getAlertId()))
                .invoke(feed::committed)
                .map(a -> AcknowledgeAlertResponse.newBuilder().setAlert(a).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ResolveAlertResponse> resolveAlert(ResolveAlertRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> lifecycle.resolve(who, why, request.getAlertId(), request.getOutcome(), request.getNote()))
                .invoke(feed::committed)
                .map(a -> ResolveAlertResponse.newBuilder().setAlert(a).build());
    }
}
