package io.sentinel.common.conditions;

/**
 * How much one order's conditions may hold. The same numbers bind enrollment-svc (which refuses up
 * front) and rules-svc (which compiles the zones into memory and evaluates every fix against them),
 * and the proto comments of {@code sentinel.common.v1.Zone}/{@code Curfew} and
 * {@code sentinel.enrollment.v1.Conditions} state them.
 *
 * <p>Chosen against real boundaries: the 33 London boroughs (GLA 2011, full resolution) have 48,548
 * vertices in all, the largest (Bromley) 3,593 in 145 KB of GeoJSON; the 296 English districts at
 * generalised resolution have at most 430. So one zone may be a detailed borough with room to spare,
 * and one order may hold every London borough as its own zone; beyond that an order is not a
 * condition a person can know and keep. Curfews are bounded by what rules-svc evaluates per subject
 * (zones other than HOME plus curfews, at most 64).
 */
public final class ConditionLimits {
    /** Zones per order (inclusion, exclusion, at most one home). */
    public static final int MAX_ZONES = 56;
    /** Curfews per order; with {@link #MAX_ZONES}, at most 64 conditions for rules-svc to track. */
    public static final int MAX_CURFEWS = 8;
    /** Positions of one zone's GeoJSON, every ring's closing position included. */
    public static final int MAX_VERTICES_PER_ZONE = 10_000;
    /** Positions of all of an order's GeoJSON zones together. */
    public static final int MAX_VERTICES_PER_ORDER = 50_000;
    /** Characters of one zone's GeoJSON text: about 2.5 times a 10,000-vertex zone written compactly. */
    public static final int MAX_GEOJSON_CHARS = 1_048_576;
    /** Nesting of GeoJSON coordinate arrays: a MultiPolygon's positions sit four arrays deep. */
    public static final int MAX_COORDINATE_DEPTH = 4;
    /** Weekly windows per curfew. */
    public static final int MAX_WINDOWS_PER_CURFEW = 50;
    /** One-off exceptions per curfew. */
    public static final int MAX_EXCEPTIONS_PER_CURFEW = 500;
    /** Circle radius bounds in metres; rules-svc's distance model keeps its error within about 2 cm up to 20 km. */
    public static final double MIN_CIRCLE_RADIUS_METRES = 1;
    public static final double MAX_CIRCLE_RADIUS_METRES = 20_000;
    /** Characters of a zone's name and of an exception's reason. */
    public static final int MAX_NAME_CHARS = 200;
    public static final int MAX_REASON_CHARS = 200;

    private ConditionLimits() {
    }
}
