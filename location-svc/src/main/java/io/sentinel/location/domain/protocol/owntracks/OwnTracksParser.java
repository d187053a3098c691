package io.sentinel.location.domain.protocol.owntracks;

import com.fasterxml.jackson.databind.JsonNode;
import io.sentinel.location.domain.Accuracy;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.Violation;
import io.sentinel.location.domain.protocol.Decoded;
import io.sentinel.location.domain.protocol.Json;
import io.sentinel.location.domain.protocol.Numbers;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes OwnTracks JSON messages (booklet "JSON" and "HTTP" pages), over MQTT or HTTP.
 *
 * <p>The device id is {@code user/device}: from the MQTT topic {@code owntracks/<user>/<device>},
 * or over HTTP from the {@code X-Limit-U}/{@code X-Limit-D} headers (the OwnTracks Recorder's
 * {@code ?u=&d=} query parameters carry the same), falling back to the payload's {@code topic}.
 *
 * <p>HTTP reply the apps expect: {@code 200} with a JSON array body, normally {@code []} (it may
 * carry {@code _type} objects back to the phone). Per the booklet the app treats <em>any</em>
 * status, even 5xx, as delivered and does not resend, so a rejection is final for that fix.
 *
 * <p>Only {@code _type: "location"} yields a fix; the other documented types are recognised and
 * ignored, {@code encrypted} is rejected (it cannot be read without the shared key), and an
 * undocumented type is rejected.
 */
public final class OwnTracksParser {

    private static final Set<String> NO_FIX_TYPES = Set.of("transition", "waypoint", "waypoints", "lwt", "card",
            "cmd", "beacon", "steps", "configuration", "status", "msg", "request", "dump");

    /** Sub-topics the apps publish below {@code owntracks/<user>/<device>}. */
    private static final Set<String> SUB_TOPICS = Set.of("event", "info", "cmd", "step", "steps", "beacon", "dump",
            "waypoint", "waypoints", "status", "request");

    /** Decodes an MQTT publish. An empty payload is the broker clearing a retained message. */
    public Decoded parseMqtt(String topic, String payload, Instant receivedAt) {
        if (payload == null || payload.isEmpty()) {
            return Decoded.ignored("empty payload (a retained message being cleared)");
        }
        Optional<String> deviceId = deviceIdFromTopic(topic);
        if (deviceId.isEmpty()) {
            return Decoded.rejected("topic", "topic '" + Numbers.abbreviate(String.valueOf(topic))
                    + "' is not owntracks/<user>/<device>[/<sub-topic>]");
        }
        return parse(payload, deviceId.get(), receivedAt);
    }

    /**
     * Decodes an HTTP POST body; {@code limitUser}/{@code limitDevice} are the X-Limit-U/X-Limit-D
     * headers (or the Recorder-style {@code u}/{@code d} query parameters), either may be null.
     */
    public Decoded parseHttp(String body, String limitUser, String limitDevice, Instant receivedAt) {
        List<Violation> errors = new ArrayList<>();
        JsonNode root = Json.parse(body, errors);
        if (root == null) {
            return Decoded.rejected(errors);
        }
        String fromHeaders = null;
        boolean hasUser = limitUser != null && !limitUser.isBlank();
        boolean hasDevice = limitDevice != null && !limitDevice.isBlank();
        if (hasUser && hasDevice) {
            fromHeaders = limitUser + "/" + limitDevice;
        } else if (hasUser || hasDevice) {
            return Decoded.rejected(hasUser ? "X-Limit-D" : "X-Limit-U",
                    "X-Limit-U and X-Limit-D must be sent together");
        }
        String fromTopic = null;
        if (root.isObject() && root.hasNonNull("topic")) {
            String topic = Json.text(root, "topic", "topic", false, errors);
            if (topic != null) {
                fromTopic = deviceIdFromTopic(topic).orElse(null);
                if (fromTopic == null) {
                    errors.add(new Violation("topic", "topic '" + Numbers.abbreviate(topic)
                            + "' is not owntracks/<user>/<device>[/<sub-topic>]"));
                }
            }
        }
        if (!errors.isEmpty()) {
            return Decoded.rejected(errors);
        }
        if (fromHeaders != null && fromTopic != null && !fromHeaders.equals(fromTopic)) {
            return Decoded.rejected("topic", "topic names device '" + fromTopic
                    + "' but X-Limit-U/X-Limit-D name '" + fromHeaders + "'");
        }
        String deviceId = fromHeaders != null ? fromHeaders : fromTopic;
        if (deviceId == null && isLocation(root)) {
            return Decoded.rejected("X-Limit-U", "device identity is missing: send X-Limit-U and X-Limit-D "
                    + "headers or a topic field");
        }
        return decode(root, deviceId, receivedAt);
    }

    /** {@code owntracks/jane/phone} or {@code owntracks/jane/phone/event} → {@code jane/phone}. */
    public static Optional<String> deviceIdFromTopic(String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        String[] levels = topic.split("/", -1);
        boolean shapeOk = levels.length == 3 || (levels.length == 4 && SUB_TOPICS.contains(levels[3]));
        if (!shapeOk || !"owntracks".equals(levels[0]) || !validLevel(levels[1]) || !validLevel(levels[2])) {
            return Optional.empty();
        }
        return Optional.of(levels[1] + "/" + levels[2]);
    }

    private static boolean validLevel(String level) {
        return !level.isBlank() && !level.equals("+") && !level.equals("#");
    }

    private Decoded parse(String payload, String deviceId, Instant receivedAt) {
        List<Violation> errors = new ArrayList<>();
        JsonNode root = Json.parse(payload, errors);
        if (root == null) {
            return Decoded.rejected(errors);
        }
        return decode(root, deviceId, receivedAt);
    }

    private static boolean isLocation(JsonNode root) {
        return root.isObject() && root.path("_type").isTextual() && "location".equals(root.get("_type").textValue());
    }

    private Decoded decode(JsonNode root, String deviceId, Instant receivedAt) {
        if (!root.isObject()) {
            return Decoded.rejected("body", "payload must be a JSON object, got " + Json.describe(root));
        }
        JsonNode typeNode = root.get("_type");
        if (typeNode == null || typeNode.isNull()) {
            return Decoded.rejected("_type", "_type is required");
        }
        if (!typeNode.isTextual()) {
            return Decoded.rejected("_type", "_type must be a string, got " + Json.describe(typeNode));
        }
        String type = typeNode.textValue();
        if ("encrypted".equals(type)) {
            return Decoded.rejected("_type", "_type 'encrypted' cannot be read: location-svc does not hold "
                    + "the app's encryption key; turn payload encryption off");
        }
        if (NO_FIX_TYPES.contains(type)) {
            return Decoded.ignored("_type '" + type + "' carries no fix");
        }
        if (!"location".equals(type)) {
            return Decoded.rejected("_type", "_type '" + Numbers.abbreviate(type) + "' is not an OwnTracks "
                    + "message type");
        }

        List<Violation> errors = new ArrayList<>();
        // Coordinates must be JSON numbers, as the OwnTracks format defines them: a string is a
        // broken or hand-made client, and its digits are no evidence of where anyone was. The other
        // fields keep accepting the digits-in-a-string that old OwnTracks versions sent.
        Double lat = Json.number(root, "lat", "lat", true, false, errors);
        Double lon = Json.number(root, "lon", "lon", true, false, errors);
        Double tst = Json.number(root, "tst", "tst", true, true, errors);
        Instant deviceTime = null;
        if (tst != null) {
            if (!Double.isFinite(tst)) {
                errors.add(new Violation("tst", "tst must be unix seconds, got " + tst));
            } else {
                try {
                    deviceTime = Instant.ofEpochMilli(Math.round(tst * 1000));
                } catch (DateTimeException e) {
                    errors.add(new Violation("tst", "tst is out of range: " + tst));
                }
            }
        }
        Double acc = Json.number(root, "acc", "acc", false, true, errors);
        Double vel = unknownIfNegative(Json.number(root, "vel", "vel", false, true, errors));
        Double cog = unknownIfNegative(Json.number(root, "cog", "cog", false, true, errors));
        Json.number(root, "alt", "alt", false, true, errors);
        Double batt = unknownIfNegative(Json.number(root, "batt", "batt", false, true, errors));
        Double bs = Json.number(root, "bs", "bs", false, true, errors);
        Boolean charging = null;
        if (bs != null) {
            // 3 = "full" only happens on the charger, so for monitoring it counts as on external power.
            if (bs == 0) {
                charging = null;
            } else if (bs == 1) {
                charging = Boolean.FALSE;
            } else if (bs == 2 || bs == 3) {
                charging = Boolean.TRUE;
            } else {
                errors.add(new Violation("bs", "bs must be 0 (unknown), 1 (unplugged), 2 (charging) or 3 (full), got "
                        + bs));
            }
        }
        if (!errors.isEmpty()) {
            return Decoded.rejected(errors);
        }
        return Decoded.fixes(List.of(new FixReport(deviceId, deviceTime, receivedAt, lat, lon,
                Accuracy.derive(acc, null), null, vel == null ? null : vel / 3.6, cog,
                batt == null ? null : (int) Math.round(batt), charging, null)));
    }

    private static Double unknownIfNegative(Double value) {
        return value != null && value < 0 ? null : value;
    }
}
