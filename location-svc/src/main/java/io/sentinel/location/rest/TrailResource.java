package io.sentinel.location.rest;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.security.Authenticated;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.location.repository.FixRepository.TrailFix;
import io.sentinel.location.service.TrailService;
import io.smallrye.mutiny.Uni;

/**
 * One subject's trail as JSON, GeoJSON or GPX. The caller's purpose, reference and (for another
 * agency) grant are the {@code X-Sentinel-Purpose}, {@code X-Sentinel-Reference} and
 * {@code X-Sentinel-Grant} headers, never query parameters: URLs land in proxy and access logs.
 * Roles, justification and grants are checked (and every call audited) by {@link TrailService}, so
 * any authenticated caller reaches it.
 */
@Path("/api/v1/subjects/{subjectId}/trail")
@Authenticated
public class TrailResource {
    private final TrailService trails;
    private final CurrentCaller caller;
    private final CurrentJustification justification;
    private final ObjectMapper json;

    public TrailResource(TrailService trails, CurrentCaller caller, CurrentJustification justification, ObjectMapper json) {
        this.trails = trails;
        this.caller = caller;
        this.justification = justification;
        this.json = json;
    }

    @GET
    public Uni<Response> trail(@PathParam("subjectId") String subjectId, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("format") String format, @Context UriInfo uri) {
        Justification why = justification.get();
        Caller who = caller.get();
        String f = format == null || format.isBlank() ? "json" : format;
        if (!List.of("json", "geojson", "gpx").contains(f)) {
            throw SentinelException.invalid("format", "must be one of json, geojson, gpx");
        }
        Instant fromAt = instant("from", from);
        Instant toAt = instant("to", to);
        return trails.query(who, why, subjectId, fromAt, toAt).map(t -> switch (f) {
            case "gpx" -> Response.ok(gpx(t)).type("application/gpx+xml").build();
            case "geojson" -> Response.ok(write(geoJson(t))).type("application/geo+json").build();
            default -> Response.ok(write(plain(t))).type("application/json").build();
        });
    }

    private static Instant instant(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw SentinelException.invalid(field, "must be an RFC 3339 UTC instant such as 2026-11-22T10:00:00Z, got '" + text + "'");
        }
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> plain(TrailService.Trail t) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("subjectId", t.subjectId().toString());
        root.put("truncated", t.truncated());
        root.put("points", t.points().stream().map(p -> {
            Map<String, Object> m = properties(p);
            m.put("latitude", p.latitude());
            m.put("longitude", p.longitude());
            return m;
        }).toList());
        return root;
    }

    static Map<String, Object> geoJson(TrailService.Trail t) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("type", "FeatureCollection");
        root.put("features", t.points().stream().map(p -> {
            Map<String, Object> feature = new LinkedHashMap<>();
            feature.put("type", "Feature");
            // GeoJSON (RFC 7946) orders coordinates longitude, latitude.
            feature.put("geometry", Map.of("type", "Point", "coordinates", List.of(p.longitude(), p.latitude())));
            feature.put("properties", properties(p));
            return feature;
        }).toList());
        root.put("subjectId", t.subjectId().toString());
        root.put("truncated", t.truncated());
        return root;
    }

    private static Map<String, Object> properties(TrailFix p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deviceId", p.deviceId().toString());
        m.put("deviceTime", p.deviceTime().toString());
        m.put("accuracyMetres", p.accuracyMetres());
        m.put("implausible", p.implausible());
        m.put("lowAccuracy", p.lowAccuracy());
        if (p.speedMps() != null) {
            m.put("speedMps", p.speedMps());
        }
        if (p.headingDegrees() != null) {
            m.put("headingDegrees", p.headingDegrees());
        }
        return m;
    }

    static String gpx(TrailService.Trail t) {
        StringBuilder b = new StringBuilder(200 + t.points().size() * 120);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<gpx version=\"1.1\" creator=\"sentinel location-svc\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n")
                .append(" <trk><name>").append(t.subjectId()).append("</name><trkseg>\n");
        for (TrailFix p : t.points()) {
            b.append("  <trkpt lat=\"").append(p.latitude()).append("\" lon=\"").append(p.longitude()).append("\"><time>")
                    .append(p.deviceTime()).append("</time></trkpt>\n");
        }
        return b.append(" </trkseg></trk>\n</gpx>\n").toString();
    }
}
