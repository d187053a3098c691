package io.sentinel.enrollment.rest;

import java.util.List;

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
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.service.AuditActions;
import io.sentinel.enrollment.service.CaseService;
import io.smallrye.mutiny.Uni;

/**
 * Subjects for back-office tools. Bodies use the canonical JSON form of the proto messages. Reads
 * need the X-Sentinel-Purpose and X-Sentinel-Reference headers (a partner also X-Sentinel-Grant).
 */
@Path("/api/v1/subjects")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.CASEWORKER)
public class SubjectResource {
    private final CaseService service;
    private final CurrentCaller caller;
    private final CurrentJustification justification;
    private final AuditLog audit;

    public SubjectResource(CaseService service, CurrentCaller caller, CurrentJustification justification, AuditLog audit) {
        this.service = service;
        this.caller = caller;
        this.justification = justification;
        this.audit = audit;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<String>> create(@HeaderParam("Idempotency-Key") String key, String body) {
        Subject s = ProtoJson.parse(body, Subject.newBuilder()).build();
        var who = caller.get();
        var why = justification.get();
        return audit.recordingRefusal(who, why, AuditActions.SUBJECT_CREATE, List.of(),
                Uni.createFrom().deferred(() -> service.createSubject(who, why, key, s)))
                .map(created -> RestResponse.ResponseBuilder.<String>create(201).entity(ProtoJson.print(created))
                        .header("Location", "/api/v1/subjects/" + created.getSubjectId()).build());
    }

    @GET
    @Path("/{subjectId}")
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<String> get(@PathParam("subjectId") String subjectId) {
        var who = caller.get();
        var why = justification.get();
        return audit.read(who, why, AuditActions.SUBJECT_READ, List.of(subjectId), () -> service.getSubject(who, why.grantId(), subjectId),
                s -> List.of(s.getSubjectId())).map(ProtoJson::print);
    }

    @GET
    @Path("/search")
    public Uni<String> search(@QueryParam("familyNamePrefix") String prefix, @QueryParam("dateOfBirth") String dateOfBirth,
            @QueryParam("nationality") String nationality, @QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        var who = caller.get();
        var why = justification.get();
        return audit.read(who, why, AuditActions.SUBJECT_SEARCH, List.of(),
                () -> service.searchSubjects(who, prefix, dateOfBirth, nationality, pageSize == null ? 0 : pageSize, pageToken),
                p -> p.items().stream().map(Subject::getSubjectId).toList())
                .map(p -> ProtoJson.print(ListSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken())));
    }

    @GET
    public Uni<String> list(@QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        var who = caller.get();
        var why = justification.get();
        return audit.read(who, why, AuditActions.SUBJECT_LIST, List.of(), () -> service.listSubjects(who, pageSize == null ? 0 : pageSize, pageToken),
                p -> p.items().stream().map(Subject::getSubjectId).toList())
                .map(p -> ProtoJson.print(ListSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken())));
    }
}
