package io.sentinel.common.geo;

import java.util.ArrayList;
import java.util.List;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sentinel.common.error.SentinelException;

/** Reads zone GeoJSON (the sentinel.common.v1.Zone contract, validated identically by enrollment-svc and rules-svc): reads GeoJSON Polygon and MultiPolygon geometries into JTS, rejecting what is malformed. */
public final class ZoneShapes {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final GeometryFactory FACTORY = new GeometryFactory(new PrecisionModel(), 4326);

    private ZoneShapes() {
    }

    public static Geometry parse(String field, String geojson) {
        JsonNode root;
        try {
            root = JSON.readTree(geojson);
        } catch (Exception e) {
            throw SentinelException.invalid(field, "is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw SentinelException.invalid(field, "must be a GeoJSON geometry object");
        }
        String type = root.path("type").asText("");
        JsonNode coords = root.path("coordinates");
        Geometry g = switch (type) {
            case "Polygon" -> polygon(field + ".coordinates", coords);
            case "MultiPolygon" -> {
                if (!coords.isArray() || coords.isEmpty()) {
                    throw SentinelException.invalid(field + ".coordinates", "must be a non-empty array of polygons");
                }
                Polygon[] ps = new Polygon[coords.size()];
                for (int i = 0; i < ps.length; i++) {
                    ps[i] = polygon(field + ".coordinates[" + i + "]", coords.get(i));
                }
                yield FACTORY.createMultiPolygon(ps);
            }
            default -> throw SentinelException.invalid(field + ".type", "must be Polygon or MultiPolygon, got '" + type + "'");
        };
        if (!g.isValid()) {
            throw SentinelException.invalid(field, "is not a valid polygon (self-intersecting or overlapping rings)");
        }
        return g;
    }

    private static Polygon polygon(String field, JsonNode rings) {
        if (!rings.isArray() || rings.isEmpty()) {
            throw SentinelException.invalid(field, "must be a non-empty array of linear rings");
        }
        LinearRing shell = ring(field + "[0]", rings.get(0));
        List<LinearRing> holes = new ArrayList<>();
        for (int i = 1; i < rings.size(); i++) {
            holes.add(ring(field + "[" + i + "]", rings.get(i)));
        }
        return FACTORY.createPolygon(shell, holes.toArray(LinearRing[]::new));
    }

    private static LinearRing ring(String field, JsonNode positions) {
        if (!positions.isArray() || positions.size() < 4) {
            throw SentinelException.invalid(field, "a linear ring needs at least 4 positions");
        }
        Coordinate[] cs = new Coordinate[positions.size()];
        for (int i = 0; i < cs.length; i++) {
            JsonNode p = positions.get(i);
            if (!p.isArray() || p.size() < 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                throw SentinelException.invalid(field + "[" + i + "]", "must be a [longitude, latitude] position");
            }
            double lon = p.get(0).asDouble();
            double lat = p.get(1).asDouble();
            if (lon < -180 || lon > 180) {
                throw SentinelException.invalid(field + "[" + i + "]", "longitude must be within [-180, 180], got " + lon);
            }
            if (lat < -90 || lat > 90) {
                throw SentinelException.invalid(field + "[" + i + "]", "latitude must be within [-90, 90], got " + lat);
            }
            cs[i] = new Coordinate(lon, lat);
        }
        if (!cs[0].equals2D(cs[cs.length - 1])) {
            throw SentinelException.invalid(field, "ring is not closed (first and last positions differ)");
        }
        return FACTORY.createLinearRing(cs);
    }
}
