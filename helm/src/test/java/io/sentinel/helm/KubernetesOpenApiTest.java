package io.sentinel.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendered object and every object in k8s/ against the Kubernetes OpenAPI models (unknown
 * fields and missing required ones rejected), and every pod against Pod Security "restricted".
 */
class KubernetesOpenApiTest {

    /** Custom resources the chart may render; their schemas are checked in ProductionContractTest. */
    private static final Set<String> CHART_CUSTOM_KINDS = Set.of("cert-manager.io/v1/Certificate");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#allValues")
    void everyRenderedObjectMatchesTheOpenApiModels(Path values) {
        var release = SentinelChart.render(values);
        List<JsonNode> documents = KubernetesYaml.documents(release.yaml());

        assertEquals(release.objects().size() + release.customResources().size(), documents.size());
        int validated = 0;
        for (JsonNode document : documents) {
            if (CHART_CUSTOM_KINDS.contains(KubernetesYaml.kind(document))) {
                continue;
            }
            OpenApiValidation.validate(document);
            validated++;
        }
        assertEquals(release.objects().size(), validated);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#allValues")
    void everyRenderedPodIsAdmittedUnderPodSecurityRestricted(Path values) {
        var release = SentinelChart.render(values);
        int pods = 0;
        for (JsonNode document : KubernetesYaml.documents(release.yaml())) {
            JsonNode pod = document.path("spec").path("template").path("spec");
            if (!pod.isMissingNode()) {
                assertEquals(List.of(), PodSecurityRestricted.violations(pod), document.path("metadata").path("name").asText());
                pods++;
            }
        }
        assertEquals(release.enabledServices().size(), pods);
    }

    static Stream<Path> k8sFiles() {
        try (Stream<Path> files = Files.walk(SentinelChart.k8sDir())) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("k8sFiles")
    void everyClusterObjectMatchesTheOpenApiModelsOrIsAKnownCustomResource(Path file) {
        List<JsonNode> documents = KubernetesYaml.documents(SentinelChart.read(file));

        assertFalse(documents.isEmpty(), file + " holds no object");
        for (JsonNode document : documents) {
            String kind = KubernetesYaml.kind(document);
            if (OpenApiValidation.hasModel(document)) {
                OpenApiValidation.validate(document);
            } else {
                assertTrue(KubernetesYaml.CUSTOM_KINDS.contains(kind), file + ": " + kind + " has no model and is no known custom resource");
            }
            JsonNode pod = document.path("spec").path("template").path("spec");
            if (!pod.isMissingNode()) {
                assertEquals(List.of(), PodSecurityRestricted.violations(pod), file.toString());
            }
        }
        // And the fabric8 models agree (they reject unknown fields too).
        KubernetesYaml.parseAll(SentinelChart.read(file));
    }

    @Test
    void theValidatorRejectsAnUnknownFieldDeepInsideAPod() {
        var error = assertThrows(IllegalArgumentException.class, () -> OpenApiValidation.validate(first(
                KubernetesYamlTest.DEPLOYMENT.formatted("readOnlyRootFileSystem"))));

        assertTrue(error.getMessage().contains("readOnlyRootFileSystem"), error.getMessage());
        assertTrue(error.getMessage().startsWith("Deployment demo"), error.getMessage());
    }

    @Test
    void theValidatorRejectsAMissingRequiredField() {
        var error = assertThrows(IllegalArgumentException.class, () -> OpenApiValidation.validate(first(
                "apiVersion: v1\nkind: Service\nmetadata: { name: demo }\nspec:\n  ports:\n    - name: http\n")));

        assertTrue(error.getMessage().contains("port"), error.getMessage());
    }

    @Test
    void theValidatorKnowsNoModelForACustomResource() {
        JsonNode cluster = first("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: { name: db }\n");

        assertFalse(OpenApiValidation.hasModel(cluster));
        assertThrows(IllegalArgumentException.class, () -> OpenApiValidation.validate(cluster));
    }

    @Test
    void podSecurityRestrictedRefusesWhatTheAdmissionControllerRefuses() {
        JsonNode pod = first("""
                containers:
                  - name: demo
                    securityContext: { privileged: true, capabilities: { add: [NET_ADMIN] } }
                    ports: [{ containerPort: 80, hostPort: 80 }]
                """);

        List<String> violations = PodSecurityRestricted.violations(pod);

        List<String> expected = new ArrayList<>(List.of("privileged: demo", "host ports: demo", "privilege escalation: demo",
                "running as non-root: demo", "seccomp: demo", "capabilities: demo must drop ALL", "capabilities: demo adds NET_ADMIN"));
        for (String control : expected) {
            assertTrue(violations.stream().anyMatch(v -> v.startsWith(control)), control + " not in " + violations);
        }
        JsonNode hostPath = first("spec:\n  containers: []\n  volumes: [{ name: h, hostPath: { path: / } }]\n").path("spec");
        assertTrue(PodSecurityRestricted.violations(hostPath).contains("volume types: h is hostPath"));
    }

    private static JsonNode first(String yaml) {
        return KubernetesYaml.documents(yaml).get(0);
    }
}
