package io.sentinel.biometric.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.sentinel.api.biometric.v1.ListReviewQueueResponse;
import io.sentinel.api.biometric.v1.RecordReviewDecisionRequest;
import io.sentinel.biometric.service.AuditActions;
import io.sentinel.biometric.service.CheckInEventOutbox;
import io.sentinel.biometric.service.CheckInService;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Uni;

/**
 * The manual review queue for reviewers' tools. Every read needs the {@code X-Sentinel-Purpose}
 * and {@code X-Sentinel-Reference} headers (a reviewer's reference is typically the check-in or
 * review task) and is recorded with the subjects it returned; a decision is recorded with it.
 */
@Path("/api/v1/review-queue")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.REVIEWER)
public class ReviewQueueResource {
    private final CheckInService service;
    private final CurrentCaller caller;
    private final CheckInEventOutbox outbox;
    private final CurrentJustification justification;
    private final AuditLog audit;

    public ReviewQueueResource(CheckInService service, CurrentCaller caller, CheckInEventOutbox outbox, CurrentJustification justification,
            AuditLog audit) {
        this.outbox = outbox;
        this.justification = justification;
        this.audit = audit;
        this.service = service;
        this.caller = caller;
    }

    @GET
    public Uni<String> list(@QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        return service.reviewQueue(caller.get(), justification.get(), pageSize == null ? 0 : pageSize, pageToken)
                .map(l -> ProtoJson.print(ListReviewQueueResponse.newBuilder().addAllCheckIns(l)));
    }

    /** The check-in photo (JPEG or PNG as uploaded); kept at least until the review is decided. */
    @GET
    @Path("/{checkInId}/probe")
    @Produces({ "image/jpeg", "image/png", MediaType.APPLICATION_JSON })
    public Uni<Response> probe(@PathParam("checkInId") String checkInId) {
        return service.probePhoto(caller.get(), justification.get(), checkInId).map(ReviewQueueResource::photo);
    }

    /** The subject's references: id, creation time, model id and whether the photo is still held. */
    @GET
    @Path("/{checkInId}/references")
    public Uni<List<CheckInService.ReferenceInfo>> references(@PathParam("checkInId") String checkInId) {
        return service.referencesOfCheckIn(caller.get(), justification.get(), checkInId);
    }

    /** One reference photo of the check-in's subject, for side-by-side comparison. */
    @GET
    @Path("/{checkInId}/references/{referenceId}")
    @Produces({ "image/jpeg", "image/png", MediaType.APPLICATION_JSON })
    public Uni<Response> reference(@PathParam("checkInId") String checkInId, @PathParam("referenceId") String referenceId) {
        return service.referencePhoto(caller.get(), justification.get(), checkInId, referenceId).map(ReviewQueueResource::photo);
    }

    private static Response photo(CheckInService.Photo p) {
        // Biometric source images must not linger in browser or proxy caches.
        return Response.ok(p.bytes(), p.contentType()).header("Cache-Control", "no-store").build();
    }

    /** Body: {"isMatch": false, "reason": "..."}; the reviewer is the token's subject. */
    @POST
    @Path("/{checkInId}/decision")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> decide(@PathParam("checkInId") String checkInId, String body) {
        var who = caller.get();
        var why = justification.get();
        RecordReviewDecisionRequest r = ProtoJson.parse(body, RecordReviewDecisionRequest.newBuilder()).build();
        return audit.recordingRefusal(who, why, AuditActions.REVIEW_DECIDE, List.of(),
                Uni.createFrom().deferred(() -> service.decide(who, why, checkInId, r.getIsMatch(), r.getReason())))
                .invoke(outbox::afterDecision).map(ProtoJson::print);
    }
}
