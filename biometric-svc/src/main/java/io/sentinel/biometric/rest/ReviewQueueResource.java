package io.sentinel.biometric.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.api.biometric.v1.ListReviewQueueResponse;
import io.sentinel.api.biometric.v1.RecordReviewDecisionRequest;
import io.sentinel.biometric.service.CheckInEventOutbox;
import io.sentinel.biometric.service.CheckInService;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Uni;

/** The manual review queue for reviewers' tools. */
@Path("/api/v1/review-queue")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.REVIEWER)
public class ReviewQueueResource {
    private final CheckInService service;
    private final CurrentCaller caller;
    private final CheckInEventOutbox outbox;

    public ReviewQueueResource(CheckInService service, CurrentCaller caller, CheckInEventOutbox outbox) {
        this.outbox = outbox;
        this.service = service;
        this.caller = caller;
    }

    @GET
    public Uni<String> list(@QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        return service.reviewQueue(caller.get(), pageSize == null ? 0 : pageSize, pageToken)
                .map(l -> ProtoJson.print(ListReviewQueueResponse.newBuilder().addAllCheckIns(l)));
    }

    /** Body: {"isMatch": false, "reason": "..."}; the reviewer is the token's subject. */
    @POST
    @Path("/{checkInId}/decision")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> decide(@PathParam("checkInId") String checkInId, String body) {
        RecordReviewDecisionRequest r = ProtoJson.parse(body, RecordReviewDecisionRequest.newBuilder()).build();
        return service.decide(caller.get(), checkInId, r.getIsMatch(), r.getReason()).invoke(outbox::afterDecision)
                .map(ProtoJson::print);
    }
}
