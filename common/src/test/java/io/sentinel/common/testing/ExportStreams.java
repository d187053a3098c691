package io.sentinel.common.testing;

import java.util.Iterator;
import java.util.function.Function;

import io.sentinel.common.export.ExportAssembler;
import io.sentinel.common.export.ExportParts;

/** Joins a peer's streamed export (ExportSubject) into the JSON text of its export object, as enrollment-svc does. */
public final class ExportStreams {
    private ExportStreams() {
    }

    public static <T> String join(Iterator<T> messages, Function<T, ExportParts.Part> part) {
        ExportAssembler a = new ExportAssembler();
        StringBuilder out = new StringBuilder(a.open());
        messages.forEachRemaining(m -> out.append(a.add(part.apply(m))));
        return out.append(a.close()).toString();
    }
}
