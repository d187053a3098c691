package io.sentinel.location.domain.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sentinel.location.domain.Violation;

import java.util.List;

/**
 * Typed reads from a JSON tree that record a precise error instead of throwing; shared by the
 * JSON protocol parsers.
 */
public final class Json {

    /**
     * NaN/Infinity literals are allowed so the validator can name them; duplicate keys are an error
     * because the two values could disagree about a coordinate.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    /** The parsed tree, or null after adding a "body is not valid JSON" error. */
    public static JsonNode parse(String body, List<Violation> errors) {
        if (body == null || body.isBlank()) {
            errors.add(new Violation("body", "body is empty"));
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                errors.add(new Violation("body", "body is empty"));
                return null;
            }
            return node;
        } catch (JsonProcessingException e) {
            errors.add(new Violation("body", "body is not valid JSON: " + firstLine(e.getOriginalMessage())
                    + locationOf(e)));
            return null;
        }
    }

    /**
     * The number at {@code field} of {@code parent}; null when absent (after an error if required)
     * or malformed (always with an error). {@code allowText} accepts numbers sent as JSON strings.
     */
    public static Double number(JsonNode parent, String field, String path, boolean required, boolean allowText,
                                List<Violation> errors) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new Violation(path, path + " is required"));
            }
            return null;
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (allowText && node.isTextual()) {
            return Numbers.decimal(path, node.textValue(), errors);
        }
        errors.add(new Violation(path, path + " must be a number, got " + describe(node)));
        return null;
    }

    /** The boolean at {@code field}, or null when absent or malformed (with an error). */
    public static Boolean bool(JsonNode parent, String field, String path, List<Violation> errors) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        errors.add(new Violation(path, path + " must be true or false, got " + describe(node)));
        return null;
    }

    /** The text at {@code field}; numbers are accepted as their decimal text (ids are often numeric). */
    public static String text(JsonNode parent, String field, String path, boolean required, List<Violation> errors) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new Violation(path, path + " is required"));
            }
            return null;
        }
        if (node.isTextual()) {
            if (required && node.textValue().isBlank()) {
                errors.add(new Violation(path, path + " is empty"));
                return null;
            }
            return node.textValue();
        }
        if (node.isIntegralNumber()) {
            return node.asText();
        }
        errors.add(new Violation(path, path + " must be a string, got " + describe(node)));
        return null;
    }

    /** A short description of a node's JSON type and value for error messages. */
    public static String describe(JsonNode node) {
        String kind = switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
        if (node.isValueNode()) {
            return kind + " (" + Numbers.abbreviate(node.toString()) + ")";
        }
        return kind;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String locationOf(JsonProcessingException e) {
        if (e.getLocation() == null || e.getLocation().getLineNr() < 1) {
            return "";
        }
        return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
