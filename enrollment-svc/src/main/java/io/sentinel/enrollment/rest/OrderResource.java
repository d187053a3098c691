package io.sentinel.enrollment.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;

import io.sentinel.api.enrollment.v1.AmendConditionsRequest;
import io.sentinel.api.enrollment.v1.EndOrderRequest;
import io.sentinel.api.enrollment.v1.ListOverdueReviewsResponse;
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.RecordOrderReviewRequest;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.audit.AuditTrail;
import io.sentinel.enrollment.audit.StatedPurpose;
import io.sentinel.enrollment.service.CaseService;
import io.sentinel.enrollment.service.OutboxDispatcher;
import io.smallrye.mutiny.Uni;

/**
 * Monitoring orders for back-office tools. Amendments and ends carry the version they were
 * written against in the body (the canonical JSON of AmendConditionsRequest / EndOrderRequest);
 * a stale version is answered 409 and nothing is overwritten.
 */
@Path("/api/v1/orders")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.CASEWORKER)
public class OrderResource {
    private final CaseService service;
    private final CurrentCaller caller;
    private final AuditTrail audit;
    private final OutboxDispatcher outbox;

    public OrderResource(CaseService service, CurrentCaller caller, AuditTrail audit, OutboxDispatcher outbox) {
        this.service = service;
        this.caller = caller;
        this.audit = audit;
        this.outbox = outbox;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<String>> create(@HeaderParam("Idempotency-Key") String key, @HeaderParam(StatedPurpose.HEADER) String purpose,
            String body) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "CreateOrder", "", Uni.createFrom().deferred(() ->
                service.createOrder(who, key, ProtoJson.parse(body, MonitoringOrder.newBuilder()).build())), MonitoringOrder::getSubjectId)
                .invoke(outbox::wake)
                .map(o -> RestResponse.ResponseBuilder.<String>create(201).entity(ProtoJson.print(o))
                        .header("Location", "/api/v1/orders/" + o.getOrderId()).build());
    }

    @GET
    @Path("/{orderId}")
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<String> get(@PathParam("orderId") String orderId, @HeaderParam(StatedPurpose.HEADER) String purpose) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "GetOrder", "", Uni.createFrom().deferred(() -> service.getOrder(who, orderId)),
                MonitoringOrder::getSubjectId).map(ProtoJson::print);
    }

    @POST
    @Path("/{orderId}/amendments")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> amend(@PathParam("orderId") String orderId, @HeaderParam(StatedPurpose.HEADER) String purpose, String body) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "AmendConditions", "", Uni.createFrom().deferred(() -> {
            AmendConditionsRequest r = ProtoJson.parse(body, AmendConditionsRequest.newBuilder()).build();
            return service.amendConditions(who, orderId, r.getVersion(), r.getConditions());
        }), MonitoringOrder::getSubjectId).invoke(outbox::wake).map(ProtoJson::print);
    }

    @POST
    @Path("/{orderId}/end")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> end(@PathParam("orderId") String orderId, @HeaderParam(StatedPurpose.HEADER) String purpose, String body) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "EndOrder", "", Uni.createFrom().deferred(() -> {
            EndOrderRequest r = ProtoJson.parse(body, EndOrderRequest.newBuilder()).build();
            return service.endOrder(who, orderId, r.getVersion(), r.getEndedAt());
        }), MonitoringOrder::getSubjectId).invoke(outbox::wake).map(ProtoJson::print);
    }

    @POST
    @Path("/{orderId}/reviews")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> review(@PathParam("orderId") String orderId, @HeaderParam(StatedPurpose.HEADER) String purpose, String body) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "RecordOrderReview", "", Uni.createFrom().deferred(() -> {
            RecordOrderReviewRequest r = ProtoJson.parse(body, RecordOrderReviewRequest.newBuilder()).build();
            return service.recordReview(who, orderId, r.getVersion(), r.getNextReviewDueAt());
        }), MonitoringOrder::getSubjectId).map(ProtoJson::print);
    }

    @GET
    @Path("/overdue-reviews")
    public Uni<String> overdue(@QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken,
            @HeaderParam(StatedPurpose.HEADER) String purpose) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "ListOverdueReviews", "", Uni.createFrom().deferred(() ->
                service.listOverdueReviews(who, pageSize == null ? 0 : pageSize, pageToken)), null)
                .map(p -> ProtoJson.print(ListOverdueReviewsResponse.newBuilder().addAllOrders(p.items()).setNextPageToken(p.nextPageToken())));
    }
}
