package io.sentinel.enrollment.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;

import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.enrollment.v1.ListSharingGrantsResponse;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.service.AuditActions;
import io.sentinel.enrollment.service.SharingService;
import io.smallrye.mutiny.Uni;

/**
 * Sharing grants of one subject, for back-office tools. Bodies are the canonical JSON of SharingGrant.
 * Listing needs the X-Sentinel-Purpose and X-Sentinel-Reference headers.
 */
@Path("/api/v1/subjects/{subjectId}/grants")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.CASEWORKER)
public class GrantResource {
    private final SharingService sharing;
    private final CurrentCaller caller;
    private final CurrentJustification justification;
    private final AuditLog audit;

    public GrantResource(SharingService sharing, CurrentCaller caller, CurrentJustification justification, AuditLog audit) {
        this.sharing = sharing;
        this.caller = caller;
        this.justification = justification;
        this.audit = audit;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<String>> grant(@PathParam("subjectId") String subjectId, @HeaderParam("Idempotency-Key") String key, String body) {
        var who = caller.get();
        var why = justification.get();
        return audit.recordingRefusal(who, why, AuditActions.GRANT_CREATE, List.of(subjectId), Uni.createFrom().deferred(() -> {
            SharingGrant g = ProtoJson.parse(body, SharingGrant.newBuilder()).build();
            return sharing.grant(who, why, key, subjectId, g);
        })).map(g -> RestResponse.ResponseBuilder.<String>create(201).entity(ProtoJson.print(g))
                .header("Location", "/api/v1/subjects/" + subjectId + "/grants/" + g.getGrantId()).build());
    }

    @GET
    public Uni<String> list(@PathParam("subjectId") String subjectId, @QueryParam("pageSize") Integer pageSize,
            @QueryParam("pageToken") String pageToken) {
        var who = caller.get();
        var why = justification.get();
        return audit.read(who, why, AuditActions.GRANT_LIST, List.of(subjectId),
                () -> sharing.list(who, subjectId, pageSize == null ? 0 : pageSize, pageToken), p -> List.of(subjectId))
                .map(p -> ProtoJson.print(ListSharingGrantsResponse.newBuilder().addAllGrants(p.items()).setNextPageToken(p.nextPageToken())));
    }

    @DELETE
    @Path("/{grantId}")
    public Uni<RestResponse<Void>> revoke(@PathParam("subjectId") String subjectId, @PathParam("grantId") String grantId) {
        var who = caller.get();
        var why = justification.get();
        return audit.recordingRefusal(who, why, AuditActions.GRANT_REVOKE, List.of(subjectId),
                Uni.createFrom().deferred(() -> sharing.revoke(who, why, subjectId, grantId)))
                .map(x -> RestResponse.<Void>noContent());
    }
}
