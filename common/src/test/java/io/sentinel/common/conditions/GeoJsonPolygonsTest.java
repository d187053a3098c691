package io.sentinel.common.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

import io.sentinel.common.error.SentinelException;

class GeoJsonPolygonsTest {
    static final String SQUARE = "[[-0.1,51.5],[-0.09,51.5],[-0.09,51.51],[-0.1,51.51],[-0.1,51.5]]";
    static final String HOLE = "[[-0.097,51.503],[-0.093,51.503],[-0.093,51.507],[-0.097,51.507],[-0.097,51.503]]";

    static org.locationtech.jts.geom.Geometry read(String json) {
        return GeoJsonPolygons.scan(json, GeoJsonPolygons.Allowance.forOrder()).build();
    }

    static String refused(String json) {
        return catchThrowableOfType(SentinelException.class, () -> read(json)).describe();
    }

    @Test
    void readsPolygonsWithHolesAndMultiPolygonsWithForeignMembersAndAltitude() {
        Polygon p = (Polygon) read("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "," + HOLE + "]}");
        assertThat(p.getNumInteriorRing()).isEqualTo(1);
        String far = "[[0.1,51.5,12.0],[0.11,51.5,12.0],[0.11,51.51,12.0],[0.1,51.5,12.0]]";
        MultiPolygon mp = (MultiPolygon) read("{\"bbox\":[0,0,1,1],\"properties\":{\"a\":[[1]]},\"coordinates\":[[" + SQUARE + "],[" + far
                + "]],\"type\":\"MultiPolygon\"}");
        assertThat(mp.getNumGeometries()).isEqualTo(2);
    }

    @Test
    void refusesWrongNestingForTheDeclaredType() {
        assertThat(refused("{\"type\":\"Polygon\",\"coordinates\":[[" + SQUARE + "]]}"))
                .isEqualTo("coordinates[0][0]: must be a position [longitude, latitude], got an array of arrays (nested one level too deep)");
        assertThat(refused("{\"type\":\"MultiPolygon\",\"coordinates\":[" + SQUARE + "]}"))
                .isEqualTo("coordinates[0][0]: must be an array of positions (a ring), got a single position");
        assertThat(refused("{\"type\":\"Polygon\",\"coordinates\":[1,2]}")).isEqualTo("coordinates: must be an array of rings, got a position");
        assertThat(refused("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[[0,0]]]]]}"))
                .isEqualTo("coordinates[0][0][0][0]: coordinates nest deeper than a MultiPolygon's");
        assertThat(refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],5]]}"))
                .isEqualTo("coordinates[0][1]: must be an array (a ring or position), got 5");
    }

    @Test
    void refusesMalformedJsonNaNAndTrailingContent() {
        assertThat(refused("{\"type\":\"Polygon\",\"coordinates\":[[[NaN,0]]]}")).startsWith("$: malformed JSON at line 1");
        assertThat(refused("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "]} {}")).isEqualTo("$: malformed JSON: content after the geometry object");
        assertThat(refused("{\"type\":\"Polygon\",\"type\":\"Polygon\"}")).contains("Duplicate field 'type'");
    }

    @Test
    void countsPositionsAsTheyArriveAgainstTheOrderAllowanceToo() {
        GeoJsonPolygons.Allowance small = new GeoJsonPolygons.Allowance(10_000, 7);
        String json = "{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "]}";
        assertThat(GeoJsonPolygons.scan(json, small).vertices()).isEqualTo(5);
        SentinelException e = catchThrowableOfType(SentinelException.class, () -> GeoJsonPolygons.scan(json, small));
        assertThat(e.describe()).isEqualTo("coordinates: the order's zones have more than 7 vertices in all");
    }

    @Test
    void refusesTopologyNamingTheRing() {
        assertThat(refused("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"))
                .isEqualTo("coordinates[0]: ring self-intersects at [0.5, 0.5]");
        String outside = "[[0.2,51.6],[0.21,51.6],[0.21,51.61],[0.2,51.6]]";
        assertThat(refused("{\"type\":\"Polygon\",\"coordinates\":[" + SQUARE + "," + outside + "]}"))
                .isEqualTo("coordinates[1]: hole lies outside the exterior ring");
        assertThat(refused("{\"type\":\"Polygon\",\"coordinates\":[[[-0.1,51.5],[-0.09,51.5],[-0.09,51.51],[-0.1,51.51]]]}"))
                .isEqualTo("coordinates[0]: ring is not closed: first position [-0.1, 51.5] differs from last [-0.1, 51.51]");
    }
}
