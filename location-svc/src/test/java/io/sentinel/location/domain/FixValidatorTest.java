package io.sentinel.location.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixValidatorTest {

    private static final Instant RECEIVED = Instant.parse("2026-03-05T10:00:00Z");
    private final FixValidator validator = new FixValidator();

    private static FixReport fix(double lat, double lon) {
        return new FixReport("tag-42", RECEIVED.minusSeconds(30), RECEIVED, lat, lon, 8.0,
                1.2, 1.4, 270.0, 80, false, false);
    }

    private static FixReport at(Instant deviceTime) {
        return FixReport.of("tag-42", deviceTime, RECEIVED, 51.5, -0.12, 8.0);
    }

    private List<String> messages(FixReport fix) {
        return validator.validate(fix).violations().stream().map(Violation::message).toList();
    }

    @Test
    void acceptsAPlausibleFixWithoutFlags() {
        FixValidation result = validator.validate(fix(51.5007, -0.1246));
        assertTrue(result.accepted());
        assertEquals(Set.of(), result.flags());
    }

    @Test
    void rejectsFixWithLatitudeOutOfRange() {
        assertEquals(List.of("latitude must be within [-90, 90], got 91.5"), messages(fix(91.5, 0)));
    }

    @Test
    void rejectsFixWithLongitudeOutOfRange() {
        assertEquals(List.of("longitude must be within [-180, 180], got -180.0001"), messages(fix(0, -180.0001)));
    }

    @Test
    void acceptsTheExactCoordinateBounds() {
        assertTrue(validator.validate(fix(-90, 180)).accepted());
        assertTrue(validator.validate(fix(90, -180)).accepted());
    }

    @Test
    void rejectsNaNCoordinatesByName() {
        assertEquals(List.of("latitude is NaN", "longitude is NaN"), messages(fix(Double.NaN, Double.NaN)));
    }

    @Test
    void rejectsInfiniteLatitude() {
        assertEquals(List.of("latitude must be within [-90, 90], got Infinity"),
                messages(fix(Double.POSITIVE_INFINITY, 0)));
    }

    @Test
    void rejectsDeviceTimeTooFarInTheFuture() {
        assertEquals(List.of("device_time is 7 min in the future (max 5 min)"),
                messages(at(RECEIVED.plus(Duration.ofMinutes(7)))));
    }

    @Test
    void acceptsDeviceTimeExactlyAtTheFutureLimit() {
        assertTrue(validator.validate(at(RECEIVED.plus(Duration.ofMinutes(5)))).accepted());
    }

    @Test
    void showsTheExcessWhenItIsBelowTheDisplayedUnit() {
        assertEquals(List.of("device_time is 300.500 s in the future (max 5 min)"),
                messages(at(RECEIVED.plus(Duration.ofMillis(300_500)))));
    }

    @Test
    void rejectsDeviceTimeOlderThanTheWindow() {
        assertEquals(List.of("device_time is 8 d 2 h old (max 7 d)"),
                messages(at(RECEIVED.minus(Duration.ofDays(8).plusHours(2)))));
    }

    @Test
    void acceptsLateFixInsideTheWindow() {
        assertTrue(validator.validate(at(RECEIVED.minus(Duration.ofDays(6)))).accepted());
    }

    @Test
    void honoursAConfiguredWindow() {
        FixValidator strict = new FixValidator(new FixValidator.Config(Duration.ofSeconds(30), Duration.ofHours(1),
                10, 50));
        assertEquals("device_time is 45 s in the future (max 30 s)",
                strict.validate(at(RECEIVED.plusSeconds(45))).describe());
        assertEquals("device_time is 1 h 30 min old (max 1 h)",
                strict.validate(at(RECEIVED.minus(Duration.ofMinutes(90)))).describe());
    }

    @Test
    void rejectsMissingIdentityAndTimes() {
        FixReport fix = new FixReport(" ", null, null, 51.5, -0.12, 8, null, null, null, null, null, null);
        assertEquals(List.of("device_id is required", "received_at is required", "device_time is required"),
                messages(fix));
    }

    @Test
    void rejectsBadAccuracySpeedHeadingHdopAndBattery() {
        FixReport fix = new FixReport("tag-42", RECEIVED, RECEIVED, 51.5, -0.12, -1, -0.5, -2.0, 361.0, 101,
                null, null);
        assertEquals(List.of(
                "accuracy_metres must be a finite number > 0, got -1.0",
                "hdop must be a finite number >= 0, got -0.5",
                "speed_mps must be a finite number >= 0, got -2.0",
                "heading_degrees must be within [0, 360), got 361.0",
                "battery_percent must be within [0, 100], got 101"), messages(fix));
    }

    @Test
    void rejectsNaNAccuracy() {
        FixReport fix = FixReport.of("tag-42", RECEIVED, RECEIVED, 51.5, -0.12, Double.NaN);
        assertEquals(List.of("accuracy_metres is NaN"), messages(fix));
    }

    @Test
    void rejectsAZeroAccuracyRadiusAndAHeadingOf360AsTheContractStates() {
        assertEquals(List.of("accuracy_metres must be a finite number > 0, got 0.0"),
                messages(FixReport.of("tag-42", RECEIVED, RECEIVED, 51.5, -0.12, 0)));
        FixReport north = new FixReport("tag-42", RECEIVED, RECEIVED, 51.5, -0.12, 5, null, null, 360.0, null, null, null);
        assertEquals(List.of("heading_degrees must be within [0, 360), got 360.0"), messages(north));
        assertEquals(List.of(), messages(new FixReport("tag-42", RECEIVED, RECEIVED, 51.5, -0.12, 0.1, null, null, 359.99, null, null, null)));
        assertEquals(List.of(), messages(new FixReport("tag-42", RECEIVED, RECEIVED, 51.5, -0.12, 5, null, null, 0.0, null, null, null)));
    }

    @Test
    void reportsEveryViolationAtOnce() {
        FixReport fix = new FixReport("tag-42", RECEIVED.plus(Duration.ofHours(2)), RECEIVED, 95, 200, 8,
                null, null, null, null, null, null);
        FixValidation result = validator.validate(fix);
        assertFalse(result.accepted());
        assertEquals(List.of("device_time", "latitude", "longitude"),
                result.violations().stream().map(Violation::field).toList());
        assertEquals("device_time is 2 h in the future (max 5 min); latitude must be within [-90, 90], got 95.0; "
                + "longitude must be within [-180, 180], got 200.0", result.describe());
    }

    @Test
    void flagsLowAccuracyFixButKeepsIt() {
        FixValidation result = validator.validate(FixReport.of("tag-42", RECEIVED, RECEIVED, 51.5, -0.12, 697));
        assertTrue(result.accepted());
        assertEquals(Set.of(FixFlag.LOW_ACCURACY), result.flags());
    }

    @Test
    void doesNotFlagAccuracyAtTheThreshold() {
        assertEquals(Set.of(), validator.validate(FixReport.of("t", RECEIVED, RECEIVED, 0, 0, 100)).flags());
    }

    @Test
    void rejectsOversizedBatch() {
        assertEquals(Optional.of(new Violation("fixes", "batch has 1001 fixes (max 1000)")),
                validator.checkBatchSize(1001));
        assertEquals(Optional.empty(), validator.checkBatchSize(1000));
    }

    @Test
    void wordsDeviceLookupFailuresForTheCaller() {
        assertEquals("device_id 'tag-9' is not a registered device", Violation.unknownDevice("tag-9").message());
        assertEquals("device_id 'tag-9' is not assigned to an active order (the device is registered, but no assignment is in force"
                + " here: not assigned, or its assignment has not reached location-svc yet)", Violation.unassignedDevice("tag-9").message());
        io.sentinel.common.window.OrderWindow w = new io.sentinel.common.window.OrderWindow(java.time.Instant.parse("2027-01-01T00:00:00Z"),
                java.time.Instant.parse("2027-02-01T00:00:00Z"));
        Violation early = Violation.outsideWindow("tag-9", w, java.time.Instant.parse("2026-12-31T23:59:59Z"));
        assertEquals("device tag-9: device_time 2026-12-31T23:59:59Z is before the order's window [2027-01-01T00:00:00Z, 2027-02-01T00:00:00Z)"
                + " opens; a fix outside its order's window is not stored", early.message());
        assertEquals(io.sentinel.common.error.SentinelException.Kind.OUT_OF_RANGE, early.kind());
        assertEquals("device_time", early.field());
        // The acknowledgement's code: unknown is NOT_FOUND, registered but unassigned FAILED_PRECONDITION.
        assertEquals(io.sentinel.common.error.SentinelException.Kind.NOT_FOUND, Violation.unknownDevice("tag-9").kind());
        assertEquals(io.sentinel.common.error.SentinelException.Kind.FAILED_PRECONDITION, Violation.unassignedDevice("tag-9").kind());
        assertEquals(io.sentinel.common.error.SentinelException.Kind.INVALID_ARGUMENT, validator.checkBatchSize(1001).get().kind());
    }

    @Test
    void refusesNonsensicalConfiguration() {
        assertThrows(IllegalArgumentException.class,
                () -> new FixValidator.Config(Duration.ofMinutes(-1), Duration.ofDays(1), 10, 100));
        assertThrows(IllegalArgumentException.class,
                () -> new FixValidator.Config(Duration.ZERO, Duration.ZERO, 10, 100));
        assertThrows(IllegalArgumentException.class,
                () -> new FixValidator.Config(Duration.ZERO, Duration.ofDays(1), 0, 100));
        assertThrows(IllegalArgumentException.class,
                () -> new FixValidator.Config(Duration.ZERO, Duration.ofDays(1), 10, Double.NaN));
    }

    @Test
    void formatsDurationsWithTheTwoLeadingUnits() {
        assertEquals("450 ms", FixValidator.human(Duration.ofMillis(450)));
        assertEquals("7 min 30 s", FixValidator.human(Duration.ofSeconds(450)));
        assertEquals("1 d", FixValidator.human(Duration.ofDays(1).plusMinutes(5)));
    }
}
