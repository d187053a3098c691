package io.sentinel.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values that must never render: src/test/resources/negative/*.yaml, each an overlay on
 * ci/minimal-values.yaml whose first line reads "# refused: <the message Helm must print>".
 */
class NegativeValuesTest {

    private static final String REFUSED = "# refused: ";

    @TempDir
    Path dir;

    static Path negativeDir() {
        try {
            return Path.of(NegativeValuesTest.class.getResource("/negative").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Named<Path>> negativeValues() {
        return SentinelChart.yamlFiles(negativeDir()).stream().map(f -> Named.of(f.getFileName().toString(), f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("negativeValues")
    void failsToRenderWithItsMessage(Path overlay) {
        String expected = expectedMessage(overlay);
        Map<String, Object> values = SentinelChart.coalesce(ValuesSchemaTest.minimal(), SentinelChart.readValues(overlay));
        Path file = SentinelChart.writeValues(values, dir, "values");

        var error = assertThrows(IllegalStateException.class, () -> SentinelChart.template(file, "ci-minimal", "ci-minimal"));

        assertTrue(error.getMessage().contains(expected), "expected «" + expected + "» in:\n" + error.getMessage());
    }

    @Test
    void theBaseRendersAlone() {
        // Each refusal above is then its overlay's doing, not the base's.
        Path file = SentinelChart.writeValues(ValuesSchemaTest.minimal(), dir, "values");

        assertTrue(SentinelChart.template(file, "ci-minimal", "ci-minimal").contains("kind: Deployment"));
    }

    @Test
    void coversEverySpellingOfEveryAddressResidencyAndMutableImages() {
        List<String> names = negativeValues().map(Named::getPayload).map(p -> p.getFileName().toString()).toList();

        for (String required : List.of("cidr-ipv4-zero.yaml", "cidr-ipv4-zero-other-base.yaml", "cidr-ipv6-zero.yaml",
                "cidr-ipv6-zero-spelt-out.yaml", "cidr-ipv6-zero-long.yaml", "cidr-ipv4-half.yaml",
                "residency-storage-class-of-another-region.yaml", "residency-database-host-in-another-region.yaml",
                "residency-database-address-outside-region.yaml", "image-snapshot-tag.yaml")) {
            assertTrue(names.contains(required), required);
        }
        assertEquals(names.size(), names.stream().distinct().count());
    }

    private static String expectedMessage(Path overlay) {
        String first = SentinelChart.read(overlay).lines().findFirst().orElse("");
        if (!first.startsWith(REFUSED) || first.length() <= REFUSED.length() + 10) {
            throw new IllegalStateException(overlay + " must start with \"" + REFUSED + "<message>\"");
        }
        return first.substring(REFUSED.length());
    }
}
