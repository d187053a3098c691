package io.sentinel.rules.domain.geo;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sentinel.common.conditions.GeoJsonPolygons;
import io.sentinel.common.error.SentinelException;

/**
 * Reads a zone from an RFC 7946 Polygon or MultiPolygon geometry object into the domain's
 * {@link ZoneShape.Polygonal}, through the one GeoJSON reader of orders' conditions
 * ({@link GeoJsonPolygons}: what it accepts and refuses, and why, is documented there), with its
 * errors as {@link InvalidZoneException} naming the path (e.g. {@code coordinates[0][5]}). For
 * zones outside an order (real-data tests, benchmarks); orders' conditions are read by
 * {@link io.sentinel.common.conditions.ConditionsValidator}. Instances are immutable and thread-safe.
 */
public final class GeoJsonZoneReader {

    public static final int DEFAULT_MAX_VERTICES = io.sentinel.common.conditions.ConditionLimits.MAX_VERTICES_PER_ZONE;
    public static final int DEFAULT_MAX_TEXT_LENGTH = io.sentinel.common.conditions.ConditionLimits.MAX_GEOJSON_CHARS;
    private static final ObjectMapper TREES = new ObjectMapper();

    private final int maxVertices;
    private final int maxTextLength;

    public GeoJsonZoneReader() {
        this(DEFAULT_MAX_VERTICES, DEFAULT_MAX_TEXT_LENGTH);
    }

    /** A reader with other limits; the text limit can only be lowered below the shared one. */
    public GeoJsonZoneReader(int maxVertices, int maxTextLength) {
        if (maxVertices < 4) {
            throw new IllegalArgumentException("maxVertices must be >= 4, got " + maxVertices);
        }
        if (maxTextLength < 1) {
            throw new IllegalArgumentException("maxTextLength must be >= 1, got " + maxTextLength);
        }
        this.maxVertices = maxVertices;
        this.maxTextLength = maxTextLength;
    }

    /** Parses and validates GeoJSON geometry text. */
    public ZoneShape.Polygonal read(String geoJson) {
        if (geoJson != null && !geoJson.isBlank() && geoJson.length() > maxTextLength) {
            throw new InvalidZoneException("$", "geometry text has " + geoJson.length() + " characters, more than " + maxTextLength);
        }
        return build(() -> GeoJsonPolygons.scan(geoJson, allowance()));
    }

    /** Validates an already parsed GeoJSON geometry object. */
    public ZoneShape.Polygonal read(JsonNode root) {
        return build(() -> {
            try (var parser = root == null ? null : root.traverse(TREES)) {
                if (parser == null) {
                    throw SentinelException.invalid("$", "must be a GeoJSON geometry object, got nothing");
                }
                return GeoJsonPolygons.scan(parser, allowance());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private GeoJsonPolygons.Allowance allowance() {
        return new GeoJsonPolygons.Allowance(maxVertices, Integer.MAX_VALUE);
    }

    private static ZoneShape.Polygonal build(java.util.function.Supplier<GeoJsonPolygons.Scanned> scan) {
        try {
            return new ZoneShape.Polygonal(scan.get().build());
        } catch (SentinelException e) {
            throw new InvalidZoneException(e.field() == null ? "$" : e.field(), e.getMessage());
        }
    }
}
