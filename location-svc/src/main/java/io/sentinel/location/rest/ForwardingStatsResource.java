package io.sentinel.location.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.common.security.Roles;
import io.sentinel.common.util.LatencyHistogram;
import io.sentinel.location.service.Forwarder;

/** Receive-to-forward latency percentiles for operators and the ingestion benchmark; no personal data. */
@Path("/api/v1/ops/forwarding-latency")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class ForwardingStatsResource {
    private final Forwarder forwarder;

    public ForwardingStatsResource(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    @GET
    public Map<String, Object> get() {
        LatencyHistogram h = forwarder.latency();
        Map<String, Object> out = new LinkedHashMap<>();
        long n = h.count();
        out.put("count", n);
        out.put("p50Ms", n == 0 ? null : h.percentileMillis(0.50));
        out.put("p99Ms", n == 0 ? null : h.percentileMillis(0.99));
        return out;
    }

    @DELETE
    public void reset() {
        forwarder.latency().reset();
    }
}
