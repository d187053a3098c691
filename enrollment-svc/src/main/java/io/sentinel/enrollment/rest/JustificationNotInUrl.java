package io.sentinel.enrollment.rest;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.sentinel.common.audit.Justification;
import io.sentinel.common.rest.Problem;

/**
 * Refuses a purpose, reference or grant sent as a query parameter: they travel only as the
 * {@code X-Sentinel-Purpose}, {@code X-Sentinel-Reference} and {@code X-Sentinel-Grant} headers,
 * because URLs end up in proxy and access logs and these often name a case.
 */
public class JustificationNotInUrl {
    private static final Map<String, String> HEADER_FOR = Map.of(
            "purpose", "X-Sentinel-Purpose", Justification.PURPOSE, "X-Sentinel-Purpose",
            "reference", "X-Sentinel-Reference", Justification.REFERENCE, "X-Sentinel-Reference",
            "grant", "X-Sentinel-Grant", Justification.GRANT, "X-Sentinel-Grant");

    @ServerRequestFilter
    public Optional<RestResponse<Problem>> refuseInUrl(ContainerRequestContext request) {
        for (String name : request.getUriInfo().getQueryParameters().keySet()) {
            String header = HEADER_FOR.get(name.toLowerCase(Locale.ROOT));
            if (header != null) {
                Problem p = new Problem(Problem.TYPE_BASE + "invalid-argument", "Invalid argument", 400,
                        name + ": must not be sent in the URL: send it as the " + header + " header", request.getUriInfo().getPath(), name);
                return Optional.of(RestResponse.ResponseBuilder.<Problem>create(400).entity(p).header("Content-Type", Problem.MEDIA_TYPE).build());
            }
        }
        return Optional.empty();
    }
}
