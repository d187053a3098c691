package io.sentinel.rules.domain.geo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.locationtech.jts.algorithm.PointLocation;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.operation.valid.IsSimpleOp;
import org.locationtech.jts.operation.valid.IsValidOp;
import org.locationtech.jts.operation.valid.TopologyValidationError;

/**
 * Reads a zone from an RFC 7946 Polygon or MultiPolygon geometry object and rejects anything that is
 * not a valid, reasonably sized area, naming the offending path (e.g. {@code coordinates[0][5]}).
 *
 * <p>Accepted: either ring orientation (RFC 7946 says parsers should not reject the other one),
 * positions of 2 or 3 numbers (altitude ignored), repeated consecutive positions, foreign members.
 * Rejected: other geometry types, unclosed rings, rings with fewer than 4 positions or 3 distinct
 * ones, out-of-range or non-finite coordinates, self-intersecting or crossing rings, holes outside
 * their shell or inside another hole, overlapping polygons of a MultiPolygon, duplicate keys, and
 * more than {@code maxVertices} positions. Instances are immutable and thread-safe.
 */
public final class GeoJsonZoneReader {

    public static final int DEFAULT_MAX_VERTICES = 10_000;
    public static final int DEFAULT_MAX_TEXT_LENGTH = 4 * 1024 * 1024;

    private static final GeometryFactory FACTORY = new GeometryFactory(new PrecisionModel(), 4326);
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final int maxVertices;
    private final int maxTextLength;

    public GeoJsonZoneReader() {
        this(DEFAULT_MAX_VERTICES, DEFAULT_MAX_TEXT_LENGTH);
    }

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
        if (geoJson == null || geoJson.isBlank()) {
            throw new InvalidZoneException("$", "geometry text is empty");
        }
        if (geoJson.length() > maxTextLength) {
            throw new InvalidZoneException("$", "geometry text has " + geoJson.length()
                    + " characters, more than " + maxTextLength);
        }
        JsonNode root;
        try {
            root = JSON.readTree(geoJson);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidZoneException("$", "malformed JSON" + where + ": " + e.getOriginalMessage());
        }
        return read(root);
    }

    /** Validates an already parsed GeoJSON geometry object. */
    public ZoneShape.Polygonal read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidZoneException("$", "must be a GeoJSON geometry object, got "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        JsonNode type = root.get("type");
        if (type == null) {
            throw new InvalidZoneException("type", "is missing");
        }
        if (!type.isTextual()) {
            throw new InvalidZoneException("type", "must be a string, got " + type);
        }
        JsonNode coordinates = root.get("coordinates");
        List<List<LinearRing>> polygons = new ArrayList<>();
        int[] vertices = {0};
        switch (type.textValue()) {
            case "Polygon" -> {
                requireArray(coordinates, "coordinates");
                polygons.add(readPolygon(coordinates, "coordinates", vertices));
            }
            case "MultiPolygon" -> {
                requireArray(coordinates, "coordinates");
                if (coordinates.isEmpty()) {
                    throw new InvalidZoneException("coordinates", "a MultiPolygon needs at least one polygon");
                }
                for (int p = 0; p < coordinates.size(); p++) {
                    polygons.add(readPolygon(coordinates.get(p), "coordinates[" + p + "]", vertices));
                }
            }
            default -> throw new InvalidZoneException("type", "must be Polygon or MultiPolygon, got '"
                    + type.textValue() + "'");
        }
        boolean multi = type.textValue().equals("MultiPolygon");
        Polygon[] built = new Polygon[polygons.size()];
        for (int p = 0; p < built.length; p++) {
            List<LinearRing> rings = polygons.get(p);
            built[p] = FACTORY.createPolygon(rings.get(0), rings.subList(1, rings.size()).toArray(new LinearRing[0]));
            checkPolygon(built[p], multi ? "coordinates[" + p + "]" : "coordinates");
        }
        Geometry geometry = multi ? FACTORY.createMultiPolygon(built) : built[0];
        if (multi) {
            checkPolygonsApart(built);
        }
        return new ZoneShape.Polygonal(geometry);
    }

    private static void requireArray(JsonNode node, String path) {
        if (node == null) {
            throw new InvalidZoneException(path, "is missing");
        }
        if (!node.isArray()) {
            throw new InvalidZoneException(path, "must be an array");
        }
    }

    private List<LinearRing> readPolygon(JsonNode node, String path, int[] vertices) {
        if (!node.isArray()) {
            throw new InvalidZoneException(path, "must be an array of rings");
        }
        if (node.isEmpty()) {
            throw new InvalidZoneException(path, "a polygon needs at least one ring (its exterior)");
        }
        List<LinearRing> rings = new ArrayList<>(node.size());
        for (int r = 0; r < node.size(); r++) {
            rings.add(readRing(node.get(r), path + "[" + r + "]", vertices));
        }
        return rings;
    }

    private LinearRing readRing(JsonNode node, String path, int[] vertices) {
        if (!node.isArray()) {
            throw new InvalidZoneException(path, "must be an array of positions");
        }
        int n = node.size();
        // Count before reading positions so that an oversized zone is refused without building it.
        vertices[0] += n;
        if (vertices[0] > maxVertices) {
            throw new InvalidZoneException("coordinates", "more than " + maxVertices + " vertices");
        }
        if (n < 4) {
            throw new InvalidZoneException(path, "ring has fewer than 4 positions (" + n + ")");
        }
        Coordinate[] cs = new Coordinate[n];
        for (int i = 0; i < n; i++) {
            cs[i] = readPosition(node.get(i), path + "[" + i + "]");
        }
        if (!cs[0].equals2D(cs[n - 1])) {
            throw new InvalidZoneException(path, "ring is not closed: first position " + format(cs[0])
                    + " differs from last " + format(cs[n - 1]));
        }
        int distinct = 1;
        for (int i = 1; i < n - 1; i++) {
            if (!cs[i].equals2D(cs[i - 1])) {
                distinct++;
            }
        }
        if (distinct < 3) {
            throw new InvalidZoneException(path, "ring has fewer than 3 distinct positions (" + distinct + ")");
        }
        return FACTORY.createLinearRing(cs);
    }

    private static Coordinate readPosition(JsonNode node, String path) {
        if (!node.isArray()) {
            throw new InvalidZoneException(path, "must be a position [longitude, latitude], got " + node);
        }
        if (node.size() < 2 || node.size() > 3) {
            throw new InvalidZoneException(path, "a position has 2 or 3 numbers, got " + node.size());
        }
        double lon = number(node.get(0), path, "longitude");
        double lat = number(node.get(1), path, "latitude");
        if (node.size() == 3) {
            number(node.get(2), path, "altitude");
        }
        GeoChecks.longitude(path, lon);
        GeoChecks.latitude(path, lat);
        return new Coordinate(lon, lat);
    }

    private static double number(JsonNode node, String path, String what) {
        if (!node.isNumber()) {
            throw new InvalidZoneException(path, what + " must be a number, got " + node);
        }
        double v = node.doubleValue();
        if (!Double.isFinite(v)) {
            throw new InvalidZoneException(path, what + " must be a finite number, got " + v);
        }
        return v;
    }

    private static void checkPolygon(Polygon polygon, String path) {
        TopologyValidationError error = new IsValidOp(polygon).getValidationError();
        if (error == null) {
            return;
        }
        Coordinate at = error.getCoordinate();
        List<LinearRing> rings = rings(polygon);
        switch (error.getErrorType()) {
            case TopologyValidationError.RING_SELF_INTERSECTION, TopologyValidationError.SELF_INTERSECTION -> {
                for (int r = 0; r < rings.size(); r++) {
                    IsSimpleOp simple = new IsSimpleOp(rings.get(r));
                    if (!simple.isSimple()) {
                        throw new InvalidZoneException(path + "[" + r + "]", "ring self-intersects at "
                                + format(simple.getNonSimpleLocation()));
                    }
                }
                List<Integer> on = ringsThrough(rings, at);
                if (on.size() >= 2) {
                    throw new InvalidZoneException(path + "[" + on.get(1) + "]", "ring crosses ring "
                            + path + "[" + on.get(0) + "] at " + format(at));
                }
                throw new InvalidZoneException(path, "rings intersect at " + format(at));
            }
            case TopologyValidationError.HOLE_OUTSIDE_SHELL ->
                    throw new InvalidZoneException(ringPath(path, rings, at), "hole lies outside the exterior ring");
            case TopologyValidationError.NESTED_HOLES ->
                    throw new InvalidZoneException(ringPath(path, rings, at), "hole lies inside another hole");
            case TopologyValidationError.DISCONNECTED_INTERIOR ->
                    throw new InvalidZoneException(path, "holes split the interior into parts at " + format(at));
            case TopologyValidationError.TOO_FEW_POINTS ->
                    throw new InvalidZoneException(ringPath(path, rings, at), "ring has fewer than 3 distinct positions");
            default -> throw new InvalidZoneException(path,
                    error.getMessage().toLowerCase(Locale.ROOT) + " at " + format(at));
        }
    }

    private static void checkPolygonsApart(Polygon[] polygons) {
        for (int j = 1; j < polygons.length; j++) {
            for (int i = 0; i < j; i++) {
                if (!polygons[i].getEnvelopeInternal().intersects(polygons[j].getEnvelopeInternal())) {
                    continue;
                }
                TopologyValidationError error =
                        new IsValidOp(FACTORY.createMultiPolygon(new Polygon[] {polygons[i], polygons[j]}))
                                .getValidationError();
                if (error == null) {
                    continue;
                }
                String path = "coordinates[" + j + "]";
                String other = "coordinates[" + i + "]";
                if (error.getErrorType() == TopologyValidationError.NESTED_SHELLS) {
                    throw new InvalidZoneException(path, "polygon lies inside or around polygon " + other);
                }
                throw new InvalidZoneException(path, "polygon overlaps or shares an edge with polygon "
                        + other + " at " + format(error.getCoordinate()));
            }
        }
    }

    private static List<LinearRing> rings(Polygon polygon) {
        List<LinearRing> rings = new ArrayList<>();
        rings.add(polygon.getExteriorRing());
        for (int h = 0; h < polygon.getNumInteriorRing(); h++) {
            rings.add(polygon.getInteriorRingN(h));
        }
        return rings;
    }

    private static List<Integer> ringsThrough(List<LinearRing> rings, Coordinate at) {
        List<Integer> on = new ArrayList<>();
        if (at == null) {
            return on;
        }
        for (int r = 0; r < rings.size(); r++) {
            if (PointLocation.isOnLine(at, rings.get(r).getCoordinates())) {
                on.add(r);
            }
        }
        return on;
    }

    private static String ringPath(String polygonPath, List<LinearRing> rings, Coordinate at) {
        List<Integer> on = ringsThrough(rings, at);
        // The reported point lies on the offending hole; prefer a hole over the shell when both match.
        for (int r : on) {
            if (r > 0) {
                return polygonPath + "[" + r + "]";
            }
        }
        return on.isEmpty() ? polygonPath : polygonPath + "[" + on.get(0) + "]";
    }

    static String format(Coordinate c) {
        return c == null ? "an unknown point" : "[" + c.x + ", " + c.y + "]";
    }
}
