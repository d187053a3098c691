package io.sentinel.rules.rest;

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
import io.sentinel.rules.service.EvaluationLatency;

/**
 * Evaluation latency percentiles of every evaluated fix (see {@link EvaluationLatency}) for
 * operators and the benchmarks; counts only, no personal data.
 */
@Path("/api/v1/ops/evaluation-latency")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationStatsResource {
    private final EvaluationLatency latency;

    public EvaluationStatsResource(EvaluationLatency latency) {
        this.latency = latency;
    }

    @GET
    public Map<String, Object> get() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sinceDeviceTime", summary(latency.sinceDeviceTime()));
        out.put("sinceReceived", summary(latency.sinceReceived()));
        return out;
    }

    @DELETE
    public void reset() {
        latency.reset();
    }

    private static Map<String, Object> summary(LatencyHistogram h) {
        Map<String, Object> out = new LinkedHashMap<>();
        long n = h.count();
        out.put("count", n);
        out.put("p50Ms", n == 0 ? null : h.percentileMillis(0.50));
        out.put("p99Ms", n == 0 ? null : h.percentileMillis(0.99));
        out.put("p999Ms", n == 0 ? null : h.percentileMillis(0.999));
        out.put("maxMs", n == 0 ? null : h.percentileMillis(1.0));
        return out;
    }
}
