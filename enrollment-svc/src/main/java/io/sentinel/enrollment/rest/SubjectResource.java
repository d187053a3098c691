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
import io.sentinel.enrollment.service.CaseService;
import io.smallrye.mutiny.Uni;

/** Subjects for back-office tools. Bodies use the canonical JSON form of the proto messages. */
@Path("/api/v1/subjects")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.CASEWORKER)
public class SubjectResource {
    private final CaseService service;
    private final CurrentCaller caller;

    public SubjectResource(CaseService service, CurrentCaller caller) {
        this.service = service;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<String>> create(@HeaderParam("Idempotency-Key") String key, String body) {
        Subject s = ProtoJson.parse(body, Subject.newBuilder()).build();
        return service.createSubject(caller.get(), key, s)
                .map(created -> RestResponse.ResponseBuilder.<String>create(201).entity(ProtoJson.print(created))
                        .header("Location", "/api/v1/subjects/" + created.getSubjectId()).build());
    }

    @GET
    @Path("/{subjectId}")
    public Uni<String> get(@PathParam("subjectId") String subjectId) {
        return service.getSubject(caller.get(), subjectId).map(ProtoJson::print);
    }

    @GET
    public Uni<String> list(@QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        return service.listSubjects(caller.get(), pageSize == null ? 0 : pageSize, pageToken)
                .map(p -> ProtoJson.print(ListSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken())));
    }
}
