package io.sentinel.helm;

import static io.sentinel.helm.SentinelChart.SERVICE_NAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart and the manifests quarkus-kubernetes generates at package time must agree on the
 * image, ports and probe paths: the generated manifest is what the service itself believes.
 */
class QuarkusManifestAgreementTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"enrollment", "biometric", "location", "rules"})
    void chartAndGeneratedManifestAgreeOnImagePortsAndProbes(String service) {
        String name = SERVICE_NAMES.get(service);
        Path generated = SentinelChart.repoRoot().resolve(name).resolve("target/kubernetes/kubernetes.yml");
        assumeTrue(Files.isRegularFile(generated), generated + " is missing: package " + name
                + " first (./mvnw -pl " + name + " package) to compare its generated manifest with the chart");

        List<HasMetadata> quarkus = KubernetesYaml.parseKnownKinds(SentinelChart.read(generated));
        Container expected = only(quarkus, Deployment.class, name).getSpec().getTemplate().getSpec().getContainers().get(0);
        var release = SentinelChart.render(SentinelChart.chartDir().resolve("ci/minimal-values.yaml"));
        Container actual = RenderedChartTest.container(release, service);

        assertEquals(expected.getName(), actual.getName(), "container name");
        assertEquals(expected.getImage(), actual.getImage(),
                "image: set quarkus.container-image.registry/group/name in " + name + " to match the chart's image values");
        assertEquals(ports(expected), ports(actual), "container ports (name:port/protocol)");
        boolean tlsOnly = servesTlsOnlyInProduction(name);
        assertProbe("liveness", expected, expected.getLivenessProbe(), actual, actual.getLivenessProbe(), tlsOnly);
        assertProbe("readiness", expected, expected.getReadinessProbe(), actual, actual.getReadinessProbe(), tlsOnly);
        assertProbe("startup", expected, expected.getStartupProbe(), actual, actual.getStartupProbe(), tlsOnly);

        // The chart migrates in-process at start and runs no init container or Job; a generated
        // Flyway init task (quarkus.kubernetes.init-task-defaults) would mean another model.
        var generatedPod = only(quarkus, Deployment.class, name).getSpec().getTemplate().getSpec();
        assertEquals(List.of(), generatedPod.getInitContainers().stream().map(Container::getName).toList(),
                "init containers: set quarkus.kubernetes.init-task-defaults.enabled=false in " + name);
        Set<String> chartEnv = RenderedChartTest.env(actual).keySet();
        Set<String> missing = expected.getEnv().stream().map(e -> e.getName())
                .filter(e -> !"KUBERNETES_NAMESPACE".equals(e)).filter(e -> !chartEnv.contains(e))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        assertEquals(Set.of(), missing, "environment the generated manifest sets but the chart does not");

        Service expectedService = only(quarkus, Service.class, name);
        Service actualService = release.one(Service.class, release.name(service));
        assertEquals(servicePorts(expectedService, expected), servicePorts(actualService, actual),
                "Service ports (name:port->containerPort); quarkus.kubernetes.ports.http.host-port sets the generated Service port");
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> matches = objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> name.equals(o.getMetadata().getName())).toList();
        assertEquals(1, matches.size(), "generated " + type.getSimpleName() + " " + name);
        return matches.get(0);
    }

    private static Set<String> ports(Container container) {
        return container.getPorts().stream()
                .map(p -> p.getName() + ":" + p.getContainerPort() + "/" + p.getProtocol())
                .collect(Collectors.toSet());
    }

    private static Set<String> servicePorts(Service service, Container container) {
        Function<IntOrString, Integer> resolve = port -> resolve(container, port);
        return service.getSpec().getPorts().stream()
                .map(p -> p.getName() + ":" + p.getPort() + "->" + resolve.apply(p.getTargetPort()))
                .collect(Collectors.toSet());
    }

    /**
     * The probe scheme. quarkus-kubernetes 3.32 writes HTTP unless
     * quarkus.kubernetes.*-probe.http-action-scheme says otherwise, even when %prod serves TLS
     * only (quarkus.http.insecure-requests=disabled). So when the service's production
     * configuration serves TLS only, the chart must probe HTTPS whatever the generated manifest
     * says; otherwise the two must agree.
     */
    private static void assertProbe(String kind, Container expectedContainer, Probe expected, Container actualContainer,
            Probe actual, boolean tlsOnly) {
        assertNotNull(expected, "quarkus-kubernetes generated no " + kind + " probe (is quarkus-smallrye-health present?)");
        assertNotNull(actual, "chart has no " + kind + " probe");
        assertEquals(expected.getHttpGet().getPath(), actual.getHttpGet().getPath(), kind + " path");
        if (tlsOnly) {
            assertEquals("HTTPS", scheme(actual), kind + " scheme: the service serves TLS only in production");
        } else {
            assertEquals(scheme(expected), scheme(actual), kind + " scheme");
        }
        assertEquals(resolve(expectedContainer, expected.getHttpGet().getPort()),
                resolve(actualContainer, actual.getHttpGet().getPort()), kind + " port");
    }

    /**
     * Whether the service's %prod profile refuses plain HTTP, read from its own
     * application.properties, else the shared defaults in common (which the service's file overrides).
     */
    static boolean servesTlsOnlyInProduction(String service) {
        String key = "%prod.quarkus.http.insecure-requests";
        for (Path file : List.of(
                SentinelChart.repoRoot().resolve(service).resolve("src/main/resources/application.properties"),
                SentinelChart.repoRoot().resolve("common/src/main/resources/META-INF/microprofile-config.properties"))) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            Properties properties = new Properties();
            try (var reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (properties.containsKey(key)) {
                return "disabled".equals(properties.getProperty(key).strip());
            }
        }
        return false;
    }

    private static String scheme(Probe probe) {
        return probe.getHttpGet().getScheme() == null ? "HTTP" : probe.getHttpGet().getScheme();
    }

    /** A port number, or a named port looked up in the container. */
    private static Integer resolve(Container container, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                .map(p -> p.getContainerPort()).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " has no port named " + port.getStrVal()));
    }
}
