package io.sentinel.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** k8s/: the cluster-scoped objects the chart must not own, and their fit with the agency files. */
class ClusterObjectsTest {

    private static final Map<String, String> RESTRICTED = Map.of(
            "pod-security.kubernetes.io/enforce", "restricted",
            "pod-security.kubernetes.io/audit", "restricted",
            "pod-security.kubernetes.io/warn", "restricted");

    static List<HasMetadata> clusterObjects() {
        List<HasMetadata> objects = new ArrayList<>();
        for (String dir : List.of("namespaces", "storage-classes")) {
            for (Path file : SentinelChart.yamlFiles(SentinelChart.k8sDir().resolve(dir))) {
                objects.addAll(KubernetesYaml.parseAll(SentinelChart.read(file)));
            }
        }
        return objects;
    }

    static List<Namespace> namespaces() {
        return clusterObjects().stream().filter(Namespace.class::isInstance).map(Namespace.class::cast).toList();
    }

    static List<StorageClass> storageClasses() {
        return clusterObjects().stream().filter(StorageClass.class::isInstance).map(StorageClass.class::cast).toList();
    }

    @Test
    void holdsOnlyClusterScopedNamespacesAndStorageClasses() {
        List<HasMetadata> objects = clusterObjects();

        assertTrue(objects.size() >= 2);
        for (HasMetadata object : objects) {
            assertTrue(object instanceof Namespace || object instanceof StorageClass, object.getKind());
            assertNull(object.getMetadata().getNamespace(), object.getMetadata().getName());
            assertEquals("sentinel", object.getMetadata().getLabels().get("app.kubernetes.io/part-of"));
        }
    }

    @Test
    void everyNamespaceEnforcesTheRestrictedPodSecurityStandardAndNamesItsAgency() {
        for (Namespace namespace : namespaces()) {
            Map<String, String> labels = namespace.getMetadata().getLabels();
            RESTRICTED.forEach((key, value) -> assertEquals(value, labels.get(key), namespace.getMetadata().getName() + " " + key));
            assertEquals(namespace.getMetadata().getName(), labels.get("sentinel.io/agency"));
            assertNotNull(labels.get("sentinel.io/data-region"), namespace.getMetadata().getName());
        }
    }

    @Test
    void thereIsOneNamespacePerAgencyFile() {
        Set<String> agencies = SentinelChart.agencyValuesFiles().stream().map(SentinelChart::agencyId)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> namespaces = namespaces().stream().map(n -> n.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));

        assertEquals(agencies, namespaces);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#agencyValues")
    void agencyNamespaceAndStorageClassBelongToTheAgencyRegion(Path values) {
        var release = SentinelChart.render(values);
        Namespace namespace = namespaces().stream().filter(n -> n.getMetadata().getName().equals(release.namespace()))
                .findFirst().orElseThrow(() -> new AssertionError("k8s/namespaces has no " + release.namespace()));
        String storageClassName = (String) SentinelChart.path(release.values(), "residency", "storageClass");
        StorageClass storageClass = storageClasses().stream()
                .filter(s -> s.getMetadata().getName().equals(storageClassName)).findFirst()
                .orElseThrow(() -> new AssertionError("k8s/storage-classes has no " + storageClassName));

        assertEquals(release.region(), namespace.getMetadata().getLabels().get("sentinel.io/data-region"));
        assertEquals(release.region(), storageClass.getMetadata().getLabels().get("sentinel.io/data-region"));
    }

    @Test
    void everyStorageClassProvisionsOnlyInItsRegionZonesOnceThePodIsPlaced() {
        List<StorageClass> classes = storageClasses();

        assertTrue(classes.size() >= 2);
        for (StorageClass storageClass : classes) {
            String name = storageClass.getMetadata().getName();
            String region = storageClass.getMetadata().getLabels().get("sentinel.io/data-region");
            assertNotNull(region, name);
            assertEquals("WaitForFirstConsumer", storageClass.getVolumeBindingMode(), name);
            assertEquals(1, storageClass.getAllowedTopologies().size(), name);
            var expressions = storageClass.getAllowedTopologies().get(0).getMatchLabelExpressions();
            assertEquals(1, expressions.size(), name);
            assertEquals("topology.kubernetes.io/zone", expressions.get(0).getKey(), name);
            assertTrue(expressions.get(0).getValues().size() >= 2, name + ": spreading needs more than one zone");
            for (String zone : expressions.get(0).getValues()) {
                assertTrue(zone.matches(java.util.regex.Pattern.quote(region) + "-?[a-z]"),
                        name + ": zone " + zone + " is not in region " + region);
            }
        }
        Set<String> regions = classes.stream().map(s -> s.getMetadata().getLabels().get("sentinel.io/data-region"))
                .collect(Collectors.toSet());
        assertEquals(classes.size(), regions.size(), "one storage class per region");
    }
}
