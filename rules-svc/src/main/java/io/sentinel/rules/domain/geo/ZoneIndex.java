package io.sentinel.rules.domain.geo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The zones of one subject, compiled for evaluating every fix against all of them at once.
 *
 * <p>Immutable: a change of conditions builds a new index ({@link #with}, {@link #without}) that
 * reuses the unchanged compiled zones, and the holder swaps the reference atomically
 * (copy-on-write), so readers never lock and never see a half-applied change. Slots are stable
 * within one instance: {@link #slotOf} maps a zone id to its position in evaluation output.
 *
 * <p>Per fix: envelopes are tested from flat arrays; only zones whose envelope (grown by the
 * accuracy radius) holds the fix run the point-in-polygon test and, when the fix has an accuracy
 * radius, the boundary-distance test. {@link #evaluateInto} allocates nothing.
 *
 * <p>Accuracy semantics: INSIDE and OUTSIDE are promised for the whole disc of
 * {@code accuracyMetres} around the fix, after growing the radius by the distance model's error
 * bound ({@link Wgs84#localModelError}: 10 cm at 1 km, 10 m at 10 km in London, where the
 * observed error is 4 cm and 4 m). A radius of 0 is a
 * point test and agrees exactly with JTS {@code covers}, boundary counted as inside. Radii above
 * {@link #MODEL_LIMIT_METRES} (and fixes beyond 85 degrees of latitude) only get OUTSIDE for zones
 * that exact distance bounds rule out; everything else is UNCERTAIN. Zones must not cross the
 * antimeridian (RFC 7946 asks for such zones to be split), and discs around polygons are not
 * wrapped across it.
 */
public final class ZoneIndex {

    /** Largest accuracy radius measured with the local distance model. */
    public static final double MODEL_LIMIT_METRES = 10_000;
    private static final double MODEL_LIMIT_LATITUDE = 85;
    private static final double RAD = Math.PI / 180;
    /** Grows degree radii by a hair so rounding can never drop an edge the metric test keeps. */
    private static final double WIDEN = 1 + 1e-9;
    private static final double WIDEN_DEGREES = 1e-12;

    private static final ZoneIndex EMPTY = new ZoneIndex(new String[0], new PreparedZone[0]);

    private final String[] ids;
    private final PreparedZone[] zones;
    /** Per slot, exactly one of polygons[i] and circles[i] is set. */
    private final IndexedPolygonZone[] polygons;
    private final CircleZone[] circles;
    /** Polygon envelopes as minX, maxX, minY, maxY per slot (unused for circles). */
    private final double[] env;
    private final boolean hasCircles;

    private ZoneIndex(String[] ids, PreparedZone[] zones) {
        this.ids = ids;
        this.zones = zones;
        int n = zones.length;
        polygons = new IndexedPolygonZone[n];
        circles = new CircleZone[n];
        env = new double[4 * n];
        boolean anyCircle = false;
        for (int i = 0; i < n; i++) {
            if (zones[i] instanceof IndexedPolygonZone p) {
                polygons[i] = p;
                env[4 * i] = p.minX;
                env[4 * i + 1] = p.maxX;
                env[4 * i + 2] = p.minY;
                env[4 * i + 3] = p.maxY;
            } else {
                circles[i] = (CircleZone) zones[i];
                anyCircle = true;
            }
        }
        hasCircles = anyCircle;
    }

    public static ZoneIndex empty() {
        return EMPTY;
    }

    static ZoneIndex single(PreparedZone zone) {
        return new ZoneIndex(new String[] {"zone"}, new PreparedZone[] {zone});
    }

    /** An index over the given zones, in iteration order; ids must be distinct and non-blank. */
    public static ZoneIndex of(java.util.Map<String, PreparedZone> zonesById) {
        ZoneIndex index = EMPTY;
        for (var e : zonesById.entrySet()) {
            index = index.with(e.getKey(), e.getValue());
        }
        return index;
    }

    /** A copy with {@code zone} under {@code zoneId}, replacing the zone of that id in its slot if present. */
    public ZoneIndex with(String zoneId, PreparedZone zone) {
        Objects.requireNonNull(zone, "zone");
        if (zoneId == null || zoneId.isBlank()) {
            throw new IllegalArgumentException("zoneId must not be blank");
        }
        int slot = slotOf(zoneId);
        if (slot >= 0) {
            PreparedZone[] z = zones.clone();
            z[slot] = zone;
            return new ZoneIndex(ids, z);
        }
        String[] i = Arrays.copyOf(ids, ids.length + 1);
        PreparedZone[] z = Arrays.copyOf(zones, zones.length + 1);
        i[ids.length] = zoneId;
        z[zones.length] = zone;
        return new ZoneIndex(i, z);
    }

    /** A copy without the zone of that id (this index itself if there is none); later slots move down. */
    public ZoneIndex without(String zoneId) {
        int slot = slotOf(zoneId);
        if (slot < 0) {
            return this;
        }
        List<String> i = new ArrayList<>(Arrays.asList(ids));
        List<PreparedZone> z = new ArrayList<>(Arrays.asList(zones));
        i.remove(slot);
        z.remove(slot);
        return new ZoneIndex(i.toArray(new String[0]), z.toArray(new PreparedZone[0]));
    }

    public int size() {
        return zones.length;
    }

    /** Zone ids in slot order. */
    public List<String> zoneIds() {
        return Collections.unmodifiableList(Arrays.asList(ids));
    }

    /** Slot of a zone id, or -1. */
    public int slotOf(String zoneId) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].equals(zoneId)) {
                return i;
            }
        }
        return -1;
    }

    public PreparedZone zone(int slot) {
        return zones[slot];
    }

    /** Classifies a fix against every zone; element i answers for slot i. */
    public Containment[] evaluate(double latitude, double longitude, double accuracyMetres) {
        Containment[] out = new Containment[zones.length];
        evaluateInto(latitude, longitude, accuracyMetres, out);
        return out;
    }

    /**
     * Classifies a fix against every zone into {@code out[0..size()-1]} without allocating.
     *
     * @throws IllegalArgumentException if a coordinate is out of range or the accuracy is negative or not finite
     */
    public void evaluateInto(double latitude, double longitude, double accuracyMetres, Containment[] out) {
        GeoChecks.fix(latitude, longitude, accuracyMetres);
        if (out.length < zones.length) {
            throw new IllegalArgumentException("out has " + out.length + " elements, index has " + zones.length + " zones");
        }
        double r = accuracyMetres;
        boolean modelled = r <= MODEL_LIMIT_METRES && Math.abs(latitude) <= MODEL_LIMIT_LATITUDE;
        double sin = 0;
        double cos = 0;
        if (hasCircles || r > 0) {
            sin = Math.sin(latitude * RAD);
            cos = Math.cos(latitude * RAD);
        }
        if (r == 0) {
            for (int i = 0; i < zones.length; i++) {
                IndexedPolygonZone p = polygons[i];
                if (p == null) {
                    out[i] = circles[i].classify(latitude, longitude, 0, sin, cos, true);
                } else if (longitude < env[4 * i] || longitude > env[4 * i + 1]
                        || latitude < env[4 * i + 2] || latitude > env[4 * i + 3]) {
                    out[i] = Containment.OUTSIDE;
                } else {
                    out[i] = p.locate(longitude, latitude) == IndexedPolygonZone.EXTERIOR
                            ? Containment.OUTSIDE : Containment.INSIDE;
                }
            }
            return;
        }
        double rLat;
        double rLon;
        double kx = 0;
        double ky = 0;
        double r2 = 0;
        if (modelled) {
            kx = Wgs84.metresPerDegreeLongitude(sin, cos);
            ky = Wgs84.metresPerDegreeLatitudeAtSine(sin);
            double rEff = r + Wgs84.localModelError(r, Math.abs(sin / cos));
            r2 = rEff * rEff;
            rLat = rEff / ky * WIDEN + WIDEN_DEGREES;
            rLon = rEff / kx * WIDEN + WIDEN_DEGREES;
        } else {
            // Exact bounds (see CircleZone#farOutside): a boundary point outside this box is farther than r.
            rLat = r / Wgs84.MIN_METRES_PER_DEGREE_LATITUDE * WIDEN;
            double poleward = Math.abs(latitude) + rLat;
            rLon = poleward >= 90 ? Double.POSITIVE_INFINITY : r / Wgs84.metresPerDegreeLongitude(poleward) * WIDEN;
        }
        for (int i = 0; i < zones.length; i++) {
            IndexedPolygonZone p = polygons[i];
            if (p == null) {
                out[i] = circles[i].classify(latitude, longitude, r, sin, cos, modelled);
                continue;
            }
            double x0 = env[4 * i];
            double x1 = env[4 * i + 1];
            double y0 = env[4 * i + 2];
            double y1 = env[4 * i + 3];
            if (longitude < x0 - rLon || longitude > x1 + rLon || latitude < y0 - rLat || latitude > y1 + rLat) {
                out[i] = Containment.OUTSIDE;
                continue;
            }
            if (!modelled) {
                out[i] = Containment.UNCERTAIN;
                continue;
            }
            boolean inEnvelope = longitude >= x0 && longitude <= x1 && latitude >= y0 && latitude <= y1;
            int where = inEnvelope ? p.locate(longitude, latitude) : IndexedPolygonZone.EXTERIOR;
            if (where == IndexedPolygonZone.BOUNDARY || p.boundaryWithin(longitude, latitude, rLon, rLat, kx, ky, r2)) {
                out[i] = Containment.UNCERTAIN;
            } else {
                out[i] = where == IndexedPolygonZone.INTERIOR ? Containment.INSIDE : Containment.OUTSIDE;
            }
        }
    }

    /** Classifies a fix against one zone by id. */
    public Containment evaluate(String zoneId, double latitude, double longitude, double accuracyMetres) {
        int slot = slotOf(zoneId);
        if (slot < 0) {
            throw new IllegalArgumentException("no zone with id '" + zoneId + "'");
        }
        return zones[slot].classify(latitude, longitude, accuracyMetres);
    }

    /** Total number of positions over all polygonal zones (circles count 0), for limits and metrics. */
    public int vertexCount() {
        int n = 0;
        for (PreparedZone z : zones) {
            if (z.shape() instanceof ZoneShape.Polygonal p) {
                n += p.vertexCount();
            }
        }
        return n;
    }
}
