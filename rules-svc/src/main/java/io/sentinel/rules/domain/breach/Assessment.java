package io.sentinel.rules.domain.breach;

/** What one observation says about a condition. */
public enum Assessment {
    /** The condition is certainly broken (e.g. the whole accuracy disc is outside an inclusion zone). */
    BREACHED,
    /** The condition is certainly met. */
    SATISFIED,
    /** The observation cannot tell. */
    UNCERTAIN
}
