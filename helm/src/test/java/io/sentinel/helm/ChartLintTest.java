package io.sentinel.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** helm lint --strict for every agency file and every ci/*.yaml. */
class ChartLintTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#allValues")
    void lintsStrictlyWithoutErrorsOrWarnings(Path values) {
        var result = SentinelChart.lint(values, dir);

        List<String> findings = result.getMessages().stream()
                .filter(m -> m.startsWith("[ERROR]") || m.startsWith("[WARNING]")).toList();
        assertEquals(List.of(), findings);
        assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
    }

    @Test
    void lintReportsValuesTheSchemaRejects() throws Exception {
        Path values = dir.resolve("bad.yaml");
        Files.writeString(values, Files.readString(SentinelChart.chartDir().resolve("ci/minimal-values.yaml"))
                + "\nreplicaCount: 2\n");
        Path work = Files.createDirectories(dir.resolve("work"));

        var result = SentinelChart.lint(values, work);

        assertTrue(result.isFailed());
        assertTrue(result.getMessages().stream().anyMatch(m -> m.contains("additional properties 'replicaCount' not allowed")),
                String.join("\n", result.getMessages()));
    }

    @Test
    void everyAgencyFileAndCiFileIsCovered() {
        assertEquals(3, SentinelChart.agencyValuesFiles().size());
        assertTrue(SentinelChart.ciValuesFiles().size() >= 3);
        for (Path file : SentinelChart.allValuesFiles()) {
            assertEquals(file.getFileName().toString().replace("-values.yaml", "").replace(".yaml", ""),
                    SentinelChart.agencyId(file).replaceFirst("^ci-", ""), "file name follows the agency id: " + file);
        }
    }
}
