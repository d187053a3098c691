package io.sentinel.common.export;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Cuts a peer's subject-access export into bounded messages (sentinel.internal.v1 ExportSubject):
 * each a record kind and some of its records, each one JSON value, so no message outgrows gRPC
 * limits however long the subject's history.
 */
public final class ExportParts {
    /** Largest message a peer sends (a single record larger than this travels alone). */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024;
    /** Rows read per keyset page of a large kind. */
    public static final int PAGE_ROWS = 2_000;
    // Room for the kind, the field tags and the length prefixes.
    private static final int HEADER_BYTES = 1_024;
    private static final int PER_RECORD_BYTES = 6;

    private ExportParts() {
    }

    /** Some records of one kind; {@code single}: the kind is one value (records holds it), not a list. */
    public record Part(String kind, boolean single, List<String> records) {
    }

    /**
     * Records of one kind in parts of at most {@link #MAX_MESSAGE_BYTES} on the wire; no records
     * give no parts (the caller sends the kind once, empty, when it has none at all).
     */
    public static List<Part> pack(String kind, List<String> records) {
        List<Part> out = new ArrayList<>();
        List<String> current = new ArrayList<>();
        long size = HEADER_BYTES;
        for (String r : records) {
            long n = utf8Length(r) + PER_RECORD_BYTES;
            if (!current.isEmpty() && size + n > MAX_MESSAGE_BYTES) {
                out.add(new Part(kind, false, current));
                current = new ArrayList<>();
                size = HEADER_BYTES;
            }
            current.add(r);
            size += n;
        }
        if (!current.isEmpty()) {
            out.add(new Part(kind, false, current));
        }
        return out;
    }

    /** An empty list of one kind: sent when the kind has no records, so the export still names it. */
    public static Part empty(String kind) {
        return new Part(kind, false, List.of());
    }

    /**
     * Every field of an export assembled in memory (a small one: conditions, alerts, check-ins):
     * arrays as records of their kind, any other value (object, string, null) as a single value.
     */
    public static List<Part> of(ObjectNode root, ObjectMapper json) {
        List<Part> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (value.isArray()) {
                List<String> records = new ArrayList<>(value.size());
                for (JsonNode e : value) {
                    records.add(write(json, e));
                }
                List<Part> parts = pack(field.getKey(), records);
                out.addAll(parts.isEmpty() ? List.of(empty(field.getKey())) : parts);
            } else {
                out.add(new Part(field.getKey(), true, List.of(write(json, value))));
            }
        }
        return out;
    }

    private static String write(ObjectMapper json, JsonNode n) {
        try {
            return json.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes the string takes in UTF-8 (as protobuf writes it), without encoding it. */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
