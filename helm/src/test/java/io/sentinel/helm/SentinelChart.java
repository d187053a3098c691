package io.sentinel.helm;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/** The chart under test: where it is, its values files, and Helm lint/template runs over them. */
final class SentinelChart {

    /** Service keys as in values.yaml, with their object names and whom they call over gRPC. */
    static final Map<String, String> SERVICE_NAMES = orderedMap(
            "enrollment", "enrollment-svc",
            "biometric", "biometric-svc",
            "location", "location-svc",
            "rules", "rules-svc");
    static final Map<String, List<String>> CALLS = Map.of(
            "enrollment", List.of("rules", "location", "biometric"),
            "biometric", List.of("rules"),
            "location", List.of("rules"),
            "rules", List.of());
    static final int HTTP_PORT = 8080;
    /**
     * The Kubernetes version the chart is rendered for: that of the OpenAPI models in
     * io.kubernetes:client-java-api 24 (Kubernetes 1.32), against which every object is validated.
     */
    static final String KUBE_VERSION = "1.32.0";

    private static final Map<Path, Release> RENDERED = new ConcurrentHashMap<>();

    private SentinelChart() {
    }

    /** Repository root: the build sets sentinel.repo.root; /work/main otherwise. */
    static Path repoRoot() {
        String configured = System.getProperty("sentinel.repo.root");
        Path root = configured == null || configured.isBlank() ? Path.of("/work/main") : Path.of(configured);
        // Run from inside helm/ by an IDE, the property may point at the module itself.
        if (!Files.isDirectory(root.resolve("helm/sentinel")) && Files.isDirectory(root.resolve("sentinel"))) {
            root = root.getParent();
        }
        return root.toAbsolutePath().normalize();
    }

    static Path chartDir() {
        return repoRoot().resolve("helm/sentinel");
    }

    static Path agenciesDir() {
        return repoRoot().resolve("helm/agencies");
    }

    static Path k8sDir() {
        return repoRoot().resolve("k8s");
    }

    static List<Path> agencyValuesFiles() {
        return yamlFiles(agenciesDir());
    }

    static List<Path> ciValuesFiles() {
        return yamlFiles(chartDir().resolve("ci"));
    }

    /** Every agency file and every ci/*.yaml: each must lint and render. */
    static List<Path> allValuesFiles() {
        List<Path> all = new ArrayList<>(agencyValuesFiles());
        all.addAll(ciValuesFiles());
        return all;
    }

    /** Arguments for parameterized tests, named by file. */
    static Stream<Named<Path>> allValues() {
        return named(allValuesFiles());
    }

    static Stream<Named<Path>> agencyValues() {
        return named(agencyValuesFiles());
    }

    private static Stream<Named<Path>> named(List<Path> files) {
        return files.stream().map(f -> Named.of(
                f.getParent().getFileName() + "/" + f.getFileName(), f));
    }

    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
            if (found.isEmpty()) {
                throw new IllegalStateException("no .yaml files in " + dir);
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readValues(Path file) {
        Object tree = KubernetesYaml.parseTree(read(file));
        if (!(tree instanceof Map)) {
            throw new IllegalArgumentException(file + " is not a YAML mapping");
        }
        return (Map<String, Object>) tree;
    }

    /** Chart defaults overlaid with the file, the way Helm coalesces them. */
    static Map<String, Object> effectiveValues(Path valuesFile) {
        return coalesce(readValues(chartDir().resolve("values.yaml")), readValues(valuesFile));
    }

    static String agencyId(Path valuesFile) {
        Object id = path(readValues(valuesFile), "agency", "id");
        if (!(id instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException(valuesFile + " has no agency.id");
        }
        return s;
    }

    /** Renders the file as its agency would install it: release and namespace named after the agency. */
    static Release render(Path valuesFile) {
        return RENDERED.computeIfAbsent(valuesFile.toAbsolutePath(), file -> {
            String agency = agencyId(file);
            String yaml = template(file, agency, agency);
            return new Release(file, agency, effectiveValues(file), yaml, KubernetesYaml.parseAll(yaml),
                    KubernetesYaml.parseCustomResources(yaml));
        });
    }

    /** helm template; throws IllegalStateException with Helm's message when rendering fails. */
    static String template(Path valuesFile, String releaseName, String namespace) {
        return template(valuesFile, releaseName, namespace, KUBE_VERSION);
    }

    static String template(Path valuesFile, String releaseName, String namespace, String kubeVersion) {
        return new Helm(chartDir()).template()
                .withKubeVersion(kubeVersion)
                .withName(releaseName)
                .withNamespace(namespace)
                .withValuesFile(valuesFile)
                .call();
    }

    /** NOTES.txt as `helm install` prints it (client-only dry run: no cluster is contacted). */
    static String notes(Path valuesFile) {
        String agency = agencyId(valuesFile);
        String output = new Helm(chartDir()).install()
                .withKubeVersion(KUBE_VERSION)
                .withName(agency)
                .withNamespace(agency)
                .withValuesFile(valuesFile)
                .clientOnly()
                .dryRun()
                .withDryRunOption(DryRun.CLIENT)
                .call()
                .getOutput();
        int notes = output.indexOf("NOTES:");
        if (notes < 0) {
            throw new IllegalStateException("helm install printed no NOTES:\n" + output);
        }
        return output.substring(notes + "NOTES:".length());
    }

    /**
     * helm lint --strict with the file's values. helm-java's lint takes no values file, so the
     * chart is copied and its values.yaml replaced by the coalesced values: the same input
     * `helm lint --strict -f file` would see. helm-java's lint cannot be given a Kubernetes version
     * either and assumes 1.20, which the chart's kubeVersion refuses, so the copy drops that line
     * (template and install, which take a version, check it: ChartGuardsTest).
     */
    static LintResult lint(Path valuesFile, Path workDir) {
        Path copy = workDir.resolve("sentinel");
        copyTree(chartDir(), copy);
        try {
            Files.writeString(copy.resolve("values.yaml"), KubernetesYaml.write(effectiveValues(valuesFile)));
            Path chartYaml = copy.resolve("Chart.yaml");
            Files.writeString(chartYaml, Files.readString(chartYaml).replaceAll("(?m)^kubeVersion:.*$", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Helm(copy).lint().strict().call();
    }

    /** Values as a temporary file, for tests that render variations of a valid file. */
    static Path writeValues(Map<String, Object> values, Path dir, String name) {
        Path file = dir.resolve(name + ".yaml");
        try {
            Files.writeString(file, KubernetesYaml.write(values));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Helm's rule: maps merge key by key, anything else from the overlay wins, null deletes. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> coalesce(Map<String, Object> base, Map<String, Object> overlay) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        overlay.forEach((key, value) -> {
            Object existing = merged.get(key);
            if (value == null) {
                merged.remove(key);
            } else if (value instanceof Map && existing instanceof Map) {
                merged.put(key, coalesce((Map<String, Object>) existing, (Map<String, Object>) value));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    /** Deep copy of a values tree, so a test can change it without touching the cache. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> copy(Map<String, Object> values) {
        return (Map<String, Object>) KubernetesYaml.parseTree(KubernetesYaml.write(values));
    }

    @SuppressWarnings("unchecked")
    static Object path(Map<String, Object> values, String... keys) {
        Object current = values;
        for (String key : keys) {
            if (!(current instanceof Map)) {
                return null;
            }
            current = ((Map<String, Object>) current).get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> values, String... keys) {
        Object found = path(values, keys);
        return found instanceof Map ? (Map<String, Object>) found : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> values, String... keys) {
        Object found = path(values, keys);
        return found instanceof List ? (List<Object>) found : List.of();
    }

    private static void copyTree(Path link, Path to) {
        Path from;
        try {
            from = link.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** One rendered release: its values, typed objects and custom resources (plain maps). */
    record Release(Path valuesFile, String agency, Map<String, Object> values, String yaml, List<HasMetadata> objects,
            List<Map<String, Object>> customResources) {

        String namespace() {
            return agency;
        }

        String region() {
            return (String) path(values, "residency", "region");
        }

        boolean enabled(String service) {
            return Boolean.TRUE.equals(path(values, "services", service, "enabled"));
        }

        List<String> enabledServices() {
            return SERVICE_NAMES.keySet().stream().filter(this::enabled).toList();
        }

        /** Object name of a service in this release. */
        String name(String service) {
            return agency + "-" + SERVICE_NAMES.get(service);
        }

        /** The cert-manager Certificates, as plain maps. */
        List<Map<String, Object>> certificates() {
            return customResources.stream().filter(r -> "Certificate".equals(r.get("kind"))).toList();
        }

        /** A name from the values, or the chart's default when the value is empty. */
        String nameOrDefault(String fallback, String... keys) {
            Object configured = path(values, keys);
            return configured instanceof String s && !s.isEmpty() ? s : fallback;
        }

        /** The Secret with the service's own service-token private key. */
        String serviceTokenKeySecret(String service) {
            return nameOrDefault(name(service) + "-token-key", "services", service, "serviceTokenKey", "existingSecret");
        }

        /** The ConfigMap with every enabled service's public service-token key. */
        String serviceTokenPublicKeysConfigMap() {
            return nameOrDefault(agency + "-service-token-public-keys", "auth", "serviceTokenPublicKeys", "existingConfigMap");
        }

        /** The kubernetes.io/tls Secret of the service's certificate. */
        String tlsSecret(String service) {
            return nameOrDefault(name(service) + "-tls", "services", service, "tls", "existingSecret");
        }

        String databaseCaSecret(String service) {
            return nameOrDefault(name(service) + "-db-ca", "services", service, "database", "tls", "caSecret", "name");
        }

        /** The Secret with the credentials of the role Flyway migrates the service's database as. */
        String databaseMigrationSecret(String service) {
            return nameOrDefault(name(service) + "-db-migration", "services", service, "database", "migration", "existingSecret");
        }

        /** The Secret with the key of the service's audit chain. */
        String auditKeySecret(String service) {
            return nameOrDefault(name(service) + "-audit-key", "services", service, "audit", "keySecret", "existingSecret");
        }

        /** The claim every service appends its audit checkpoints to, or null for an emptyDir per pod. */
        String auditCheckpointsClaim() {
            return nameOrDefault(null, "audit", "checkpoints", "existingClaim");
        }

        String jwtVerifySecret() {
            return nameOrDefault(agency + "-jwt-verify", "auth", "verifyKey", "existingSecret");
        }

        boolean mqttEnabled() {
            return enabled("location") && Boolean.TRUE.equals(path(values, "services", "location", "mqtt", "enabled"));
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type, String name) {
            List<T> matches = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
            if (matches.size() != 1) {
                throw new AssertionError(valuesFile.getFileName() + ": expected one " + type.getSimpleName()
                        + " named " + name + ", found " + matches.size());
            }
            return matches.get(0);
        }

        @Override
        public String toString() {
            return valuesFile.getFileName().toString();
        }
    }
}
