package io.sentinel.location.domain.protocol.osmand;

import io.sentinel.location.domain.Accuracy;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.FixValidator;
import io.sentinel.location.domain.protocol.Decoded;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message shapes are those Traccar's own OsmAndProtocolDecoderTest replays from real devices, plus
 * what Traccar Client sends: the Android query form and the version 9 JSON body (the
 * BackgroundGeolocation location object).
 */
class OsmAndParserTest {

    private static final Instant RECEIVED = Instant.parse("2026-03-05T10:00:05Z");
    private static final double KNOT = 1852.0 / 3600.0;
    private final OsmAndParser parser = new OsmAndParser();

    private FixReport one(Decoded decoded) {
        assertEquals(Decoded.Kind.FIXES, decoded.kind(), decoded::describe);
        assertEquals(1, decoded.fixes().size());
        return decoded.fixes().get(0);
    }

    private String rejection(String query) {
        Decoded decoded = parser.parseQueryString(query, RECEIVED);
        assertEquals(Decoded.Kind.REJECTED, decoded.kind());
        return decoded.describe();
    }

    @Test
    void decodesTraccarClientQuery() {
        FixReport fix = one(parser.parseQueryString("/?id=123456&timestamp=1772704800&lat=51.500729&lon=-0.124625"
                + "&speed=3.2&bearing=271.5&altitude=48.0&accuracy=12.0&batt=87.0&charge=true", RECEIVED));
        assertEquals("123456", fix.deviceId());
        assertEquals(Instant.ofEpochSecond(1772704800), fix.deviceTime());
        assertEquals(RECEIVED, fix.receivedAt());
        assertEquals(51.500729, fix.latitude());
        assertEquals(-0.124625, fix.longitude());
        assertEquals(3.2 * KNOT, fix.speedMps(), 1e-12);
        assertEquals(271.5, fix.headingDegrees());
        assertEquals(12.0, fix.accuracyMetres());
        assertEquals(87, fix.batteryPercent());
        assertEquals(Boolean.TRUE, fix.charging());
        assertNull(fix.strapTampered());
        assertNull(fix.hdop());
    }

    @Test
    void readsSpeedInTheConfiguredUnit() {
        OsmAndParser metric = new OsmAndParser(OsmAndParser.SpeedUnit.KILOMETRES_PER_HOUR);
        FixReport fix = one(metric.parseQueryString("id=1&timestamp=1772704800&lat=1&lon=2&speed=36", RECEIVED));
        assertEquals(10.0, fix.speedMps(), 1e-12);
    }

    @Test
    void decodesIsoTimestampAndHdopFromAHardwareTracker() {
        FixReport fix = one(parser.parseQueryString(
                "/?id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0&altitude=224.0"
                        + "&speed=0.0", RECEIVED));
        assertEquals(Instant.parse("2016-01-27T18:55:47Z"), fix.deviceTime());
        assertEquals(6.0, fix.hdop());
        assertEquals(6.0 * Accuracy.UERE_METRES, fix.accuracyMetres(), 1e-12);
        assertEquals(0.0, fix.speedMps());
    }

    @Test
    void decodesMillisecondTimestamp() {
        FixReport fix = one(parser.parseQueryString(
                "/?id=902064&lat=42.06288&lon=-88.23412&timestamp=1442068686579&hdop=6.0&altitude=224.0&speed=0.0",
                RECEIVED));
        assertEquals(Instant.ofEpochMilli(1442068686579L), fix.deviceTime());
    }

    @Test
    void decodesSpaceSeparatedTimestampAsUtc() {
        FixReport fix = one(parser.parseQueryString(
                "/?lat=49.60688&lon=6.15788&timestamp=2014-06-04+09%3A10%3A11&altitude=384.7&speed=0.0"
                        + "&id=353861053849681", RECEIVED));
        assertEquals(Instant.parse("2014-06-04T09:10:11Z"), fix.deviceTime());
        assertEquals("353861053849681", fix.deviceId());
        assertEquals(Accuracy.UNKNOWN_METRES, fix.accuracyMetres());
    }

    @Test
    void decodesIsoTimestampWithOffset() {
        FixReport fix = one(parser.parseQuery(Map.of("id", List.of("7"), "lat", List.of("1"), "lon", List.of("2"),
                "timestamp", List.of("2026-03-05T11:00:00.250+01:00")), RECEIVED));
        assertEquals(Instant.parse("2026-03-05T10:00:00.250Z"), fix.deviceTime());
    }

    @Test
    void decodesLocationPairAndDeviceidAlias() {
        FixReport fix = one(parser.parseQueryString("/?deviceid=123456&timestamp=1377177267&location=60.0,30.0",
                RECEIVED));
        assertEquals("123456", fix.deviceId());
        assertEquals(60.0, fix.latitude());
        assertEquals(30.0, fix.longitude());
    }

    @Test
    void ignoresCellWifiAndVendorParameters() {
        FixReport fix = one(parser.parseQueryString("/?id=123456789012345&timestamp=1504763810&lat=40.7232948571"
                + "&lon=-74.0061408571&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24"
                + "&cell=257,02,16,2224&wifi=00-14-22-01-23-45,-80", RECEIVED));
        assertEquals(40 * KNOT, fix.speedMps(), 1e-12);
    }

    @Test
    void treatsZeroAccuracyAndNegativeSpeedAsUnknown() {
        FixReport fix = one(parser.parseQueryString(
                "id=1&timestamp=1772704800&lat=1&lon=2&accuracy=0.0&speed=-1&bearing=-1&batt=-1", RECEIVED));
        assertEquals(Accuracy.UNKNOWN_METRES, fix.accuracyMetres());
        assertNull(fix.speedMps());
        assertNull(fix.headingDegrees());
        assertNull(fix.batteryPercent());
    }

    @Test
    void mapsTamperAlarmToStrapTampered() {
        assertEquals(Boolean.TRUE, one(parser.parseQueryString(
                "id=1&timestamp=1772704800&lat=1&lon=2&alarm=tampering", RECEIVED)).strapTampered());
        assertEquals(Boolean.TRUE, one(parser.parseQueryString(
                "id=1&timestamp=1772704800&lat=1&lon=2&alarm=sos,removing", RECEIVED)).strapTampered());
        assertNull(one(parser.parseQueryString(
                "id=1&timestamp=1772704800&lat=1&lon=2&alarm=sos", RECEIVED)).strapTampered());
    }

    @Test
    void rejectsReportWithoutDeviceId() {
        assertEquals("id (or deviceid) is required", rejection("/?timestamp=1377177267&lat=60.0&lon=30.0"));
    }

    @Test
    void rejectsReportWithoutTimestampInsteadOfInventingOne() {
        assertEquals("timestamp is required",
                rejection("/?lat=60.0&lon=30.0&speed=0.0&heading=0.0&vacc=0&hacc=0&altitude=0&deviceid=123456"));
    }

    @Test
    void rejectsReportWithoutPosition() {
        assertEquals("lat is required; lon is required",
                rejection("/?id=123456&timestamp=1377177267&cell=257,02,16,2224&cell=257,02,16,2223,-90"));
    }

    @Test
    void rejectsMalformedNumbersByParameter() {
        assertEquals("lat is not a number: '60,5'; speed is not a number: 'fast'",
                rejection("id=1&timestamp=1377177267&lat=60%2C5&lon=30&speed=fast"));
    }

    @Test
    void rejectsHexAndSuffixedFloatsThatJavaWouldAccept() {
        assertEquals("lat is not a number: '0x1p3'; lon is not a number: '30d'",
                rejection("id=1&timestamp=1377177267&lat=0x1p3&lon=30d"));
    }

    @Test
    void rejectsUnreadableTimestamp() {
        assertEquals("timestamp 'yesterday' is not unix seconds, unix milliseconds, ISO-8601 or "
                + "'yyyy-MM-dd HH:mm:ss'", rejection("id=1&timestamp=yesterday&lat=1&lon=2"));
    }

    @Test
    void rejectsInvalidFix() {
        assertEquals("valid is false: the device reports no GNSS fix for this position",
                rejection("id=1&timestamp=1377177267&lat=1&lon=2&valid=false"));
    }

    @Test
    void rejectsConflictingAndRepeatedParameters() {
        assertEquals("id 'a' and deviceid 'b' disagree", rejection("id=a&deviceid=b&timestamp=1&lat=1&lon=2"));
        assertEquals("lat is given 2 times with different values",
                rejection("id=a&timestamp=1&lat=1&lat=3&lon=2"));
        assertEquals("give either lat and lon or location, not both",
                rejection("id=a&timestamp=1&lat=1&lon=2&location=1,2"));
        assertEquals("location must be 'lat,lon', got '60.0'", rejection("id=a&timestamp=1&location=60.0"));
    }

    @Test
    void rejectsUnreadableCharge() {
        assertEquals("charge must be true or false, got 'maybe'",
                rejection("id=a&timestamp=1&lat=1&lon=2&charge=maybe"));
    }

    @Test
    void rejectsMalformedEscape() {
        assertEquals("query has a malformed %-escape in 'lat=%G1'", rejection("id=a&lat=%G1"));
    }

    @Test
    void handsNaNToTheValidatorWhichNamesIt() {
        FixReport fix = one(parser.parseQueryString("id=1&timestamp=1772704800&lat=NaN&lon=2", RECEIVED));
        assertEquals("latitude is NaN", new FixValidator().validate(fix).describe());
    }

    @Test
    void recognisesJsonContentType() {
        assertTrue(OsmAndParser.isJson("application/json; charset=utf-8"));
        assertFalse(OsmAndParser.isJson("application/x-www-form-urlencoded"));
        assertFalse(OsmAndParser.isJson(null));
    }

    private static final String CLIENT_9_JSON = """
            {"location":{"event":"motionchange","is_moving":false,"uuid":"8f2d3a4e-1c6b-4a5f-9a5e-2b7c1d0e6f11",
             "timestamp":"2026-03-05T09:59:58.123Z","odometer":1523.4,
             "coords":{"latitude":51.500729,"longitude":-0.124625,"accuracy":11.9,"speed":1.4,
                       "speed_accuracy":0.5,"heading":92.3,"heading_accuracy":10,"altitude":45.2,
                       "ellipsoidal_altitude":91.1,"altitude_accuracy":3.1,"age":120},
             "activity":{"type":"walking","confidence":100},
             "battery":{"is_charging":true,"level":0.29},"extras":{}},
             "device_id":"123456"}
            """;

    @Test
    void decodesTraccarClientJsonBody() {
        FixReport fix = one(parser.parseJson(CLIENT_9_JSON, RECEIVED));
        assertEquals("123456", fix.deviceId());
        assertEquals(Instant.parse("2026-03-05T09:59:58.123Z"), fix.deviceTime());
        assertEquals(51.500729, fix.latitude());
        assertEquals(-0.124625, fix.longitude());
        assertEquals(11.9, fix.accuracyMetres());
        assertEquals(1.4, fix.speedMps(), 1e-12);
        assertEquals(92.3, fix.headingDegrees());
        assertEquals(29, fix.batteryPercent());
        assertEquals(Boolean.TRUE, fix.charging());
    }

    @Test
    void treatsMinusOneInJsonAsUnknown() {
        FixReport fix = one(parser.parseJson("""
                {"device_id":"123456","location":{"timestamp":"2026-03-05T09:59:58Z",
                 "coords":{"latitude":51.5,"longitude":-0.12,"accuracy":-1,"speed":-1,"heading":-1,"altitude":0},
                 "battery":{"level":-1,"is_charging":false}}}
                """, RECEIVED));
        assertEquals(Accuracy.UNKNOWN_METRES, fix.accuracyMetres());
        assertNull(fix.speedMps());
        assertNull(fix.headingDegrees());
        assertNull(fix.batteryPercent());
        assertEquals(Boolean.FALSE, fix.charging());
    }

    @Test
    void decodesBatchedJsonLocations() {
        Decoded decoded = parser.parseJson("""
                {"device_id":"123456","location":[
                 {"timestamp":"2026-03-05T09:59:00Z","coords":{"latitude":51.5,"longitude":-0.12,"accuracy":5}},
                 {"timestamp":"2026-03-05T09:59:30Z","coords":{"latitude":51.501,"longitude":-0.121,"accuracy":6},
                  "extras":{"alarm":"tampering"}}]}
                """, RECEIVED);
        assertEquals(2, decoded.fixes().size());
        assertEquals(Boolean.TRUE, decoded.fixes().get(1).strapTampered());
        assertNull(decoded.fixes().get(0).strapTampered());
    }

    @Test
    void rejectsJsonWithPreciseFieldPaths() {
        Decoded decoded = parser.parseJson("""
                {"location":[{"timestamp":"soon","coords":{"latitude":"51.5"}},{"coords":{"latitude":1,"longitude":2},
                 "battery":{"level":87,"is_charging":"yes"}}]}
                """, RECEIVED);
        assertEquals(Decoded.Kind.REJECTED, decoded.kind());
        assertEquals(List.of(
                "device_id is required",
                "location[0].timestamp 'soon' is not unix seconds, unix milliseconds, ISO-8601 or 'yyyy-MM-dd HH:mm:ss'",
                "location[0].coords.latitude must be a number, got a string (\"51.5\")",
                "location[0].coords.longitude is required",
                "location[1].timestamp is required",
                "location[1].battery.level is a fraction within [0, 1], got 87.0",
                "location[1].battery.is_charging must be true or false, got a string (\"yes\")"),
                decoded.errors().stream().map(v -> v.message()).toList());
    }

    @Test
    void rejectsJsonWithoutCoords() {
        assertEquals("location.coords is required", parser.parseJson(
                "{\"device_id\":\"1\",\"location\":{\"timestamp\":\"2026-03-05T09:59:58Z\"}}", RECEIVED).describe());
    }

    @Test
    void rejectsBrokenJson() {
        String message = parser.parseJson("{\"device_id\":\"1\",", RECEIVED).describe();
        assertTrue(message.startsWith("body is not valid JSON: "), message);
        assertEquals("body must be a JSON object, got an array", parser.parseJson("[1]", RECEIVED).describe());
        assertEquals("body is empty", parser.parseJson("  ", RECEIVED).describe());
    }

    @Test
    void rejectsDuplicateJsonKeys() {
        String message = parser.parseJson("{\"device_id\":\"1\",\"device_id\":\"2\"}", RECEIVED).describe();
        assertTrue(message.startsWith("body is not valid JSON: Duplicate field 'device_id'"), message);
    }
}
