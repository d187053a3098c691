package io.sentinel.enrollment.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;

import io.sentinel.api.enrollment.v1.ExportSubjectDataResponse;
import io.sentinel.enrollment.service.ExportService;

/** Reads a streamed subject-access export back into its document, checking the stream's form on the way. */
public final class ExportPieces {
    private ExportPieces() {
    }

    /** The document, the last piece (completeness, missing parts) and how many pieces carried it. */
    public record Joined(String json, ExportSubjectDataResponse last, int pieces) {
    }

    public static Joined join(Iterator<ExportSubjectDataResponse> stream) {
        StringBuilder doc = new StringBuilder();
        ExportSubjectDataResponse last = null;
        int pieces = 0;
        while (stream.hasNext()) {
            ExportSubjectDataResponse p = stream.next();
            assertThat(last).as("nothing follows the last piece").isNull();
            assertThat(p.getJson().length()).isLessThanOrEqualTo(ExportService.MAX_PIECE_CHARS);
            if (p.getLast()) {
                last = p;
            } else {
                assertThat(p.getMissingList()).isEmpty();
                assertThat(p.getComplete()).isFalse();
            }
            doc.append(p.getJson());
            pieces++;
        }
        assertThat(last).as("the stream ends with a piece marked last").isNotNull();
        return new Joined(doc.toString(), last, pieces);
    }
}
