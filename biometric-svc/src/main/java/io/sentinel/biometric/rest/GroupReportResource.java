package io.sentinel.biometric.rest;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.api.biometric.v1.GetGroupReportRequest;
import io.sentinel.biometric.service.GroupReportService;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.common.util.Timestamps;
import io.smallrye.mutiny.Uni;

/** The per demographic group verification report for auditors; purpose and reference go in the X-Sentinel-* headers. */
@Path("/api/v1/reports/groups")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.AUDITOR, Roles.ADMIN })
public class GroupReportResource {
    private final GroupReportService service;
    private final CurrentCaller caller;
    private final CurrentJustification justification;

    public GroupReportResource(GroupReportService service, CurrentCaller caller, CurrentJustification justification) {
        this.service = service;
        this.caller = caller;
        this.justification = justification;
    }

    /** Query: from, to (RFC 3339 instants, optional). */
    @GET
    public Uni<String> report(@QueryParam("from") String from, @QueryParam("to") String to) {
        var who = caller.get();
        var why = justification.get();
        return Uni.createFrom().deferred(() -> {
            GetGroupReportRequest.Builder r = GetGroupReportRequest.newBuilder();
            if (from != null) {
                r.setFrom(Timestamps.of(instant("from", from)));
            }
            if (to != null) {
                r.setTo(Timestamps.of(instant("to", to)));
            }
            return service.report(who, why, r.build());
        }).map(ProtoJson::print);
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw SentinelException.invalid(field, "must be an RFC 3339 instant such as 2026-01-01T00:00:00Z");
        }
    }
}
