package io.sentinel.rules.domain.geo;

/**
 * A zone compiled for fast, allocation-free classification of fixes; immutable, thread-safe and
 * shareable between subjects that use the same zone.
 */
public abstract sealed class PreparedZone permits IndexedPolygonZone, CircleZone {

    PreparedZone() {
    }

    /** Compiles a validated shape. */
    public static PreparedZone of(ZoneShape shape) {
        if (shape instanceof ZoneShape.Polygonal polygonal) {
            return new IndexedPolygonZone(polygonal);
        }
        return new CircleZone((ZoneShape.Circle) shape);
    }

    /** The shape this zone was compiled from. */
    public abstract ZoneShape shape();

    /**
     * Classifies one fix against this zone alone; for many zones use {@link ZoneIndex}, which shares
     * the per-fix work.
     */
    public Containment classify(double latitude, double longitude, double accuracyMetres) {
        return ZoneIndex.single(this).evaluate(latitude, longitude, accuracyMetres)[0];
    }
}
