package io.sentinel.rules.domain.geo;

import java.util.Objects;

import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

/** The validated shape of a zone: a polygonal area in lon/lat or a circle measured in metres. */
public sealed interface ZoneShape permits ZoneShape.Polygonal, ZoneShape.Circle {

    /** Largest circle radius accepted; keeps the circle distance model's error within about 2 cm. */
    double MAX_CIRCLE_RADIUS_METRES = 20_000;

    /**
     * A valid Polygon or MultiPolygon with x = longitude and y = latitude (RFC 7946 axis order); its
     * edges are straight lines in lon/lat, as RFC 7946 defines them. Build it with
     * {@link GeoJsonZoneReader}, which checks validity.
     */
    record Polygonal(Geometry geometry) implements ZoneShape {
        public Polygonal {
            Objects.requireNonNull(geometry, "geometry");
            if (!(geometry instanceof Polygon || geometry instanceof MultiPolygon)) {
                throw new InvalidZoneException("type", "must be Polygon or MultiPolygon, got "
                        + geometry.getGeometryType());
            }
        }

        /** Number of positions, counting each ring's closing position. */
        public int vertexCount() {
            return geometry.getNumPoints();
        }
    }

    /** A disc of {@code radiusMetres} (geodesic distance) around a centre. */
    record Circle(double centreLatitude, double centreLongitude, double radiusMetres) implements ZoneShape {
        public Circle {
            GeoChecks.latitude("centreLatitude", centreLatitude);
            GeoChecks.longitude("centreLongitude", centreLongitude);
            if (!Double.isFinite(radiusMetres)) {
                throw new InvalidZoneException("radiusMetres", "must be a finite number, got " + radiusMetres);
            }
            if (radiusMetres <= 0 || radiusMetres > MAX_CIRCLE_RADIUS_METRES) {
                throw new InvalidZoneException("radiusMetres", radiusMetres + " out of range (0, "
                        + (long) MAX_CIRCLE_RADIUS_METRES + "]");
            }
        }
    }
}
