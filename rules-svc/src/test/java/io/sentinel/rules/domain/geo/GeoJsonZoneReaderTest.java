package io.sentinel.rules.domain.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

class GeoJsonZoneReaderTest {

    private final GeoJsonZoneReader reader = new GeoJsonZoneReader();

    private static final String SQUARE = "[[-0.1,51.5],[-0.09,51.5],[-0.09,51.51],[-0.1,51.51],[-0.1,51.5]]";
    private static final String HOLE = "[[-0.097,51.503],[-0.093,51.503],[-0.093,51.507],[-0.097,51.507],[-0.097,51.503]]";

    private InvalidZoneException rejects(String json) {
        return assertThrows(InvalidZoneException.class, () -> reader.read(json));
    }

    @Test
    void readsPolygonWithHoleInLonLatOrder() {
        ZoneShape.Polygonal zone = reader.read("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "," + HOLE + "]}");
        Polygon p = assertInstanceOf(Polygon.class, zone.geometry());
        assertEquals(1, p.getNumInteriorRing());
        assertEquals(-0.1, p.getEnvelopeInternal().getMinX());
        assertEquals(51.51, p.getEnvelopeInternal().getMaxY());
        assertEquals(10, zone.vertexCount());
    }

    @Test
    void readsMultiPolygonAndIgnoresAltitudeAndForeignMembers() {
        String far = "[[0.1,51.5,12.0],[0.11,51.5,12.0],[0.11,51.51,12.0],[0.1,51.5,12.0]]";
        ZoneShape.Polygonal zone = reader.read("{\"type\":\"MultiPolygon\",\"bbox\":[0,0,1,1],\"name\":\"x\","
                + "\"coordinates\":[[" + SQUARE + "," + HOLE + "],[" + far + "]]}");
        MultiPolygon mp = assertInstanceOf(MultiPolygon.class, zone.geometry());
        assertEquals(2, mp.getNumGeometries());
    }

    @Test
    void acceptsClockwiseExteriorRing() {
        String clockwise = "[[-0.1,51.5],[-0.1,51.51],[-0.09,51.51],[-0.09,51.5],[-0.1,51.5]]";
        assertEquals(5, reader.read("{\"type\":\"Polygon\",\"coordinates\":[" + clockwise + "]}").vertexCount());
    }

    @Test
    void rejectsOtherGeometryTypes() {
        InvalidZoneException e = rejects("{\"type\":\"Point\",\"coordinates\":[0,0]}");
        assertEquals("type: must be Polygon or MultiPolygon, got 'Point'", e.getMessage());
        assertEquals("type", e.path());
        assertEquals("type: must be Polygon or MultiPolygon, got 'Feature'",
                rejects("{\"type\":\"Feature\",\"geometry\":null}").getMessage());
    }

    @Test
    void rejectsMissingTypeAndCoordinates() {
        assertEquals("type: is missing", rejects("{\"coordinates\":[]}").getMessage());
        assertEquals("type: must be a string, got 7", rejects("{\"type\":7}").getMessage());
        assertEquals("coordinates: is missing", rejects("{\"type\":\"Polygon\"}").getMessage());
        assertEquals("coordinates: must be an array", rejects("{\"type\":\"Polygon\",\"coordinates\":{}}").getMessage());
        assertEquals("$: must be a GeoJSON geometry object, got array", rejects("[1,2]").getMessage());
    }

    @Test
    void rejectsEmptyPolygonAndMultiPolygon() {
        assertEquals("coordinates: a polygon needs at least one ring (its exterior)",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[]}").getMessage());
        assertEquals("coordinates: a MultiPolygon needs at least one polygon",
                rejects("{\"type\":\"MultiPolygon\",\"coordinates\":[]}").getMessage());
        assertEquals("coordinates[0]: a polygon needs at least one ring (its exterior)",
                rejects("{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}").getMessage());
    }

    @Test
    void rejectsLongitudeOutOfRangeNamingThePosition() {
        String ring = "[[-0.1,51.5],[-0.09,51.5],[-0.09,51.51],[-0.095,51.515],[-0.1,51.51],[181.0,51.5],[-0.1,51.5]]";
        InvalidZoneException e = rejects("{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}");
        assertEquals("coordinates[0][5]: longitude 181.0 out of range [-180, 180]", e.getMessage());
        assertEquals("coordinates[0][5]", e.path());
    }

    @Test
    void rejectsLatitudeOutOfRangeInsideMultiPolygon() {
        String bad = "[[0.1,51.5],[0.11,91.5],[0.11,51.51],[0.1,51.5]]";
        assertEquals("coordinates[1][0][1]: latitude 91.5 out of range [-90, 90]",
                rejects("{\"type\":\"MultiPolygon\",\"coordinates\":[[" + SQUARE + "],[" + bad + "]]}").getMessage());
    }

    @Test
    void rejectsNonNumericAndMalformedPositions() {
        assertEquals("coordinates[0][1]: latitude must be a number, got \"51.5\"",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[[[-0.1,51.5],[-0.09,\"51.5\"],[-0.09,51.51],[-0.1,51.5]]]}").getMessage());
        assertEquals("coordinates[0][2]: a position has 2 or 3 numbers, got 4",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[[[-0.1,51.5],[-0.09,51.5],[-0.09,51.51,0,0],[-0.1,51.5]]]}").getMessage());
        assertEquals("coordinates[0]: a position has 2 or 3 numbers, got 4",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[[5,6,7,8]]}").getMessage());
        assertEquals("coordinates[0][1]: longitude must be a finite number, got Infinity",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[[[-0.1,51.5],[1e400,51.5],[-0.09,51.51],[-0.1,51.5]]]}").getMessage());
    }

    @Test
    void rejectsRingThatIsNotClosed() {
        assertEquals("coordinates[0]: ring is not closed: first position [-0.1, 51.5] differs from last [-0.1, 51.51]",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[[[-0.1,51.5],[-0.09,51.5],[-0.09,51.51],[-0.1,51.51]]]}").getMessage());
    }

    @Test
    void rejectsRingWithFewerThanFourPositions() {
        assertEquals("coordinates[1]: ring has fewer than 4 positions (3)",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + ",[[-0.097,51.503],[-0.093,51.503],[-0.097,51.503]]]}").getMessage());
    }

    @Test
    void rejectsRingWithFewerThanThreeDistinctPositions() {
        assertEquals("coordinates[0]: ring has fewer than 3 distinct positions (2)",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[[[-0.1,51.5],[-0.09,51.5],[-0.09,51.5],[-0.1,51.5]]]}").getMessage());
    }

    @Test
    void rejectsSelfIntersectingRingWithItsLocation() {
        String bowTie = "[[0,0],[1,1],[1,0],[0,1],[0,0]]";
        InvalidZoneException e = rejects("{\"type\":\"Polygon\",\"coordinates\":[" + bowTie + "]}");
        assertEquals("coordinates[0]: ring self-intersects at [0.5, 0.5]", e.getMessage());
    }

    @Test
    void rejectsSelfIntersectingHoleNamingTheHole() {
        String bowTieHole = "[[-0.097,51.503],[-0.093,51.507],[-0.093,51.503],[-0.097,51.507],[-0.097,51.503]]";
        InvalidZoneException e = rejects("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "," + bowTieHole + "]}");
        assertEquals("coordinates[1]", e.path());
        assertTrue(e.problem().startsWith("ring self-intersects at [-0.095"), e.getMessage());
    }

    @Test
    void rejectsHoleOutsideShell() {
        String outside = "[[0.2,51.6],[0.21,51.6],[0.21,51.61],[0.2,51.6]]";
        assertEquals("coordinates[1]: hole lies outside the exterior ring",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "," + outside + "]}").getMessage());
    }

    @Test
    void rejectsHoleCrossingShell() {
        String crossing = "[[-0.095,51.505],[-0.08,51.505],[-0.08,51.506],[-0.095,51.506],[-0.095,51.505]]";
        InvalidZoneException e = rejects("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "," + crossing + "]}");
        assertEquals("coordinates[1]", e.path());
        assertTrue(e.problem().startsWith("ring crosses ring coordinates[0] at [-0.09, 51.50"), e.getMessage());
    }

    @Test
    void rejectsNestedHoles() {
        String inner = "[[-0.096,51.504],[-0.094,51.504],[-0.094,51.506],[-0.096,51.506],[-0.096,51.504]]";
        InvalidZoneException e = rejects("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "," + HOLE + "," + inner + "]}");
        assertEquals("coordinates[2]: hole lies inside another hole", e.getMessage());
    }

    @Test
    void rejectsOverlappingPolygonsOfMultiPolygon() {
        String overlapping = "[[-0.095,51.505],[-0.08,51.505],[-0.08,51.52],[-0.095,51.52],[-0.095,51.505]]";
        InvalidZoneException e = rejects("{\"type\":\"MultiPolygon\",\"coordinates\":[[" + SQUARE + "],[" + overlapping + "]]}");
        assertEquals("coordinates[1]", e.path());
        assertTrue(e.problem().startsWith("polygon overlaps or shares an edge with polygon coordinates[0]"), e.getMessage());
        String inside = "[[-0.096,51.504],[-0.094,51.504],[-0.094,51.506],[-0.096,51.506],[-0.096,51.504]]";
        assertEquals("coordinates[1]: polygon lies inside or around polygon coordinates[0]",
                rejects("{\"type\":\"MultiPolygon\",\"coordinates\":[[" + SQUARE + "],[" + inside + "]]}").getMessage());
    }

    @Test
    void acceptsMultiPolygonWhosePartsTouchAtAPoint() {
        String touching = "[[-0.09,51.51],[-0.08,51.51],[-0.08,51.52],[-0.09,51.51]]";
        assertEquals(2, reader.read("{\"type\":\"MultiPolygon\",\"coordinates\":[[" + SQUARE + "],[" + touching + "]]}")
                .geometry().getNumGeometries());
    }

    @Test
    void rejectsMoreThanTheVertexLimitBeforeBuildingTheZone() {
        StringBuilder ring = new StringBuilder("[");
        int n = 10_001;
        for (int i = 0; i < n - 1; i++) {
            double a = 2 * Math.PI * i / (n - 1);
            ring.append('[').append(Math.cos(a) * 0.01).append(',').append(51.5 + Math.sin(a) * 0.01).append("],");
        }
        ring.append("[0.01,51.5]]");
        assertEquals("coordinates: more than 10000 vertices",
                rejects("{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}").getMessage());
        GeoJsonZoneReader roomy = new GeoJsonZoneReader(20_000, GeoJsonZoneReader.DEFAULT_MAX_TEXT_LENGTH);
        assertEquals(n, roomy.read("{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}").vertexCount());
    }

    @Test
    void rejectsOversizedText() {
        GeoJsonZoneReader small = new GeoJsonZoneReader(100, 50);
        InvalidZoneException e = assertThrows(InvalidZoneException.class,
                () -> small.read("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "]}"));
        assertEquals("$: geometry text has 100 characters, more than 50", e.getMessage());
    }

    @Test
    void rejectsMalformedAndDuplicatedJson() {
        assertTrue(rejects("{\"type\":\"Polygon\",").getMessage().startsWith("$: malformed JSON at line 1, column 19"));
        assertTrue(rejects("{\"type\":\"Polygon\",\"type\":\"Point\",\"coordinates\":[]}").getMessage()
                .contains("Duplicate field 'type'"));
        assertEquals("$: geometry text is empty", rejects("  ").getMessage());
    }

    @Test
    void rejectsCircleOutOfRange() {
        assertEquals("radiusMetres: 0.0 out of range (0, 20000]",
                assertThrows(InvalidZoneException.class, () -> new ZoneShape.Circle(51.5, -0.1, 0)).getMessage());
        assertEquals("radiusMetres: 20000.5 out of range (0, 20000]",
                assertThrows(InvalidZoneException.class, () -> new ZoneShape.Circle(51.5, -0.1, 20_000.5)).getMessage());
        assertEquals("centreLatitude: latitude 90.5 out of range [-90, 90]",
                assertThrows(InvalidZoneException.class, () -> new ZoneShape.Circle(90.5, -0.1, 10)).getMessage());
        assertEquals("centreLongitude: longitude must be a finite number, got NaN",
                assertThrows(InvalidZoneException.class, () -> new ZoneShape.Circle(51.5, Double.NaN, 10)).getMessage());
        assertEquals("radiusMetres: must be a finite number, got Infinity",
                assertThrows(InvalidZoneException.class, () -> new ZoneShape.Circle(51.5, 0, Double.POSITIVE_INFINITY)).getMessage());
    }
}
