package io.sentinel.rules.domain.geo;

import org.locationtech.jts.algorithm.CGAlgorithmsDD;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;

/**
 * A polygonal zone whose edges are bucketed into horizontal bands, so that a point-in-polygon test
 * and a "boundary within r metres" test only look at the few edges near the fix; in front of that,
 * a grid of cells knows which cells no edge touches (wholly inside or wholly outside), which answers
 * most fixes without looking at any edge.
 *
 * <p>The point-in-polygon test is JTS's {@code RayCrossingCounter} applied to flat arrays, with the
 * same robust orientation predicate, so its answers (boundary included) match
 * {@code Geometry.covers} on the same valid geometry exactly. Every edge whose y-extent contains
 * the fix's latitude is in the fix's band, which is what the ray-crossing rule needs.
 */
final class IndexedPolygonZone extends PreparedZone {

    static final int EXTERIOR = 0;
    static final int INTERIOR = 1;
    static final int BOUNDARY = 2;

    private static final int MAX_BANDS = 4096;
    private static final int MAX_CELLS = 16_384;
    private static final byte CELL_OUTSIDE = 0;
    private static final byte CELL_INSIDE = 1;
    private static final byte CELL_MIXED = 2;

    private final ZoneShape.Polygonal shape;
    final double minX;
    final double maxX;
    final double minY;
    final double maxY;
    /** Edge i occupies seg[4i..4i+3] as x1, y1, x2, y2, with (p1, p2) = (ring[k], ring[k-1]) as in JTS. */
    private final double[] seg;
    private final int bands;
    private final double bandScale;
    private final int[] bandStart;
    private final int[] bandEdges;
    private final int gx;
    private final int gy;
    /** Cells per degree. */
    private final double sx;
    private final double sy;
    private final byte[] cells;
    /** 2D prefix sums of mixed cells, (gx + 1) x (gy + 1), for O(1) "any edge in this cell range?". */
    private final int[] mixedPrefix;

    IndexedPolygonZone(ZoneShape.Polygonal shape) {
        this.shape = shape;
        Geometry g = shape.geometry();
        Envelope env = g.getEnvelopeInternal();
        minX = env.getMinX();
        maxX = env.getMaxX();
        minY = env.getMinY();
        maxY = env.getMaxY();

        int edges = 0;
        for (int p = 0; p < g.getNumGeometries(); p++) {
            Polygon poly = (Polygon) g.getGeometryN(p);
            edges += poly.getExteriorRing().getNumPoints() - 1;
            for (int h = 0; h < poly.getNumInteriorRing(); h++) {
                edges += poly.getInteriorRingN(h).getNumPoints() - 1;
            }
        }
        seg = new double[edges * 4];
        int[] at = {0};
        for (int p = 0; p < g.getNumGeometries(); p++) {
            Polygon poly = (Polygon) g.getGeometryN(p);
            addRing(poly.getExteriorRing(), at);
            for (int h = 0; h < poly.getNumInteriorRing(); h++) {
                addRing(poly.getInteriorRingN(h), at);
            }
        }

        // About two edge entries per band on a smooth boundary keeps both tests to a handful of edges.
        bands = Math.max(1, Math.min(MAX_BANDS, edges / 2));
        bandScale = maxY > minY ? bands / (maxY - minY) : 0;
        bandStart = new int[bands + 1];
        for (int e = 0; e < edges; e++) {
            int b0 = band(Math.min(seg[4 * e + 1], seg[4 * e + 3]));
            int b1 = band(Math.max(seg[4 * e + 1], seg[4 * e + 3]));
            for (int b = b0; b <= b1; b++) {
                bandStart[b + 1]++;
            }
        }
        for (int b = 0; b < bands; b++) {
            bandStart[b + 1] += bandStart[b];
        }
        bandEdges = new int[bandStart[bands]];
        int[] fill = bandStart.clone();
        for (int e = 0; e < edges; e++) {
            int b0 = band(Math.min(seg[4 * e + 1], seg[4 * e + 3]));
            int b1 = band(Math.max(seg[4 * e + 1], seg[4 * e + 3]));
            for (int b = b0; b <= b1; b++) {
                bandEdges[fill[b]++] = e;
            }
        }

        // Roughly square cells in metres, about four per edge.
        double width = maxX - minX;
        double height = maxY - minY;
        double aspect = width * Wgs84.metresPerDegreeLongitude((minY + maxY) / 2)
                / Math.max(height * Wgs84.metresPerDegreeLatitude((minY + maxY) / 2), 1e-9);
        int target = Math.max(16, Math.min(MAX_CELLS, 4 * edges));
        gx = (int) Math.max(1, Math.min(1024, Math.round(Math.sqrt(target * aspect))));
        gy = (int) Math.max(1, Math.min(1024, Math.round((double) target / gx)));
        sx = width > 0 ? gx / width : 0;
        sy = height > 0 ? gy / height : 0;
        cells = new byte[gx * gy];
        markMixedCells(edges);
        for (int cy = 0; cy < gy; cy++) {
            for (int cx = 0; cx < gx; cx++) {
                int c = cy * gx + cx;
                if (cells[c] == CELL_MIXED) {
                    continue;
                }
                // No edge touches the cell: its centre's location is the whole cell's.
                int where = locateByBands(minX + (cx + 0.5) / sx, minY + (cy + 0.5) / sy);
                cells[c] = where == INTERIOR ? CELL_INSIDE : where == EXTERIOR ? CELL_OUTSIDE : CELL_MIXED;
            }
        }
        mixedPrefix = new int[(gx + 1) * (gy + 1)];
        for (int cy = 0; cy < gy; cy++) {
            for (int cx = 0; cx < gx; cx++) {
                mixedPrefix[(cy + 1) * (gx + 1) + cx + 1] = (cells[cy * gx + cx] == CELL_MIXED ? 1 : 0)
                        + mixedPrefix[cy * (gx + 1) + cx + 1] + mixedPrefix[(cy + 1) * (gx + 1) + cx]
                        - mixedPrefix[cy * (gx + 1) + cx];
            }
        }
    }

    /**
     * Marks every cell an edge may touch. Each edge is cut into pieces shorter than half a cell and
     * each piece marks the cells its bounding box, grown by a millionth of a cell, overlaps: this
     * over-marks slightly, which only costs speed, and it absorbs the rounding of cell lookups.
     */
    private void markMixedCells(int edges) {
        double epsX = sx > 0 ? 1e-6 / sx : 0;
        double epsY = sy > 0 ? 1e-6 / sy : 0;
        for (int e = 0; e < edges; e++) {
            double x1 = seg[4 * e];
            double y1 = seg[4 * e + 1];
            double x2 = seg[4 * e + 2];
            double y2 = seg[4 * e + 3];
            int pieces = 1 + (int) Math.ceil(2 * Math.max(Math.abs(x2 - x1) * sx, Math.abs(y2 - y1) * sy));
            double ax = x1;
            double ay = y1;
            for (int k = 1; k <= pieces; k++) {
                double bx = k == pieces ? x2 : x1 + (x2 - x1) * k / pieces;
                double by = k == pieces ? y2 : y1 + (y2 - y1) * k / pieces;
                int cx0 = cellX(Math.min(ax, bx) - epsX);
                int cx1 = cellX(Math.max(ax, bx) + epsX);
                int cy0 = cellY(Math.min(ay, by) - epsY);
                int cy1 = cellY(Math.max(ay, by) + epsY);
                for (int cy = cy0; cy <= cy1; cy++) {
                    for (int cx = cx0; cx <= cx1; cx++) {
                        cells[cy * gx + cx] = CELL_MIXED;
                    }
                }
                ax = bx;
                ay = by;
            }
        }
    }

    private int cellX(double x) {
        int c = (int) ((x - minX) * sx);
        return c < 0 ? 0 : (c >= gx ? gx - 1 : c);
    }

    private int cellY(double y) {
        int c = (int) ((y - minY) * sy);
        return c < 0 ? 0 : (c >= gy ? gy - 1 : c);
    }

    /** Whether any mixed cell lies in the inclusive cell range. */
    private boolean anyMixed(int cx0, int cy0, int cx1, int cy1) {
        int w = gx + 1;
        return mixedPrefix[(cy1 + 1) * w + cx1 + 1] - mixedPrefix[cy0 * w + cx1 + 1]
                - mixedPrefix[(cy1 + 1) * w + cx0] + mixedPrefix[cy0 * w + cx0] != 0;
    }

    private void addRing(LineString ring, int[] at) {
        Coordinate[] cs = ring.getCoordinates();
        for (int k = 1; k < cs.length; k++) {
            int i = 4 * at[0]++;
            seg[i] = cs[k].x;
            seg[i + 1] = cs[k].y;
            seg[i + 2] = cs[k - 1].x;
            seg[i + 3] = cs[k - 1].y;
        }
    }

    @Override
    public ZoneShape.Polygonal shape() {
        return shape;
    }

    int edgeCount() {
        return seg.length / 4;
    }

    /** Monotone in y, so an edge spanning [y0, y1] is in every band that any y in [y0, y1] maps to. */
    private int band(double y) {
        int b = (int) ((y - minY) * bandScale);
        return b < 0 ? 0 : (b >= bands ? bands - 1 : b);
    }

    /** Location of a point in lon/lat: EXTERIOR, INTERIOR or BOUNDARY. */
    int locate(double px, double py) {
        byte c = cells[cellY(py) * gx + cellX(px)];
        if (c == CELL_INSIDE) {
            return INTERIOR;
        }
        if (c == CELL_OUTSIDE) {
            return EXTERIOR;
        }
        return locateByBands(px, py);
    }

    private int locateByBands(double px, double py) {
        int b = band(py);
        int crossings = 0;
        for (int k = bandStart[b], end = bandStart[b + 1]; k < end; k++) {
            int i = bandEdges[k] << 2;
            double x1 = seg[i];
            double y1 = seg[i + 1];
            double x2 = seg[i + 2];
            double y2 = seg[i + 3];
            if (x1 < px && x2 < px) {
                continue;
            }
            if (px == x2 && py == y2) {
                return BOUNDARY;
            }
            if (y1 == py && y2 == py) {
                double lo = Math.min(x1, x2);
                double hi = Math.max(x1, x2);
                if (px >= lo && px <= hi) {
                    return BOUNDARY;
                }
                continue;
            }
            if ((y1 > py && y2 <= py) || (y2 > py && y1 <= py)) {
                int orient = CGAlgorithmsDD.orientationIndex(x1, y1, x2, y2, px, py);
                if (orient == 0) {
                    return BOUNDARY;
                }
                if (y2 < y1) {
                    orient = -orient;
                }
                if (orient > 0) {
                    crossings++;
                }
            }
        }
        return (crossings & 1) == 1 ? INTERIOR : EXTERIOR;
    }

    /**
     * Whether some boundary point is within {@code sqrt(r2)} metres of the fix, measuring in the
     * fix's local frame ({@code kx}, {@code ky} metres per degree); {@code rLon}, {@code rLat} are
     * that radius in degrees. Bands are scanned outward from the fix's band so that a near boundary
     * ends the search early.
     */
    boolean boundaryWithin(double px, double py, double rLon, double rLat, double kx, double ky, double r2) {
        if (!anyMixed(cellX(px - rLon), cellY(py - rLat), cellX(px + rLon), cellY(py + rLat))) {
            return false;
        }
        int lowest = band(py - rLat);
        int highest = band(py + rLat);
        int centre = band(py);
        double qx0 = px - rLon;
        double qx1 = px + rLon;
        double qy0 = py - rLat;
        double qy1 = py + rLat;
        for (int step = 0; ; step++) {
            int below = centre - step;
            int above = centre + step;
            boolean more = false;
            if (below >= lowest) {
                more = true;
                if (bandWithin(below, px, py, qx0, qx1, qy0, qy1, kx, ky, r2)) {
                    return true;
                }
            }
            if (step > 0 && above <= highest) {
                more = true;
                if (bandWithin(above, px, py, qx0, qx1, qy0, qy1, kx, ky, r2)) {
                    return true;
                }
            }
            if (!more) {
                return false;
            }
        }
    }

    private boolean bandWithin(int b, double px, double py, double qx0, double qx1, double qy0, double qy1,
                               double kx, double ky, double r2) {
        for (int k = bandStart[b], end = bandStart[b + 1]; k < end; k++) {
            int i = bandEdges[k] << 2;
            double x1 = seg[i];
            double y1 = seg[i + 1];
            double x2 = seg[i + 2];
            double y2 = seg[i + 3];
            if ((x1 < qx0 && x2 < qx0) || (x1 > qx1 && x2 > qx1) || (y1 < qy0 && y2 < qy0) || (y1 > qy1 && y2 > qy1)) {
                continue;
            }
            double ax = (x1 - px) * kx;
            double ay = (y1 - py) * ky;
            double dx = (x2 - px) * kx - ax;
            double dy = (y2 - py) * ky - ay;
            double len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
            if (t < 0) {
                t = 0;
            } else if (t > 1) {
                t = 1;
            }
            double cx = ax + t * dx;
            double cy = ay + t * dy;
            if (cx * cx + cy * cy <= r2) {
                return true;
            }
        }
        return false;
    }
}
