package io.sentinel.common.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ExportPartsTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void packsRecordsIntoPartsNoLargerThanTheMessageLimit() {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            records.add("{\"i\":" + i + ",\"text\":\"" + "é".repeat(50) + "\"}");
        }
        List<ExportParts.Part> parts = ExportParts.pack("fixes", records);
        assertThat(parts).hasSizeGreaterThan(1);
        long total = 0;
        for (ExportParts.Part p : parts) {
            long bytes = p.records().stream().mapToLong(r -> ExportParts.utf8Length(r) + 6).sum() + 1024;
            assertThat(bytes).isLessThanOrEqualTo(ExportParts.MAX_MESSAGE_BYTES);
            total += p.records().size();
        }
        assertThat(total).isEqualTo(10_000);
        assertThat(parts.get(0).records().get(0)).isEqualTo(records.get(0));
    }

    @Test
    void sendsARecordLargerThanTheLimitAlone() {
        String big = "\"" + "x".repeat(ExportParts.MAX_MESSAGE_BYTES) + "\"";
        List<ExportParts.Part> parts = ExportParts.pack("k", List.of("1", big, "2"));
        assertThat(parts).extracting(p -> p.records().size()).containsExactly(1, 1, 1);
    }

    @Test
    void countsUtf8BytesAsProtobufWritesThem() {
        String s = "aé€😀";
        assertThat(ExportParts.utf8Length(s)).isEqualTo(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void assembledPartsReadBackAsTheObjectTheyCameFrom() throws Exception {
        ObjectNode root = json.createObjectNode();
        root.put("subject_id", "s-1");
        root.putNull("conditions");
        root.putArray("alerts").addObject().put("id", 1);
        root.putArray("empty");
        root.putObject("state").put("inside", true);
        ExportAssembler a = new ExportAssembler();
        StringBuilder text = new StringBuilder(a.open());
        for (ExportParts.Part p : ExportParts.of(root, json)) {
            text.append(a.add(p));
        }
        text.append(a.close());
        assertThat(json.readTree(text.toString())).isEqualTo(root);
    }

    @Test
    void aStreamCutShortStillClosesIntoValidJson() throws Exception {
        ExportAssembler a = new ExportAssembler();
        String text = a.open() + a.add(new ExportParts.Part("fixes", false, List.of("{\"n\":1}", "{\"n\":2}"))) + a.close();
        JsonNode n = json.readTree(text);
        assertThat(n.get("fixes")).hasSize(2);
        assertThat(a.records()).isEqualTo(2);
    }

    @Test
    void refusesRecordsThatAreNotExactlyOneJsonValue() {
        ExportAssembler a = new ExportAssembler();
        a.open();
        assertThatThrownBy(() -> a.add(new ExportParts.Part("fixes", false, List.of("1],\"injected\":[2"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.add(new ExportParts.Part("fixes", false, List.of("{\"a\":")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.add(new ExportParts.Part("other", false, List.of("")))).isInstanceOf(IllegalArgumentException.class);
        // Refused parts leave nothing half-written: what was sent still closes into valid JSON.
        assertThat(json.createObjectNode()).isEqualTo(readTree("{" + a.close()));
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    @Test
    void refusesAKindSentInTwoRuns() {
        ExportAssembler a = new ExportAssembler();
        a.open();
        a.add(new ExportParts.Part("a", false, List.of("1")));
        a.add(new ExportParts.Part("b", false, List.of("2")));
        assertThatThrownBy(() -> a.add(new ExportParts.Part("a", false, List.of("3")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two runs");
    }
}
