package io.sentinel.location.domain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccuracyTest {

    @Test
    void prefersReportedAccuracy() {
        assertEquals(12.5, Accuracy.derive(12.5, 3.0));
    }

    @Test
    void derivesFromHdopWhenAccuracyIsMissingOrZero() {
        assertEquals(6.0, Accuracy.derive(null, 1.2), 1e-12);
        assertEquals(6.0, Accuracy.derive(0.0, 1.2), 1e-12);
        assertEquals(6.0, Accuracy.derive(-1.0, 1.2), 1e-12);
    }

    @Test
    void fallsBackToTheUnknownAssumption() {
        assertEquals(Accuracy.UNKNOWN_METRES, Accuracy.derive(null, null));
        assertEquals(Accuracy.UNKNOWN_METRES, Accuracy.derive(null, 0.0));
    }

    @Test
    void passesNaNThroughForTheValidatorToReject() {
        assertTrue(Double.isNaN(Accuracy.derive(Double.NaN, 1.0)));
    }
}
