package io.sentinel.enrollment.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.grpc.Status;
import io.sentinel.common.export.ExportParts;
import io.sentinel.enrollment.client.PeerExports;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

/** The streamed document: enrollment-svc's part, the peers' streams passed through, the combined access log, what is missing. */
class ExportServiceTest {
    final ObjectMapper mapper = new ObjectMapper();
    final String subject = UUID.randomUUID().toString();

    // Not a bean: only this test's ExportService uses it.
    @jakarta.enterprise.inject.Vetoed
    static final class FakePeers extends PeerExports {
        final Function<String, Multi<ExportParts.Part>> answer;

        FakePeers(Function<String, Multi<ExportParts.Part>> answer) {
            super(Map.of());
            this.answer = answer;
        }

        @Override
        public Multi<ExportParts.Part> export(String target, String subjectId) {
            return answer.apply(target);
        }
    }

    record Result(JsonNode doc, ExportService.Piece last, int pieces) {
    }

    Result run(Function<String, Multi<ExportParts.Part>> peers, ObjectNode own) throws Exception {
        ExportService exports = new ExportService(null, null, null, null, new FakePeers(peers), mapper, null);
        List<ExportService.Piece> pieces = exports.export(subject, own).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE))
                .awaitCompletion().getItems();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pieces.size(); i++) {
            ExportService.Piece p = pieces.get(i);
            assertThat(p.json().length()).isLessThanOrEqualTo(ExportService.MAX_PIECE_CHARS);
            assertThat(p.last()).isEqualTo(i == pieces.size() - 1);
            text.append(p.json());
        }
        return new Result(mapper.readTree(text.toString()), pieces.get(pieces.size() - 1), pieces.size());
    }

    static ExportParts.Part part(String kind, String... records) {
        return new ExportParts.Part(kind, false, List.of(records));
    }

    ObjectNode own(String accessLog) throws Exception {
        return (ObjectNode) mapper.readTree("{\"subject\":{\"familyName\":\"Example\"},\"access_log\":" + accessLog + "}");
    }

    @Test
    void theCombinedAccessLogListsEveryServicesEntriesOldestFirstEachNamingItsService() throws Exception {
        Result r = run(target -> switch (target) {
            case "rules-svc" -> Multi.createFrom().items(part("alerts"), part("access_log",
                    "{\"service\":\"rules-svc\",\"at\":\"2026-03-01T09:59:59.999999Z\",\"actor\":\"carol\",\"reference\":\"CASE-1\"}"));
            case "location-svc" -> Multi.createFrom().items(part("access_log", "{\"at\":\"2026-03-01T10:00:00.250Z\",\"actor\":\"dave\"}"));
            default -> Multi.createFrom().items(part("access_log", "{\"service\":\"biometric-svc\",\"at\":\"2026-03-01T11:00:00+01:00\",\"actor\":\"erin\"}"));
        }, own("""
                [{"service":"enrollment-svc","at":"2026-03-01T10:00:00Z","actor":"alice"},
                 {"service":"enrollment-svc","at":"2026-03-01T10:00:00.500Z","actor":"pc-bob"}]"""));

        List<String> seen = new ArrayList<>();
        r.doc().get("access_log").forEach(e -> seen.add(e.get("service").asText() + " " + e.get("actor").asText()));
        // 11:00+01:00 is 10:00Z: ties keep the services' order; fractions sort by time, not as text.
        assertThat(seen).containsExactly("rules-svc carol", "enrollment-svc alice", "biometric-svc erin", "location-svc dave", "enrollment-svc pc-bob");
        assertThat(r.doc().at("/enrollment-svc/subject/familyName").asText()).isEqualTo("Example");
        assertThat(r.doc().at("/rules-svc/alerts")).isEmpty();
        assertThat(r.doc().get("subjectId").asText()).isEqualTo(subject);
        assertThat(r.last().missing()).isEmpty();
        assertThat(r.doc().get("missing")).isEmpty();
    }

    @Test
    void aPeerFailingPartWayHasItsPartClosedAndIsNamedAsCutShort() throws Exception {
        Result r = run(target -> target.equals("location-svc")
                ? Multi.createBy().concatenating().streams(Multi.createFrom().items(part("subject_id", "\"s\""), part("fixes", "{\"n\":1}", "{\"n\":2}")),
                        Multi.createFrom().failure(Status.UNAVAILABLE.withDescription("connection lost").asRuntimeException()))
                : Multi.createFrom().items(part("access_log")), own("[]"));

        assertThat(r.doc().at("/location-svc/fixes")).hasSize(2);
        assertThat(r.doc().has("rules-svc")).isTrue();
        assertThat(r.doc().has("biometric-svc")).isTrue();
        assertThat(r.last().missing()).containsExactly("location-svc: UNAVAILABLE: connection lost (cut short after 3 records)");
        assertThat(r.doc().get("missing").get(0).asText()).startsWith("location-svc: UNAVAILABLE");
    }

    @Test
    void aPeerSendingAMalformedRecordIsCutThereAndNamed() throws Exception {
        Result r = run(target -> target.equals("rules-svc")
                ? Multi.createFrom().items(part("alerts", "{\"ok\":true}"), part("alerts", "1],\"smuggled\":[2"), part("alerts", "{\"late\":1}"))
                : Multi.createFrom().items(part("access_log")), own("[]"));

        assertThat(r.doc().at("/rules-svc/alerts")).hasSize(1);
        assertThat(r.doc().has("smuggled")).isFalse();
        assertThat(r.doc().at("/rules-svc").has("smuggled")).isFalse();
        assertThat(r.last().missing()).singleElement().asString().startsWith("rules-svc: sent a malformed export");
    }

    @Test
    void aLongTrailStreamsInBoundedPiecesThatReassembleWhole() throws Exception {
        int fixes = 100_000;
        // Characters outside the BMP, so a cut between the halves of a pair would show.
        String record = "{\"note\":\"\uD83D\uDE00\uD83D\uDE00\",\"n\":%d}";
        Result r = run(target -> target.equals("location-svc")
                ? Multi.createFrom().range(0, fixes / 1000).map(page -> {
                    List<String> rs = new ArrayList<>();
                    for (int i = 0; i < 1000; i++) {
                        rs.add(String.format(record, page * 1000 + i));
                    }
                    return new ExportParts.Part("fixes", false, rs);
                })
                : Multi.createFrom().items(part("access_log")), own("[]"));

        JsonNode trail = r.doc().at("/location-svc/fixes");
        assertThat(trail).hasSize(fixes);
        assertThat(trail.get(fixes - 1).get("n").asInt()).isEqualTo(fixes - 1);
        assertThat(trail.get(12_345).get("note").asText()).isEqualTo("\uD83D\uDE00\uD83D\uDE00");
        assertThat(r.pieces()).isGreaterThan(10);
        assertThat(r.last().missing()).isEmpty();
    }
}
