package io.sentinel.location.rest;

import java.time.Instant;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.sentinel.common.rest.AcceptsAnyQueryParameter;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.location.domain.protocol.Decoded;
import io.sentinel.location.domain.protocol.osmand.OsmAndParser;
import io.smallrye.mutiny.Uni;

/**
 * The OsmAnd / Traccar Client HTTP protocol: a report as query parameters (GET or POST), as a
 * form body, or as Traccar Client's JSON body. Answers as Traccar does: 200 with an empty body
 * once stored (the client then drops it from its queue), 400 for a malformed report or an
 * unknown id in the query form, 404 for an unknown device_id in the JSON form, 403 when the calling
 * gateway is not bound to the device (the problem body names the gateway and the device).
 */
@Path("/api/v1/osmand")
@RolesAllowed(Roles.DEVICE_GATEWAY)
// Devices and Traccar clients send parameters of their own (altitude, hdop, driver id...), which the parser skips.
@AcceptsAnyQueryParameter
public class OsmAndResource {
    private final OsmAndParser parser = new OsmAndParser();
    private final DeviceReports reports;
    private final CurrentCaller caller;

    public OsmAndResource(DeviceReports reports, CurrentCaller caller) {
        this.reports = reports;
        this.caller = caller;
    }

    @GET
    public Uni<Response> get(@Context UriInfo uri) {
        Caller who = caller.get();
        Instant now = Instant.now();
        return Uni.createFrom().deferred(() -> reports.store(who, parser.parseQuery(uri.getQueryParameters(), now), "id",
                SentinelException.Kind.INVALID_ARGUMENT)).map(n -> Response.ok().build());
    }

    @POST
    @Consumes("*/*")
    public Uni<Response> post(@Context UriInfo uri, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, String body) {
        Caller who = caller.get();
        Instant now = Instant.now();
        return Uni.createFrom().deferred(() -> {
            if (OsmAndParser.isJson(contentType)) {
                return reports.store(who, parser.parseJson(body, now), "device_id", SentinelException.Kind.NOT_FOUND);
            }
            // Traccar Client sends the report in the URL with an empty body; other trackers post a form.
            Decoded d = body == null || body.isBlank() ? parser.parseQuery(uri.getQueryParameters(), now)
                    : parser.parseQueryString(body, now);
            return reports.store(who, d, "id", SentinelException.Kind.INVALID_ARGUMENT);
        }).map(n -> Response.ok().build());
    }
}
