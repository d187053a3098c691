package io.sentinel.enrollment.rest;

import java.util.List;
import java.util.function.Supplier;

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
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.service.AuditActions;
import io.sentinel.enrollment.service.CaseService;
import io.sentinel.common.outbox.Outbox;
import io.smallrye.mutiny.Uni;

/**
 * Monitoring orders for back-office tools. Amendments and ends carry the version they were
 * written against in the body (the canonical JSON of AmendConditionsRequest / EndOrderRequest);
 * a stale version is answered 409 and nothing is overwritten. Reads need the X-Sentinel-Purpose
 * and X-Sentinel-Reference headers (a partner also X-Sentinel-Grant).
 */
@Path("/api/v1/orders")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.CASEWORKER)
public class OrderResource {
    private final CaseService service;
    private final CurrentCaller caller;
    private final CurrentJustification justification;
    private final AuditLog audit;
    private final Outbox outbox;

    public OrderResource(CaseService service, CurrentCaller caller, CurrentJustification justification, AuditLog audit, Outbox outbox) {
        this.service = service;
        this.caller = caller;
        this.justification = justification;
        this.audit = audit;
        this.outbox = outbox;
    }

    /** A change that records itself in its transaction; a refusal is recorded here, as that transaction rolled back. */
    private Uni<MonitoringOrder> change(Caller who, Justification why, String action, List<String> asked, Supplier<Uni<MonitoringOrder>> work) {
        return audit.recordingRefusal(who, why, action, asked, Uni.createFrom().deferred(work::get));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<String>> create(@HeaderParam("Idempotency-Key") String key, String body) {
        var who = caller.get();
        var why = justification.get();
        return change(who, why, AuditActions.ORDER_CREATE, List.of(), () ->
                service.createOrder(who, why, key, ProtoJson.parse(body, MonitoringOrder.newBuilder()).build()))
                .invoke(outbox::wake)
                .map(o -> RestResponse.ResponseBuilder.<String>create(201).entity(ProtoJson.print(o))
                        .header("Location", "/api/v1/orders/" + o.getOrderId()).build());
    }

    @GET
    @Path("/{orderId}")
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<String> get(@PathParam("orderId") String orderId) {
        var who = caller.get();
        var why = justification.get();
        return audit.read(who, why, AuditActions.ORDER_READ, List.of(), () -> service.getOrder(who, why.grantId(), orderId),
                o -> List.of(o.getSubjectId())).map(ProtoJson::print);
    }

    @POST
    @Path("/{orderId}/amendments")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> amend(@PathParam("orderId") String orderId, String body) {
        var who = caller.get();
        var why = justification.get();
        return change(who, why, AuditActions.ORDER_AMEND, List.of(), () -> {
            AmendConditionsRequest r = ProtoJson.parse(body, AmendConditionsRequest.newBuilder()).build();
            return service.amendConditions(who, why, orderId, r.getVersion(), r.getConditions());
        }).invoke(outbox::wake).map(ProtoJson::print);
    }

    @POST
    @Path("/{orderId}/end")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> end(@PathParam("orderId") String orderId, String body) {
        var who = caller.get();
        var why = justification.get();
        return change(who, why, AuditActions.ORDER_END, List.of(), () -> {
            EndOrderRequest r = ProtoJson.parse(body, EndOrderRequest.newBuilder()).build();
            return service.endOrder(who, why, orderId, r.getVersion(), r.getEndedAt());
        }).invoke(outbox::wake).map(ProtoJson::print);
    }

    @POST
    @Path("/{orderId}/reviews")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> review(@PathParam("orderId") String orderId, String body) {
        var who = caller.get();
        var why = justification.get();
        return change(who, why, AuditActions.ORDER_REVIEW, List.of(), () -> {
            RecordOrderReviewRequest r = ProtoJson.parse(body, RecordOrderReviewRequest.newBuilder()).build();
            return service.recordReview(who, why, orderId, r.getVersion(), r.getNextReviewDueAt());
        }).map(ProtoJson::print);
    }

    @GET
    @Path("/overdue-reviews")
    public Uni<String> overdue(@QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        var who = caller.get();
        var why = justification.get();
        return audit.read(who, why, AuditActions.ORDER_OVERDUE_LIST, List.of(),
                () -> service.listOverdueReviews(who, pageSize == null ? 0 : pageSize, pageToken),
                p -> p.items().stream().map(MonitoringOrder::getSubjectId).toList())
                .map(p -> ProtoJson.print(ListOverdueReviewsResponse.newBuilder().addAllOrders(p.items()).setNextPageToken(p.nextPageToken())));
    }
}
