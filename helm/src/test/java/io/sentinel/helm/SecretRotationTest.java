package io.sentinel.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services read keys at start, so a rotation must change the pod template and restart them. */
class SecretRotationTest {

    @TempDir
    Path dir;

    @Test
    void bumpingSecretsRevisionChangesEveryPodsChecksum() {
        Map<String, String> before = checksums(values -> { });
        Map<String, String> after = checksums(values -> values.put("secretsRevision", "2026-12-07"));

        assertEquals(before.keySet(), after.keySet());
        assertEquals(4, before.size());
        before.forEach((deployment, checksum) -> assertNotEquals(checksum, after.get(deployment), deployment));
    }

    @Test
    void pointingAServiceAtAnotherSecretChangesOnlyItsChecksum() {
        Map<String, String> before = checksums(values -> { });
        Map<String, String> after = checksums(values -> ValuesSchemaTest.map(ValuesSchemaTest.map(values, "services"), "rules")
                .put("tls", Map.of("existingSecret", "ci-minimal-rules-svc-tls-2026")));

        before.forEach((deployment, checksum) -> assertEquals(deployment.endsWith("rules-svc"),
                !checksum.equals(after.get(deployment)), deployment));
    }

    private Map<String, String> checksums(Consumer<Map<String, Object>> change) {
        Map<String, Object> values = ValuesSchemaTest.minimal();
        change.accept(values);
        String yaml = SentinelChart.template(SentinelChart.writeValues(values, dir, "values"), "ci-minimal", "ci-minimal");
        Map<String, String> checksums = new HashMap<>();
        for (var object : KubernetesYaml.parseAll(yaml)) {
            if (object instanceof Deployment deployment) {
                var annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
                assertTrue(annotations.get("checksum/secrets").matches("[0-9a-f]{64}"), annotations.toString());
                checksums.put(deployment.getMetadata().getName(), annotations.get("checksum/secrets"));
            }
        }
        return checksums;
    }
}
