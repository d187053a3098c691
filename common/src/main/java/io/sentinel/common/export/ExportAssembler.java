package io.sentinel.common.export;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Writes a peer's streamed export ({@link ExportParts.Part}s in order) back into the text of one
 * JSON object, a fragment per part, so the receiver can pass it on without holding it. Each record
 * must be exactly one JSON value (a malformed or smuggled one is refused, never copied), a kind may
 * appear in one run of parts only, and {@link #close()} closes whatever is open: a stream cut short
 * still yields valid JSON.
 */
public final class ExportAssembler {
    private static final JsonFactory JSON = new JsonFactory();

    private final Set<String> seen = new HashSet<>();
    private String kind;
    private boolean single;
    private int inKind;
    private long records;
    private boolean closed;

    /** The text that opens the object. */
    public String open() {
        return "{";
    }

    /** The text of one more part; IllegalArgumentException when the part breaks the export form. */
    public String add(ExportParts.Part part) {
        if (closed) {
            throw new IllegalStateException("export already closed");
        }
        // Everything is checked before anything changes, so a refused part leaves the text closable.
        boolean newKind = !part.kind().equals(kind);
        if (newKind) {
            if (part.kind().isEmpty()) {
                throw new IllegalArgumentException("a part has no kind");
            }
            if (seen.contains(part.kind())) {
                throw new IllegalArgumentException("kind \"" + part.kind() + "\" sent in two runs");
            }
        } else if (single || part.single()) {
            throw new IllegalArgumentException("single-value kind \"" + kind + "\" sent in more than one part");
        }
        if (part.single() && part.records().size() != 1) {
            throw new IllegalArgumentException("single-value kind \"" + part.kind() + "\" must carry exactly one record");
        }
        part.records().forEach(ExportAssembler::requireOneValue);
        StringBuilder out = new StringBuilder();
        if (newKind) {
            seen.add(part.kind());
            closeKind(out);
            if (kind != null) {
                out.append(',');
            }
            out.append('"').append(JsonStringEncoder.getInstance().quoteAsString(part.kind())).append("\":");
            kind = part.kind();
            single = part.single();
            inKind = 0;
            if (!single) {
                out.append('[');
            }
        }
        for (String r : part.records()) {
            if (inKind++ > 0) {
                out.append(',');
            }
            out.append(r);
            records++;
        }
        return out.toString();
    }

    /** The text that closes any open kind and the object. */
    public String close() {
        if (closed) {
            return "";
        }
        closed = true;
        StringBuilder out = new StringBuilder();
        closeKind(out);
        return out.append('}').toString();
    }

    /** Records written so far, over all kinds. */
    public long records() {
        return records;
    }

    private void closeKind(StringBuilder out) {
        if (kind != null && !single) {
            out.append(']');
        }
    }

    static void requireOneValue(String record) {
        try (JsonParser p = JSON.createParser(record)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IllegalArgumentException("an empty record");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("a record holds more than one JSON value");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("a record is not valid JSON");
        }
    }
}
