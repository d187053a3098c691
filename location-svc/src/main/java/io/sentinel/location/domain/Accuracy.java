package io.sentinel.location.domain;

/**
 * How a fix's horizontal accuracy radius is derived when a protocol does not report one.
 *
 * <p>Order: a positive reported accuracy wins; otherwise HDOP × {@link #UERE_METRES}; otherwise
 * {@link #UNKNOWN_METRES}. A reported accuracy of zero or below means "unknown" in the wild
 * (Traccar Client and the BackgroundGeolocation plugin send -1, OwnTracks omits zero, and 149 of
 * the 1,327 Posmo fixes in the shared trackintel sample carry 0.0), so it is treated as missing.
 * NaN is passed through so that {@link FixValidator} rejects it by name.
 */
public final class Accuracy {

    /**
     * User-equivalent range error used to turn HDOP into metres. Accuracy ≈ HDOP × UERE is a
     * textbook approximation (1-sigma-ish for a stand-alone civil GPS receiver, whose UERE is
     * commonly quoted as 4–6 m); it ignores multipath and is not a guarantee.
     */
    public static final double UERE_METRES = 5.0;

    /**
     * Assumed accuracy of a fix that reports neither accuracy nor HDOP: HDOP 10 × UERE, the upper
     * edge of the "moderate" DOP rating. It stays under the default low-accuracy threshold (a
     * valid GNSS fix is not presumed bad) yet is wide enough that jump detection does not flag
     * ordinary noise between such fixes.
     */
    public static final double UNKNOWN_METRES = 50.0;

    private Accuracy() {
    }

    /** Accuracy in metres from what the protocol reported; either argument may be null. */
    public static double derive(Double reportedMetres, Double hdop) {
        if (reportedMetres != null && (reportedMetres.isNaN() || reportedMetres > 0)) {
            return reportedMetres;
        }
        return fromHdop(hdop);
    }

    /** HDOP × UERE, or {@link #UNKNOWN_METRES} when HDOP is missing or not positive (0 means unknown). */
    public static double fromHdop(Double hdop) {
        if (hdop != null && (hdop.isNaN() || hdop > 0)) {
            return hdop * UERE_METRES;
        }
        return UNKNOWN_METRES;
    }
}
