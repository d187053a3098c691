package io.sentinel.rules.domain.geo;

/** Where a fix's accuracy disc lies relative to a zone (the zone includes its boundary). */
public enum Containment {
    /** The whole accuracy disc lies in the zone. */
    INSIDE,
    /** The whole accuracy disc lies outside the zone. */
    OUTSIDE,
    /** The disc straddles the boundary, or the fix is too imprecise to tell. */
    UNCERTAIN
}
