package io.sentinel.rules.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.rules.service.AlertQueries;
import io.smallrye.mutiny.Uni;

/** Alert list and lookup for back-office tools. */
@Path("/api/v1/alerts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.REVIEWER })
public class AlertResource {
    private final AlertQueries queries;
    private final CurrentCaller caller;

    public AlertResource(AlertQueries queries, CurrentCaller caller) {
        this.queries = queries;
        this.caller = caller;
    }

    @GET
    public Uni<String> list(@QueryParam("subjectId") String subjectId, @QueryParam("state") String state,
            @QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        AlertState s = parseState(state);
        return queries.list(caller.get(), subjectId, s, pageSize == null ? 0 : pageSize, pageToken).map(ProtoJson::print);
    }

    @GET
    @Path("/{alertId}")
    public Uni<String> get(@PathParam("alertId") String alertId) {
        return queries.get(caller.get(), alertId).map(ProtoJson::print);
    }

    private static AlertState parseState(String state) {
        if (state == null || state.isEmpty()) {
            return null;
        }
        try {
            return AlertState.valueOf("ALERT_STATE_" + state.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw SentinelException.invalid("state", "must be one of open, acknowledged, resolved");
        }
    }
}
