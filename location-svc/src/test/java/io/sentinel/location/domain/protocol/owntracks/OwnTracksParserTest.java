package io.sentinel.location.domain.protocol.owntracks;

import io.sentinel.location.domain.Accuracy;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.protocol.Decoded;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Payloads follow the OwnTracks booklet's JSON page as the iOS and Android apps publish them. */
class OwnTracksParserTest {

    private static final Instant RECEIVED = Instant.parse("2026-03-05T10:00:05Z");
    private final OwnTracksParser parser = new OwnTracksParser();

    private static final String IOS_LOCATION = """
            {"_type":"location","acc":5,"alt":21,"batt":85,"bs":2,"BSSID":"b0:be:76:a1:2c:3e","SSID":"home",
             "conn":"w","created_at":1772704801,"inregions":["Home"],"lat":51.500729,"lon":-0.124625,"m":1,
             "p":101.3,"tid":"jp","topic":"owntracks/jane/phone","tst":1772704800,"vac":3,"vel":18,"cog":270}
            """;

    private static final String ANDROID_LOCATION = """
            {"_type":"location","acc":13,"alt":45,"batt":64,"bs":1,"conn":"m","created_at":1772704812,
             "lat":48.858370,"lon":2.294481,"t":"p","tid":"ph","tst":1772704810,"vac":2,"vel":0}
            """;

    private FixReport one(Decoded decoded) {
        assertEquals(Decoded.Kind.FIXES, decoded.kind(), decoded::describe);
        return decoded.fixes().get(0);
    }

    @Test
    void decodesIosLocationOverMqtt() {
        FixReport fix = one(parser.parseMqtt("owntracks/jane/phone", IOS_LOCATION, RECEIVED));
        assertEquals("jane/phone", fix.deviceId());
        assertEquals(Instant.ofEpochSecond(1772704800), fix.deviceTime());
        assertEquals(RECEIVED, fix.receivedAt());
        assertEquals(51.500729, fix.latitude());
        assertEquals(-0.124625, fix.longitude());
        assertEquals(5.0, fix.accuracyMetres());
        assertEquals(5.0, fix.speedMps(), 1e-12);
        assertEquals(270.0, fix.headingDegrees());
        assertEquals(85, fix.batteryPercent());
        assertEquals(Boolean.TRUE, fix.charging());
        assertNull(fix.strapTampered());
    }

    @Test
    void decodesAndroidLocationOverHttpWithLimitHeaders() {
        FixReport fix = one(parser.parseHttp(ANDROID_LOCATION, "jane", "pixel", RECEIVED));
        assertEquals("jane/pixel", fix.deviceId());
        assertEquals(Boolean.FALSE, fix.charging());
        assertEquals(0.0, fix.speedMps());
        assertNull(fix.headingDegrees());
    }

    @Test
    void takesIdentityFromTheTopicFieldOverHttp() {
        assertEquals("jane/phone", one(parser.parseHttp(IOS_LOCATION, null, null, RECEIVED)).deviceId());
    }

    @Test
    void treatsFullBatteryAsOnExternalPowerAndUnknownAsUnknown() {
        assertEquals(Boolean.TRUE, one(parser.parseMqtt("owntracks/jane/phone",
                "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1772704800,\"bs\":3}", RECEIVED)).charging());
        assertNull(one(parser.parseMqtt("owntracks/jane/phone",
                "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1772704800,\"bs\":0}", RECEIVED)).charging());
    }

    @Test
    void readsLegacyStringFields() {
        FixReport fix = one(parser.parseMqtt("owntracks/jane/phone", """
                {"_type":"location","lat":51.500729,"lon":-0.124625,"tst":"1376715317","acc":"75","batt":"50"}
                """, RECEIVED));
        assertEquals(51.500729, fix.latitude());
        assertEquals(Instant.ofEpochSecond(1376715317), fix.deviceTime());
        assertEquals(75.0, fix.accuracyMetres());
        assertEquals(50, fix.batteryPercent());
    }

    @Test
    void assumesUnknownAccuracyWhenAccIsOmitted() {
        assertEquals(Accuracy.UNKNOWN_METRES, one(parser.parseMqtt("owntracks/jane/phone",
                "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1772704800}", RECEIVED)).accuracyMetres());
    }

    @Test
    void ignoresMessagesThatCarryNoFix() {
        Decoded transition = parser.parseMqtt("owntracks/jane/phone/event", """
                {"_type":"transition","wtst":1772000000,"lat":51.5,"lon":-0.12,"tst":1772704800,"acc":10,
                 "tid":"jp","event":"leave","desc":"Home","t":"c","rid":"a1b2c3"}
                """, RECEIVED);
        assertEquals(Decoded.Kind.IGNORED, transition.kind());
        assertEquals("_type 'transition' carries no fix", transition.ignoredReason());
        assertEquals(Decoded.Kind.IGNORED, parser.parseMqtt("owntracks/jane/phone",
                "{\"_type\":\"lwt\",\"tst\":1772704000}", RECEIVED).kind());
        assertEquals(Decoded.Kind.IGNORED, parser.parseMqtt("owntracks/jane/phone/waypoint",
                "{\"_type\":\"waypoint\",\"desc\":\"Home\",\"lat\":51.5,\"lon\":-0.12,\"rad\":50,\"tst\":1772000000}",
                RECEIVED).kind());
        assertEquals(Decoded.Kind.IGNORED, parser.parseMqtt("owntracks/jane/phone/info",
                "{\"_type\":\"card\",\"name\":\"Jane\",\"face\":\"iVBORw0KGgo=\"}", RECEIVED).kind());
        assertEquals(Decoded.Kind.IGNORED, parser.parseHttp("{\"_type\":\"lwt\",\"tst\":1772704000}", null, null,
                RECEIVED).kind());
    }

    @Test
    void ignoresTheEmptyPayloadThatClearsARetainedMessage() {
        assertEquals(Decoded.Kind.IGNORED, parser.parseMqtt("owntracks/jane/phone", "", RECEIVED).kind());
    }

    @Test
    void rejectsEncryptedPayload() {
        assertEquals("_type 'encrypted' cannot be read: location-svc does not hold the app's encryption key; "
                        + "turn payload encryption off",
                parser.parseMqtt("owntracks/jane/phone", "{\"_type\":\"encrypted\",\"data\":\"3q2+7w==\"}", RECEIVED)
                        .describe());
    }

    @Test
    void rejectsUnknownOrMissingType() {
        assertEquals("_type 'position' is not an OwnTracks message type", parser.parseMqtt("owntracks/jane/phone",
                "{\"_type\":\"position\"}", RECEIVED).describe());
        assertEquals("_type is required", parser.parseMqtt("owntracks/jane/phone", "{\"lat\":1}", RECEIVED).describe());
    }

    @Test
    void rejectsLocationMissingRequiredFields() {
        assertEquals("lat is required; tst is required", parser.parseMqtt("owntracks/jane/phone",
                "{\"_type\":\"location\",\"lon\":2}", RECEIVED).describe());
    }

    @Test
    void rejectsCoordinatesSentAsStringsNamingTheField() {
        assertEquals("lat must be a number, got a string (\"51.500729\"); lon must be a number, got a string (\"-0.124625\")",
                parser.parseMqtt("owntracks/jane/phone",
                        "{\"_type\":\"location\",\"lat\":\"51.500729\",\"lon\":\"-0.124625\",\"tst\":1772704800}", RECEIVED).describe());
    }

    @Test
    void rejectsMalformedFields() {
        assertEquals("lat must be a number, got a string (\"north\"); vel must be a number, got a boolean (true); "
                        + "bs must be 0 (unknown), 1 (unplugged), 2 (charging) or 3 (full), got 7.0",
                parser.parseMqtt("owntracks/jane/phone",
                        "{\"_type\":\"location\",\"lat\":\"north\",\"lon\":2,\"tst\":1772704800,\"bs\":7,\"vel\":true}",
                        RECEIVED).describe());
    }

    @Test
    void rejectsTopicThatIsNotOwnTracks() {
        assertEquals("topic 'devices/jane' is not owntracks/<user>/<device>[/<sub-topic>]",
                parser.parseMqtt("devices/jane", ANDROID_LOCATION, RECEIVED).describe());
    }

    @Test
    void rejectsHttpLocationWithoutIdentity() {
        assertEquals("device identity is missing: send X-Limit-U and X-Limit-D headers or a topic field",
                parser.parseHttp(ANDROID_LOCATION, null, null, RECEIVED).describe());
        assertEquals("X-Limit-U and X-Limit-D must be sent together",
                parser.parseHttp(ANDROID_LOCATION, "jane", null, RECEIVED).describe());
    }

    @Test
    void rejectsHttpIdentityThatDisagreesWithTheTopic() {
        assertEquals("topic names device 'jane/phone' but X-Limit-U/X-Limit-D name 'john/phone'",
                parser.parseHttp(IOS_LOCATION, "john", "phone", RECEIVED).describe());
    }

    @Test
    void rejectsBrokenJson() {
        String message = parser.parseHttp("{\"_type\":\"location\",\"lat\":}", "jane", "phone", RECEIVED).describe();
        assertTrue(message.startsWith("body is not valid JSON: "), message);
        assertEquals("payload must be a JSON object, got an array",
                parser.parseHttp("[]", "jane", "phone", RECEIVED).describe());
    }

    @Test
    void derivesDeviceIdFromTopics() {
        assertEquals(Optional.of("jane/phone"), OwnTracksParser.deviceIdFromTopic("owntracks/jane/phone"));
        assertEquals(Optional.of("jane/phone"), OwnTracksParser.deviceIdFromTopic("owntracks/jane/phone/event"));
        assertEquals(Optional.empty(), OwnTracksParser.deviceIdFromTopic("owntracks/jane"));
        assertEquals(Optional.empty(), OwnTracksParser.deviceIdFromTopic("owntracks/+/phone"));
        assertEquals(Optional.empty(), OwnTracksParser.deviceIdFromTopic("owntracks/jane/phone/secret"));
    }
}
