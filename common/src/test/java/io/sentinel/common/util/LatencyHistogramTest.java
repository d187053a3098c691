package io.sentinel.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentilesLandInTheBucketOfTheRankedSample() {
        LatencyHistogram h = new LatencyHistogram();
        for (int ms = 1; ms <= 100; ms++) {
            h.record(ms * 1_000_000L - 1);
        }
        assertEquals(100, h.count());
        assertEquals(50.0, h.percentileMillis(0.50), 1e-9);
        assertEquals(99.0, h.percentileMillis(0.99), 1e-9);
    }

    @Test
    void samplesBeyondTenSecondsCountInTheOverflowBucket() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(60_000_000_000L);
        assertEquals(10_000.1, h.percentileMillis(1.0), 1e-6);
    }

    @Test
    void resetEmptiesIt() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(5);
        h.reset();
        assertEquals(0, h.count());
        assertTrue(Double.isNaN(h.percentileMillis(0.5)));
    }
}
