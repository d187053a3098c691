package io.sentinel.common.audit;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.security.Authenticated;
import io.sentinel.common.security.CurrentCaller;
import io.smallrye.mutiny.Uni;

/**
 * The auditor's view over REST, in the same JSON as {@code sentinel.audit.v1.AuditService}. Filters
 * are query parameters (ids and times, no personal data); the auditor's purpose and reference are
 * the {@code X-Sentinel-Purpose} and {@code X-Sentinel-Reference} headers.
 */
@Path("/api/v1/audit")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
    private final AuditApi api;
    private final CurrentCaller caller;
    private final CurrentJustification justification;

    public AuditResource(AuditApi api, CurrentCaller caller, CurrentJustification justification) {
        this.api = api;
        this.caller = caller;
        this.justification = justification;
    }

    @GET
    @Path("/records")
    public Uni<Map<String, Object>> records(@QueryParam("subjectId") String subjectId, @QueryParam("actor") String actor,
            @QueryParam("purposeContains") String purposeContains, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        ObjectNode q = JsonNodeFactory.instance.objectNode();
        q.put("subjectId", subjectId).put("actor", actor).put("purposeContains", purposeContains).put("from", from).put("to", to)
                .put("pageSize", pageSize == null ? 0 : pageSize).put("pageToken", pageToken);
        return api.query(caller.get(), justification.get(), q);
    }

    @GET
    @Path("/verification")
    public Uni<Map<String, Object>> verification() {
        return api.verify(caller.get());
    }
}
