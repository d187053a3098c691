package io.sentinel.location.domain.protocol.osmand;

import com.fasterxml.jackson.databind.JsonNode;
import io.sentinel.location.domain.Accuracy;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.Violation;
import io.sentinel.location.domain.protocol.Decoded;
import io.sentinel.location.domain.protocol.Json;
import io.sentinel.location.domain.protocol.Numbers;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decodes the OsmAnd / Traccar Client HTTP protocol, following Traccar's
 * {@code OsmAndProtocolDecoder}: query parameters (GET, or a form body on POST) and, when the
 * request's Content-Type starts with {@code application/json}, the JSON body that Traccar Client 9+
 * sends (the BackgroundGeolocation location shape).
 *
 * <p>What the device expects back (Traccar's behaviour): {@code 200 OK} with an empty body when
 * the report is taken (the body may instead carry one queued command as text); {@code 400 Bad
 * Request} when the query form has no or an unknown device id, and {@code 404 Not Found} when the
 * JSON form names an unknown {@code device_id}. Traccar Client keeps a position in its local
 * queue and resends it until it gets 200.
 *
 * <p>Where this parser is stricter than Traccar, on purpose: a report without a position or
 * without a timestamp is rejected (Traccar substitutes the last position / server time, which
 * would put an invented point or time into an evidential trail), and {@code valid=false} (the
 * device has no GNSS fix) is rejected rather than stored.
 */
public final class OsmAndParser {

    /** Unit of the query form's {@code speed}; Traccar reads knots unless configured otherwise. */
    public enum SpeedUnit {
        KNOTS(1852.0 / 3600.0),
        METRES_PER_SECOND(1.0),
        KILOMETRES_PER_HOUR(1 / 3.6),
        MILES_PER_HOUR(0.44704);

        private final double toMetresPerSecond;

        SpeedUnit(double toMetresPerSecond) {
            this.toMetresPerSecond = toMetresPerSecond;
        }

        public double toMetresPerSecond(double value) {
            return value * toMetresPerSecond;
        }
    }

    /** Traccar's alarm values that mean the wearer interfered with the device. */
    private static final Set<String> TAMPER_ALARMS = Set.of("tampering", "removing");

    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,19}");
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

    /** Parameters this parser reads; a conflicting repeat of one of them is an error. */
    private static final Set<String> KNOWN = Set.of("id", "deviceid", "valid", "timestamp", "lat", "lon",
            "location", "speed", "bearing", "heading", "altitude", "accuracy", "hdop", "batt", "charge", "alarm");

    private final SpeedUnit querySpeedUnit;

    public OsmAndParser(SpeedUnit querySpeedUnit) {
        this.querySpeedUnit = querySpeedUnit;
    }

    /** Traccar's default: query-form speed in knots. */
    public OsmAndParser() {
        this(SpeedUnit.KNOTS);
    }

    /** Traccar's dispatch rule: JSON body when the Content-Type starts with application/json. */
    public static boolean isJson(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    /**
     * Decodes a raw {@code application/x-www-form-urlencoded} string: a URL's query (a leading
     * {@code ?} or {@code /?} is tolerated) or a POST form body.
     */
    public Decoded parseQueryString(String raw, Instant receivedAt) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        List<Violation> errors = new ArrayList<>();
        if (raw != null && !raw.isEmpty()) {
            String query = raw.startsWith("/?") ? raw.substring(2) : raw.startsWith("?") ? raw.substring(1) : raw;
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                try {
                    String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                } catch (IllegalArgumentException e) {
                    errors.add(new Violation("query", "query has a malformed %-escape in '"
                            + Numbers.abbreviate(pair) + "'"));
                }
            }
        }
        if (!errors.isEmpty()) {
            return Decoded.rejected(errors);
        }
        return parseQuery(params, receivedAt);
    }

    /** Decodes already-split query parameters (e.g. JAX-RS {@code UriInfo.getQueryParameters()}). */
    public Decoded parseQuery(Map<String, List<String>> params, Instant receivedAt) {
        List<Violation> errors = new ArrayList<>();
        Map<String, String> p = single(params, errors);

        String id = p.get("id");
        String deviceid = p.get("deviceid");
        if (id != null && deviceid != null && !id.equals(deviceid)) {
            errors.add(new Violation("id", "id '" + Numbers.abbreviate(id) + "' and deviceid '"
                    + Numbers.abbreviate(deviceid) + "' disagree"));
        }
        String deviceId = id != null ? id : deviceid;
        if (deviceId == null || deviceId.isBlank()) {
            errors.add(new Violation("id", "id (or deviceid) is required"));
        }

        String valid = p.get("valid");
        if (valid != null) {
            switch (valid.toLowerCase(Locale.ROOT)) {
                case "true", "1" -> { }
                case "false", "0" -> errors.add(new Violation("valid",
                        "valid is " + valid + ": the device reports no GNSS fix for this position"));
                default -> errors.add(new Violation("valid", "valid must be true, false, 1 or 0, got '"
                        + Numbers.abbreviate(valid) + "'"));
            }
        }

        Instant deviceTime = null;
        if (p.get("timestamp") == null) {
            errors.add(new Violation("timestamp", "timestamp is required"));
        } else {
            deviceTime = timestamp("timestamp", p.get("timestamp"), errors);
        }

        Double lat = null;
        Double lon = null;
        String location = p.get("location");
        if (location != null) {
            if (p.containsKey("lat") || p.containsKey("lon")) {
                errors.add(new Violation("location", "give either lat and lon or location, not both"));
            }
            String[] parts = location.split(",", -1);
            if (parts.length != 2) {
                errors.add(new Violation("location", "location must be 'lat,lon', got '"
                        + Numbers.abbreviate(location) + "'"));
            } else {
                lat = Numbers.decimal("location latitude", parts[0].trim(), errors);
                lon = Numbers.decimal("location longitude", parts[1].trim(), errors);
            }
        } else {
            lat = required("lat", p, errors);
            lon = required("lon", p, errors);
        }

        Double speed = unknownIfNegative(optional("speed", p, errors));
        Double heading = p.containsKey("bearing")
                ? unknownIfNegative(optional("bearing", p, errors))
                : unknownIfNegative(optional("heading", p, errors));
        if (p.containsKey("bearing") && p.containsKey("heading")) {
            errors.add(new Violation("heading", "give either bearing or heading, not both"));
        }
        optional("altitude", p, errors);
        Double accuracy = optional("accuracy", p, errors);
        Double hdop = unknownIfNegative(optional("hdop", p, errors));
        Double batt = unknownIfNegative(optional("batt", p, errors));
        Boolean charge = null;
        if (p.get("charge") != null) {
            charge = switch (p.get("charge").toLowerCase(Locale.ROOT)) {
                case "true", "1" -> Boolean.TRUE;
                case "false", "0" -> Boolean.FALSE;
                default -> {
                    errors.add(new Violation("charge", "charge must be true or false, got '"
                            + Numbers.abbreviate(p.get("charge")) + "'"));
                    yield null;
                }
            };
        }
        Boolean tampered = tamper(p.get("alarm"));

        if (!errors.isEmpty()) {
            return Decoded.rejected(errors);
        }
        return Decoded.fixes(List.of(new FixReport(deviceId, deviceTime, receivedAt, lat, lon,
                Accuracy.derive(accuracy, hdop), hdop,
                speed == null ? null : querySpeedUnit.toMetresPerSecond(speed),
                heading, batt == null ? null : (int) Math.round(batt), charge, tampered)));
    }

    /**
     * Decodes the JSON form: {@code {"device_id": "...", "location": {...}}} where {@code location}
     * may also be an array (the BackgroundGeolocation batch-sync shape); speed is m/s there, battery
     * level a fraction, and -1 means unknown for speed, heading, accuracy and battery level.
     */
    public Decoded parseJson(String body, Instant receivedAt) {
        List<Violation> errors = new ArrayList<>();
        JsonNode root = Json.parse(body, errors);
        if (root == null) {
            return Decoded.rejected(errors);
        }
        if (!root.isObject()) {
            return Decoded.rejected("body", "body must be a JSON object, got " + Json.describe(root));
        }
        String deviceId = Json.text(root, "device_id", "device_id", true, errors);
        JsonNode location = root.get("location");
        List<FixReport> fixes = new ArrayList<>();
        if (location == null || location.isNull()) {
            errors.add(new Violation("location", "location is required"));
        } else if (location.isObject()) {
            FixReport fix = jsonLocation(deviceId, location, "location", receivedAt, errors);
            if (fix != null) {
                fixes.add(fix);
            }
        } else if (location.isArray()) {
            if (location.isEmpty()) {
                errors.add(new Violation("location", "location array is empty"));
            }
            for (int i = 0; i < location.size(); i++) {
                String path = "location[" + i + "]";
                JsonNode element = location.get(i);
                if (!element.isObject()) {
                    errors.add(new Violation(path, path + " must be an object, got " + Json.describe(element)));
                    continue;
                }
                FixReport fix = jsonLocation(deviceId, element, path, receivedAt, errors);
                if (fix != null) {
                    fixes.add(fix);
                }
            }
        } else {
            errors.add(new Violation("location", "location must be an object or an array, got "
                    + Json.describe(location)));
        }
        if (!errors.isEmpty()) {
            return Decoded.rejected(errors);
        }
        return Decoded.fixes(fixes);
    }

    private FixReport jsonLocation(String deviceId, JsonNode location, String path, Instant receivedAt,
                                   List<Violation> errors) {
        int before = errors.size();
        Instant deviceTime = null;
        JsonNode ts = location.get("timestamp");
        String tsPath = path + ".timestamp";
        if (ts == null || ts.isNull()) {
            errors.add(new Violation(tsPath, tsPath + " is required"));
        } else if (ts.isTextual() || ts.isIntegralNumber()) {
            deviceTime = timestamp(tsPath, ts.asText(), errors);
        } else {
            errors.add(new Violation(tsPath, tsPath + " must be an ISO-8601 string, got " + Json.describe(ts)));
        }

        JsonNode coords = location.get("coords");
        String cPath = path + ".coords";
        Double lat = null;
        Double lon = null;
        Double accuracy = null;
        Double speed = null;
        Double heading = null;
        if (coords == null || coords.isNull()) {
            errors.add(new Violation(cPath, cPath + " is required"));
        } else if (!coords.isObject()) {
            errors.add(new Violation(cPath, cPath + " must be an object, got " + Json.describe(coords)));
        } else {
            lat = Json.number(coords, "latitude", cPath + ".latitude", true, false, errors);
            lon = Json.number(coords, "longitude", cPath + ".longitude", true, false, errors);
            accuracy = Json.number(coords, "accuracy", cPath + ".accuracy", false, false, errors);
            speed = unknownIfNegative(Json.number(coords, "speed", cPath + ".speed", false, false, errors));
            heading = unknownIfNegative(Json.number(coords, "heading", cPath + ".heading", false, false, errors));
            Json.number(coords, "altitude", cPath + ".altitude", false, false, errors);
        }

        Integer battery = null;
        Boolean charging = null;
        JsonNode batteryNode = location.get("battery");
        String bPath = path + ".battery";
        if (batteryNode != null && !batteryNode.isNull()) {
            if (!batteryNode.isObject()) {
                errors.add(new Violation(bPath, bPath + " must be an object, got " + Json.describe(batteryNode)));
            } else {
                Double level = unknownIfNegative(Json.number(batteryNode, "level", bPath + ".level", false, false, errors));
                if (level != null) {
                    if (level > 1) {
                        errors.add(new Violation(bPath + ".level", bPath + ".level is a fraction within [0, 1], got "
                                + level));
                    } else {
                        battery = (int) Math.round(level * 100);
                    }
                }
                charging = Json.bool(batteryNode, "is_charging", bPath + ".is_charging", errors);
            }
        }

        String alarm = Json.text(location, "alarm", path + ".alarm", false, errors);
        JsonNode extras = location.get("extras");
        if (alarm == null && extras != null && extras.isObject()) {
            alarm = Json.text(extras, "alarm", path + ".extras.alarm", false, errors);
        }

        if (errors.size() > before || deviceId == null) {
            return null;
        }
        return new FixReport(deviceId, deviceTime, receivedAt, lat, lon, Accuracy.derive(accuracy, null), null,
                speed, heading, battery, charging, tamper(alarm));
    }

    /**
     * Traccar's timestamp rules: an integer below 2^31 is unix seconds, otherwise milliseconds;
     * text containing 'T' is ISO-8601; else {@code yyyy-MM-dd HH:mm:ss}. Times without an offset
     * are taken as UTC (Traccar would use the server's zone, which is UTC in its images).
     */
    static Instant timestamp(String field, String value, List<Violation> errors) {
        String v = value.trim();
        if (INTEGER.matcher(v).matches()) {
            try {
                long n = Long.parseLong(v);
                return n < Integer.MAX_VALUE ? Instant.ofEpochSecond(n) : Instant.ofEpochMilli(n);
            } catch (NumberFormatException | java.time.DateTimeException e) {
                errors.add(new Violation(field, field + " is out of range: '" + Numbers.abbreviate(v) + "'"));
                return null;
            }
        }
        try {
            if (v.contains("T")) {
                try {
                    return OffsetDateTime.parse(v).toInstant();
                } catch (DateTimeParseException offsetMissing) {
                    try {
                        return ZonedDateTime.parse(v).toInstant();
                    } catch (DateTimeParseException notZoned) {
                        return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
                    }
                }
            }
            return LocalDateTime.parse(v, SPACED).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            errors.add(new Violation(field, field + " '" + Numbers.abbreviate(v)
                    + "' is not unix seconds, unix milliseconds, ISO-8601 or 'yyyy-MM-dd HH:mm:ss'"));
            return null;
        }
    }

    private static Map<String, String> single(Map<String, List<String>> params, List<Violation> errors) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            List<String> values = e.getValue();
            if (values == null || values.isEmpty()) {
                continue;
            }
            if (KNOWN.contains(e.getKey())) {
                Set<String> distinct = new LinkedHashSet<>(values);
                if (distinct.size() > 1) {
                    errors.add(new Violation(e.getKey(), e.getKey() + " is given " + values.size()
                            + " times with different values"));
                }
            }
            out.put(e.getKey(), values.get(values.size() - 1));
        }
        return out;
    }

    private static Double required(String name, Map<String, String> p, List<Violation> errors) {
        if (!p.containsKey(name)) {
            errors.add(new Violation(name, name + " is required"));
            return null;
        }
        return Numbers.decimal(name, p.get(name).trim(), errors);
    }

    private static Double optional(String name, Map<String, String> p, List<Violation> errors) {
        String value = p.get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        return Numbers.decimal(name, value.trim(), errors);
    }

    /** Trackers and the BackgroundGeolocation plugin send -1 for "not known". */
    private static Double unknownIfNegative(Double value) {
        return value != null && value < 0 ? null : value;
    }

    /** Absence of an alarm says nothing about the strap, so it maps to null, not false. */
    private static Boolean tamper(String alarm) {
        if (alarm == null) {
            return null;
        }
        for (String a : alarm.split(",")) {
            if (TAMPER_ALARMS.contains(a.trim().toLowerCase(Locale.ROOT))) {
                return Boolean.TRUE;
            }
        }
        return null;
    }
}
