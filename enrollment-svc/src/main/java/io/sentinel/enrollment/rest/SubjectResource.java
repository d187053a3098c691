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

import io.sentinel.api.enrollment.v1.ListSubjectsResponse;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.audit.AuditTrail;
import io.sentinel.enrollment.audit.StatedPurpose;
import io.sentinel.enrollment.service.CaseService;
import io.smallrye.mutiny.Uni;

/** Subjects for back-office tools. Bodies use the canonical JSON form of the proto messages. */
@Path("/api/v1/subjects")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.CASEWORKER)
public class SubjectResource {
    private final CaseService service;
    private final CurrentCaller caller;
    private final AuditTrail audit;

    public SubjectResource(CaseService service, CurrentCaller caller, AuditTrail audit) {
        this.service = service;
        this.caller = caller;
        this.audit = audit;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<String>> create(@HeaderParam("Idempotency-Key") String key, @HeaderParam(StatedPurpose.HEADER) String purpose,
            String body) {
        Subject s = ProtoJson.parse(body, Subject.newBuilder()).build();
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "CreateSubject", "", service.createSubject(who, key, s), Subject::getSubjectId)
                .map(created -> RestResponse.ResponseBuilder.<String>create(201).entity(ProtoJson.print(created))
                        .header("Location", "/api/v1/subjects/" + created.getSubjectId()).build());
    }

    @GET
    @Path("/{subjectId}")
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<String> get(@PathParam("subjectId") String subjectId, @HeaderParam(StatedPurpose.HEADER) String purpose) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "GetSubject", subjectId,
                Uni.createFrom().deferred(() -> service.getSubject(who, subjectId)), null).map(ProtoJson::print);
    }

    @GET
    @Path("/search")
    public Uni<String> search(@QueryParam("familyNamePrefix") String prefix, @QueryParam("dateOfBirth") String dateOfBirth,
            @QueryParam("nationality") String nationality, @QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken,
            @HeaderParam(StatedPurpose.HEADER) String purpose) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "SearchSubjects", "", Uni.createFrom().deferred(() ->
                service.searchSubjects(who, prefix, dateOfBirth, nationality, pageSize == null ? 0 : pageSize, pageToken)), null)
                .map(p -> ProtoJson.print(ListSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken())));
    }

    @GET
    public Uni<String> list(@QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken,
            @HeaderParam(StatedPurpose.HEADER) String purpose) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "ListSubjects", "", Uni.createFrom().deferred(() ->
                service.listSubjects(who, pageSize == null ? 0 : pageSize, pageToken)), null)
                .map(p -> ProtoJson.print(ListSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken())));
    }
}
