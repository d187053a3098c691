package io.sentinel.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class KubernetesYamlTest {

    /** A minimal Deployment whose container sets one securityContext field (%s) to true. */
    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
            spec:
              selector:
                matchLabels: { app: demo }
              template:
                metadata:
                  labels: { app: demo }
                spec:
                  containers:
                    - name: demo
                      image: demo:1
                      securityContext:
                        %s: true
            """;

    @Test
    void parsesEveryDocumentOfAStreamIntoTypedObjects() {
        var objects = KubernetesYaml.parseAll(DEPLOYMENT.formatted("readOnlyRootFilesystem")
                + "---\n# only a comment\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: demo\n");

        assertEquals(2, objects.size());
        Deployment deployment = assertInstanceOf(Deployment.class, objects.get(0));
        assertTrue(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getSecurityContext().getReadOnlyRootFilesystem());
        assertInstanceOf(ServiceAccount.class, objects.get(1));
    }

    @Test
    void rejectsAMisspeltFieldDeepInsideAnObject() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> KubernetesYaml.parseAll(DEPLOYMENT.formatted("readOnlyRootFileSystem")));

        assertTrue(error.getMessage().contains("readOnlyRootFileSystem"), error.getMessage());
        assertTrue(error.getMessage().startsWith("Deployment demo"), error.getMessage());
    }

    @Test
    void rejectsAKindTheChartMustNotProduce() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> KubernetesYaml.parseAll("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"));

        assertTrue(error.getMessage().contains("'v1/Secret'"), error.getMessage());
    }

    @Test
    void keepsCertManagerCertificatesAsPlainMapsOutOfTheTypedObjects() {
        String yaml = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: demo\n---\n"
                + "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: demo\n"
                + "spec:\n  commonName: demo\n  privateKey: { size: 256 }\n";

        assertEquals(1, KubernetesYaml.parseAll(yaml).size());
        var resources = KubernetesYaml.parseCustomResources(yaml);
        assertEquals(1, resources.size());
        var spec = (java.util.Map<?, ?>) resources.get(0).get("spec");
        assertEquals("demo", spec.get("commonName"));
        assertEquals(256, ((java.util.Map<?, ?>) spec.get("privateKey")).get("size"));
    }

    @Test
    void rejectsACustomResourceOfAnotherGroupOrVersion() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> KubernetesYaml.parseAll("apiVersion: cert-manager.io/v1alpha2\nkind: Certificate\nmetadata:\n  name: a\n"));

        assertTrue(error.getMessage().contains("'cert-manager.io/v1alpha2/Certificate'"), error.getMessage());
    }

    @Test
    void rejectsADuplicatedKey() {
        var error = assertThrows(UncheckedIOException.class, () -> KubernetesYaml.parseAll(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  name: b\n"));

        assertTrue(error.getMessage().contains("Duplicate field 'name'"), error.getMessage());
    }
}
