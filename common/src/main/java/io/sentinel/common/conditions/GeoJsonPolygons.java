package io.sentinel.common.conditions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import io.sentinel.common.error.SentinelException;

/**
 * Reads a zone's RFC 7946 Polygon or MultiPolygon geometry object in two steps, so that limits are
 * counted while the text is parsed and before any geometry is built:
 * <ol>
 * <li>{@link #scan} streams the JSON once, keeping positions as plain numbers and counting them
 * against the zone's and the order's allowance (an oversized zone is refused as soon as its count
 * passes the limit, without reading further); positions are checked as they arrive (2 or 3 finite
 * numbers, longitude and latitude in range);</li>
 * <li>{@link Scanned#build} checks the structure for the declared type, then builds JTS rings and
 * polygons and refuses invalid topology.</li>
 * </ol>
 * Accepted: either ring orientation (RFC 7946 says parsers should not reject the other one),
 * positions of 2 or 3 numbers (altitude ignored), repeated consecutive positions, foreign members.
 * Refused: other geometry types, unclosed rings, rings with fewer than 4 positions or 3 distinct
 * ones, out-of-range or non-finite coordinates, self-intersecting or crossing rings, holes outside
 * their shell or inside another hole, holes splitting the interior, overlapping polygons of a
 * MultiPolygon, duplicate keys, trailing content. Every error is a {@link SentinelException}
 * INVALID_ARGUMENT naming the path inside the geometry ({@code coordinates[0][5]}; {@code $} for the
 * whole text), which the caller prefixes with the zone's field.
 */
public final class GeoJsonPolygons {
    public static final GeometryFactory FACTORY = new GeometryFactory(new PrecisionModel(), 4326);
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private GeoJsonPolygons() {
    }

    /** How many positions may still be read: per zone, and for the whole order. */
    public static final class Allowance {
        private final int perZone;
        private final int perOrder;
        private int usedByOrder;

        public Allowance(int perZone, int perOrder) {
            this.perZone = perZone;
            this.perOrder = perOrder;
        }

        /** The limits an order's zones are read under. */
        public static Allowance forOrder() {
            return new Allowance(ConditionLimits.MAX_VERTICES_PER_ZONE, ConditionLimits.MAX_VERTICES_PER_ORDER);
        }

        int perZone() {
            return perZone;
        }

        void take() {
            if (++usedByOrder > perOrder) {
                throw SentinelException.invalid("coordinates", "the order's zones have more than " + perOrder + " vertices in all");
            }
        }
    }

    /** A scanned geometry: its declared type (null when absent or not a string) and its coordinates tree. */
    public static final class Scanned {
        private final String type;
        private final String badType;
        private final boolean hasCoordinates;
        private final Object coordinates;
        private final int vertices;

        Scanned(String type, String badType, boolean hasCoordinates, Object coordinates, int vertices) {
            this.type = type;
            this.badType = badType;
            this.hasCoordinates = hasCoordinates;
            this.coordinates = coordinates;
            this.vertices = vertices;
        }

        /** Positions read, every ring's closing position included. */
        public int vertices() {
            return vertices;
        }

        /** Checks the structure for the declared type, builds the geometry and checks its topology. */
        public Geometry build() {
            if (type == null && badType == null) {
                throw SentinelException.invalid("type", "is missing");
            }
            if (badType != null) {
                throw SentinelException.invalid("type", "must be a string, got " + badType);
            }
            if (!type.equals("Polygon") && !type.equals("MultiPolygon")) {
                throw SentinelException.invalid("type", "must be Polygon or MultiPolygon, got '" + abbreviate(type) + "'");
            }
            if (!hasCoordinates) {
                throw SentinelException.invalid("coordinates", "is missing");
            }
            boolean multi = type.equals("MultiPolygon");
            if (coordinates instanceof double[]) {
                throw SentinelException.invalid("coordinates", "must be an array of " + (multi ? "polygons" : "rings") + ", got a position");
            }
            if (!(coordinates instanceof List<?> top)) {
                throw SentinelException.invalid("coordinates", "must be an array");
            }
            List<List<Object>> polygons = new ArrayList<>();
            if (multi) {
                if (top.isEmpty()) {
                    throw SentinelException.invalid("coordinates", "a MultiPolygon needs at least one polygon");
                }
                for (int p = 0; p < top.size(); p++) {
                    polygons.add(polygon(top.get(p), "coordinates[" + p + "]"));
                }
            } else {
                polygons.add(polygon(coordinates, "coordinates"));
            }
            // Every ring's shape is checked before any topology work.
            List<List<LinearRing>> rings = new ArrayList<>();
            for (int p = 0; p < polygons.size(); p++) {
                String path = multi ? "coordinates[" + p + "]" : "coordinates";
                List<LinearRing> built = new ArrayList<>();
                for (int r = 0; r < polygons.get(p).size(); r++) {
                    built.add(ring(polygons.get(p).get(r), path + "[" + r + "]"));
                }
                rings.add(built);
            }
            Polygon[] built = new Polygon[rings.size()];
            for (int p = 0; p < built.length; p++) {
                List<LinearRing> rs = rings.get(p);
                built[p] = FACTORY.createPolygon(rs.get(0), rs.subList(1, rs.size()).toArray(new LinearRing[0]));
                checkPolygon(built[p], multi ? "coordinates[" + p + "]" : "coordinates");
            }
            if (multi) {
                checkPolygonsApart(built);
                return FACTORY.createMultiPolygon(built);
            }
            return built[0];
        }
    }

    /**
     * Streams {@code text}, counting positions against {@code allowance} as they are read; refuses
     * the text at the first malformed token, bad position or exceeded limit.
     */
    public static Scanned scan(String text, Allowance allowance) {
        if (text == null || text.isBlank()) {
            throw SentinelException.invalid("$", "geometry text is empty");
        }
        if (text.length() > ConditionLimits.MAX_GEOJSON_CHARS) {
            throw SentinelException.invalid("$", "geometry text has " + text.length() + " characters, more than "
                    + ConditionLimits.MAX_GEOJSON_CHARS);
        }
        try (JsonParser p = JSON.createParser(text)) {
            return scan(p, allowance);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw SentinelException.invalid("$", "malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw SentinelException.invalid("$", "unreadable: " + e.getMessage());
        }
    }

    /** Streams a geometry object from a parser placed before it (a parser over text, or over a tree). */
    public static Scanned scan(JsonParser p, Allowance allowance) throws IOException {
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw SentinelException.invalid("$", "must be a GeoJSON geometry object, got " + kind(first));
        }
        String type = null;
        String badType = null;
        boolean hasCoordinates = false;
        Object coordinates = null;
        int[] count = {0};
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "type" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        type = p.getText();
                    } else {
                        badType = describe(p, value);
                        p.skipChildren();
                    }
                }
                case "coordinates" -> {
                    hasCoordinates = true;
                    if (value == JsonToken.START_ARRAY) {
                        coordinates = array(p, "coordinates", 1, allowance, count);
                    } else {
                        coordinates = "not an array";
                        p.skipChildren();
                    }
                }
                // Foreign members (bbox, properties of a careless client): read past, never kept.
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw SentinelException.invalid("$", "malformed JSON: content after the geometry object");
        }
        return new Scanned(type, badType, hasCoordinates, coordinates, count[0]);
    }

    /**
     * Reads an array whose '[' was just read: a position (an array of numbers, kept as a double[]
     * of longitude, latitude) or an array of arrays (kept as a List).
     */
    private static Object array(JsonParser p, String path, int depth, Allowance allowance, int[] count) throws IOException {
        if (depth > ConditionLimits.MAX_COORDINATE_DEPTH) {
            throw SentinelException.invalid(path, "coordinates nest deeper than a MultiPolygon's");
        }
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_ARRAY) {
            return List.of();
        }
        if (t.isNumeric()) {
            return position(p, path, t, allowance, count);
        }
        List<Object> items = new ArrayList<>();
        for (int i = 0; t != JsonToken.END_ARRAY; i++, t = p.nextToken()) {
            String at = path + "[" + i + "]";
            if (t != JsonToken.START_ARRAY) {
                throw SentinelException.invalid(at, "must be an array (a " + (depth == 1 ? "ring, polygon or position" : "ring or position")
                        + "), got " + describe(p, t));
            }
            items.add(array(p, at, depth + 1, allowance, count));
        }
        return items;
    }

    private static double[] position(JsonParser p, String path, JsonToken first, Allowance allowance, int[] count) throws IOException {
        // Counted before the numbers are read: an oversized zone is refused without reading it all.
        if (++count[0] > allowance.perZone()) {
            throw SentinelException.invalid("coordinates", "more than " + allowance.perZone() + " vertices");
        }
        allowance.take();
        double[] lonLat = new double[2];
        int n = 0;
        for (JsonToken t = first; t != JsonToken.END_ARRAY; t = p.nextToken(), n++) {
            String what = n == 0 ? "longitude" : n == 1 ? "latitude" : "altitude";
            if (n >= 3) {
                p.skipChildren();
                continue;
            }
            if (!t.isNumeric()) {
                throw SentinelException.invalid(path, what + " must be a number, got " + describe(p, t));
            }
            double v = p.getDoubleValue();
            if (!Double.isFinite(v)) {
                throw SentinelException.invalid(path, what + " must be a finite number, got " + v);
            }
            if (n < 2) {
                lonLat[n] = v;
            }
        }
        if (n < 2 || n > 3) {
            throw SentinelException.invalid(path, "a position has 2 or 3 numbers, got " + n);
        }
        if (lonLat[0] < -180 || lonLat[0] > 180) {
            throw SentinelException.invalid(path, "longitude " + lonLat[0] + " out of range [-180, 180]");
        }
        if (lonLat[1] < -90 || lonLat[1] > 90) {
            throw SentinelException.invalid(path, "latitude " + lonLat[1] + " out of range [-90, 90]");
        }
        return lonLat;
    }

    private static List<Object> polygon(Object node, String path) {
        if (!(node instanceof List<?> rings)) {
            throw SentinelException.invalid(path, "must be an array of rings (a polygon), got a position");
        }
        if (rings.isEmpty()) {
            throw SentinelException.invalid(path, "a polygon needs at least one ring (its exterior)");
        }
        return new ArrayList<Object>(rings);
    }

    private static LinearRing ring(Object node, String path) {
        if (!(node instanceof List<?> positions)) {
            throw SentinelException.invalid(path, "must be an array of positions (a ring), got a single position");
        }
        int n = positions.size();
        for (int i = 0; i < n; i++) {
            if (!(positions.get(i) instanceof double[])) {
                List<?> inner = (List<?>) positions.get(i);
                throw SentinelException.invalid(path + "[" + i + "]", inner.isEmpty() ? "a position has 2 or 3 numbers, got 0"
                        : "must be a position [longitude, latitude], got an array of arrays (nested one level too deep)");
            }
        }
        if (n < 4) {
            throw SentinelException.invalid(path, "ring has fewer than 4 positions (" + n + ")");
        }
        Coordinate[] cs = new Coordinate[n];
        for (int i = 0; i < n; i++) {
            double[] ll = (double[]) positions.get(i);
            cs[i] = new Coordinate(ll[0], ll[1]);
        }
        if (!cs[0].equals2D(cs[n - 1])) {
            throw SentinelException.invalid(path, "ring is not closed: first position " + format(cs[0]) + " differs from last " + format(cs[n - 1]));
        }
        int distinct = 1;
        for (int i = 1; i < n - 1; i++) {
            if (!cs[i].equals2D(cs[i - 1])) {
                distinct++;
            }
        }
        if (distinct < 3) {
            throw SentinelException.invalid(path, "ring has fewer than 3 distinct positions (" + distinct + ")");
        }
        return FACTORY.createLinearRing(cs);
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
                        throw SentinelException.invalid(path + "[" + r + "]", "ring self-intersects at " + format(simple.getNonSimpleLocation()));
                    }
                }
                List<Integer> on = ringsThrough(rings, at);
                if (on.size() >= 2) {
                    throw SentinelException.invalid(path + "[" + on.get(1) + "]", "ring crosses ring " + path + "[" + on.get(0) + "] at " + format(at));
                }
                throw SentinelException.invalid(path, "rings intersect at " + format(at));
            }
            case TopologyValidationError.HOLE_OUTSIDE_SHELL ->
                    throw SentinelException.invalid(ringPath(path, rings, at), "hole lies outside the exterior ring");
            case TopologyValidationError.NESTED_HOLES ->
                    throw SentinelException.invalid(ringPath(path, rings, at), "hole lies inside another hole");
            case TopologyValidationError.DISCONNECTED_INTERIOR ->
                    throw SentinelException.invalid(path, "holes split the interior into parts at " + format(at));
            case TopologyValidationError.TOO_FEW_POINTS ->
                    throw SentinelException.invalid(ringPath(path, rings, at), "ring has fewer than 3 distinct positions");
            default -> throw SentinelException.invalid(path, error.getMessage().toLowerCase(Locale.ROOT) + " at " + format(at));
        }
    }

    private static void checkPolygonsApart(Polygon[] polygons) {
        for (int j = 1; j < polygons.length; j++) {
            for (int i = 0; i < j; i++) {
                if (!polygons[i].getEnvelopeInternal().intersects(polygons[j].getEnvelopeInternal())) {
                    continue;
                }
                TopologyValidationError error = new IsValidOp(FACTORY.createMultiPolygon(new Polygon[] {polygons[i], polygons[j]}))
                        .getValidationError();
                if (error == null) {
                    continue;
                }
                String path = "coordinates[" + j + "]";
                String other = "coordinates[" + i + "]";
                if (error.getErrorType() == TopologyValidationError.NESTED_SHELLS) {
                    throw SentinelException.invalid(path, "polygon lies inside or around polygon " + other);
                }
                throw SentinelException.invalid(path, "polygon overlaps or shares an edge with polygon " + other + " at " + format(error.getCoordinate()));
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

    private static String kind(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    /** A short rendering of the value at {@code t}: the scalar itself, or what kind of structure it is. */
    private static String describe(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "\"" + abbreviate(p.getText()) + "\"";
            default -> abbreviate(p.getText());
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
