package io.sentinel.helm;

import static io.sentinel.helm.RenderedChartTest.container;
import static io.sentinel.helm.RenderedChartTest.env;
import static io.sentinel.helm.RenderedChartTest.volume;
import static io.sentinel.helm.SentinelChart.CALLS;
import static io.sentinel.helm.SentinelChart.SERVICE_NAMES;
import static io.sentinel.helm.SentinelChart.list;
import static io.sentinel.helm.SentinelChart.map;
import static io.sentinel.helm.SentinelChart.path;
import static io.sentinel.helm.ValuesSchemaTest.minimal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a production start of each service needs and the chart must supply: every variable its
 * production configuration expands, TLS certificates naming the service, its own token key and
 * everyone's public keys, the token audience, database TLS, a migration role of its own, its own
 * audit key and a checkpoint directory, the partner list and (only when enabled) MQTT.
 */
class ProductionContractTest {

    private static final String VALUES = "io.sentinel.helm.SentinelChart#allValues";
    /** An environment variable expanded with no default; lower-case names are other properties. */
    private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");
    private static final Set<String> SSL_MODES = Set.of("verify-full", "verify-ca", "require");
    private static final Set<String> CERTIFICATE_SPEC = Set.of("secretName", "secretTemplate", "commonName", "dnsNames",
            "duration", "renewBefore", "usages", "privateKey", "issuerRef");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void noServiceMountsAnotherServicesTokenKeyOrAuditKey(Path values) {
        var release = SentinelChart.render(values);

        Set<String> keySecrets = new HashSet<>();
        for (String service : release.enabledServices()) {
            assertTrue(keySecrets.add(release.serviceTokenKeySecret(service)),
                    service + " shares its token-key Secret " + release.serviceTokenKeySecret(service));
            assertTrue(keySecrets.add(release.auditKeySecret(service)),
                    service + " shares its audit-key Secret " + release.auditKeySecret(service));
        }
        for (String service : release.enabledServices()) {
            Set<String> mounted = secretsOf(release, service);
            assertTrue(mounted.contains(release.serviceTokenKeySecret(service)), service + " lacks its own key");
            assertTrue(mounted.contains(release.auditKeySecret(service)), service + " lacks its own audit key");
            for (String other : release.enabledServices()) {
                if (!other.equals(service)) {
                    assertFalse(mounted.contains(release.serviceTokenKeySecret(other)),
                            service + " mounts the token key of " + other);
                    assertFalse(mounted.contains(release.auditKeySecret(other)),
                            service + " mounts the audit key of " + other);
                    assertFalse(mounted.contains(release.tlsSecret(other)),
                            service + " mounts the certificate and key of " + other);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyServiceGetsTheAudienceDatabaseTlsModeAndPartners(Path values) {
        var release = SentinelChart.render(values);
        List<String> partners = list(release.values(), "partners").stream()
                .map(p -> (String) ((Map<?, ?>) p).get("id")).toList();

        for (String service : release.enabledServices()) {
            Map<String, EnvVar> env = env(container(release, service));
            assertEquals(path(release.values(), "auth", "jwtAudience"), env.get("JWT_AUDIENCE").getValue(), service);
            assertFalse(env.get("JWT_AUDIENCE").getValue().isBlank(), service);

            String sslMode = env.get("DB_SSL_MODE").getValue();
            assertEquals(path(release.values(), "services", service, "database", "tls", "sslMode"), sslMode, service);
            assertTrue(SSL_MODES.contains(sslMode), service + ": DB_SSL_MODE " + sslMode + " would not encrypt");

            if (partners.isEmpty()) {
                assertFalse(env.containsKey("SENTINEL_AGENCY_PARTNERS"), service);
            } else {
                assertEquals(String.join(",", partners), env.get("SENTINEL_AGENCY_PARTNERS").getValue(), service);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyVariableTheProductionConfigurationExpandsWithoutADefaultIsSet(Path values) {
        var release = SentinelChart.render(values);

        for (String service : release.enabledServices()) {
            Set<String> required = variablesRequiredInProduction(SERVICE_NAMES.get(service));
            Set<String> missing = new TreeSet<>(required);
            missing.removeAll(env(container(release, service)).keySet());
            assertEquals(Set.of(), missing, SERVICE_NAMES.get(service)
                    + ": its production configuration expands these without a default, so it would not start");
        }
    }

    @Test
    void theProductionConfigurationNeedsTheMigrationRoleAndTheAuditKeyAndCheckpointDirectory() {
        // Guards the parser above: were it to find nothing, the contract would hold vacuously.
        for (String service : SERVICE_NAMES.values()) {
            Set<String> required = variablesRequiredInProduction(service);
            assertTrue(required.containsAll(Set.of("DB_URL", "DB_USERNAME", "DB_PASSWORD", "DB_MIGRATION_USERNAME",
                    "DB_MIGRATION_PASSWORD", "AUDIT_KEY_FILE", "AUDIT_CHECKPOINT_DIR", "TLS_CERT_FILE")),
                    service + " " + required);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void migrationsRunAsTheirOwnRoleFromTheMigrationSecret(Path values) {
        var release = SentinelChart.render(values);

        for (String service : release.enabledServices()) {
            Map<String, EnvVar> env = env(container(release, service));
            Map<String, Object> migration = map(release.values(), "services", service, "database", "migration");
            var username = env.get("DB_MIGRATION_USERNAME").getValueFrom().getSecretKeyRef();
            var password = env.get("DB_MIGRATION_PASSWORD").getValueFrom().getSecretKeyRef();
            assertEquals(release.databaseMigrationSecret(service), username.getName(), service);
            assertEquals(migration.get("usernameKey"), username.getKey(), service);
            assertEquals(release.databaseMigrationSecret(service), password.getName(), service);
            assertEquals(migration.get("passwordKey"), password.getKey(), service);
            var serviceRole = env.get("DB_USERNAME").getValueFrom().getSecretKeyRef();
            assertFalse(serviceRole.getName().equals(username.getName()) && serviceRole.getKey().equals(username.getKey()),
                    service + ": the service's role would be the migration role, which owns the audit log");
        }
    }

    @Test
    void theAuditKeyAndTheMigrationRoleDefaultToPerServiceSecretsAndCheckpointsToAnEmptyDir() {
        var release = SentinelChart.render(SentinelChart.chartDir().resolve("ci/minimal-values.yaml"));

        for (String service : SERVICE_NAMES.keySet()) {
            String name = "ci-minimal-" + SERVICE_NAMES.get(service);
            Map<String, EnvVar> env = env(container(release, service));
            assertEquals("/etc/sentinel/audit-key/audit.key", env.get("AUDIT_KEY_FILE").getValue(), service);
            assertEquals(name + "-audit-key", secretBehind(release, service, "AUDIT_KEY_FILE"));
            assertEquals(name + "-db-migration", env.get("DB_MIGRATION_USERNAME").getValueFrom().getSecretKeyRef().getName());
            assertEquals("username", env.get("DB_MIGRATION_USERNAME").getValueFrom().getSecretKeyRef().getKey());
            assertEquals(name + "-db-migration", env.get("DB_MIGRATION_PASSWORD").getValueFrom().getSecretKeyRef().getName());
            assertEquals("password", env.get("DB_MIGRATION_PASSWORD").getValueFrom().getSecretKeyRef().getKey());
            assertNotNull(volumeBehind(release, service, "AUDIT_CHECKPOINT_DIR").getEmptyDir(), service);
        }
    }

    @Test
    void anExistingCheckpointClaimIsMountedWritableByEveryService() {
        var release = render(values -> ValuesSchemaTest.map(ValuesSchemaTest.map(values, "audit"), "checkpoints")
                .put("existingClaim", "ci-minimal-audit-checkpoints"));

        for (String service : SERVICE_NAMES.keySet()) {
            Volume volume = volumeBehind(release, service, "AUDIT_CHECKPOINT_DIR");
            assertNull(volume.getEmptyDir(), service);
            assertEquals("ci-minimal-audit-checkpoints", volume.getPersistentVolumeClaim().getClaimName(), service);
            assertEquals("/var/lib/sentinel/audit-checkpoints",
                    env(container(release, service)).get("AUDIT_CHECKPOINT_DIR").getValue(), service);
        }
        assertEquals(List.of(), release.all(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class),
                "the agency creates the claim; the chart renders none");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void certificatesNameTheirServiceAndTheNamesPeersDialAndWriteTheSecretThePodMounts(Path values) {
        var release = SentinelChart.render(values);
        boolean certManager = Boolean.TRUE.equals(path(release.values(), "tls", "certManager", "enabled"));
        List<Map<String, Object>> certificates = release.certificates();

        assertEquals(certManager ? release.enabledServices().size() : 0, certificates.size(), "one Certificate per enabled service");
        Map<String, Object> issuer = map(release.values(), "tls", "certManager", "issuerRef");
        for (Map<String, Object> certificate : certificates) {
            assertEquals("cert-manager.io/v1", certificate.get("apiVersion"));
            String name = (String) path(certificate, "metadata", "name");
            String service = serviceNamed(release, name);
            String where = "Certificate " + name;
            assertEquals(release.namespace(), path(certificate, "metadata", "namespace"), where);
            assertEquals(release.agency(), path(certificate, "metadata", "labels", "sentinel.io/agency"), where);
            assertEquals(release.region(), path(certificate, "metadata", "labels", "sentinel.io/data-region"), where);

            Map<String, Object> spec = map(certificate, "spec");
            assertEquals(CERTIFICATE_SPEC, spec.keySet(), where + ": unexpected or missing spec fields");
            assertEquals(SERVICE_NAMES.get(service), spec.get("commonName"), where);
            assertEquals(dnsNames(release, service), spec.get("dnsNames"), where);
            assertEquals(List.of("server auth", "client auth"), spec.get("usages"), where);
            assertEquals(Map.of("algorithm", "ECDSA", "size", 256, "encoding", "PKCS8", "rotationPolicy", "Always"),
                    spec.get("privateKey"), where);
            assertEquals(Map.of("name", issuer.get("name"), "kind", issuer.get("kind"), "group", issuer.get("group")),
                    spec.get("issuerRef"), where);
            assertEquals(path(release.values(), "tls", "certManager", "duration"), spec.get("duration"), where);
            assertEquals(path(release.values(), "tls", "certManager", "renewBefore"), spec.get("renewBefore"), where);
            assertEquals(release.agency(), path(spec, "secretTemplate", "labels", "sentinel.io/agency"), where);

            // It writes the very Secret the service's pod reads its certificate from.
            assertEquals(release.tlsSecret(service), spec.get("secretName"), where);
            assertEquals(spec.get("secretName"), secretBehind(release, service, "TLS_CERT_FILE"), where);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyPeerAddressIsANameTheCalleesCertificateCarries(Path values) {
        var release = SentinelChart.render(values);

        for (String service : release.enabledServices()) {
            Map<String, EnvVar> env = env(container(release, service));
            for (String callee : CALLS.get(service)) {
                String host = env.get(callee.toUpperCase() + "_GRPC_HOST").getValue();
                assertTrue(dnsNames(release, callee).contains(host), service + " dials " + host);
                Service target = release.one(Service.class, host);
                assertEquals(release.namespace(), target.getMetadata().getNamespace());
            }
        }
    }

    @Test
    void theFullCiValuesRenderFourCertificatesWithTheServiceNamesAndTheirServiceDnsNames() {
        var release = SentinelChart.render(SentinelChart.chartDir().resolve("ci/full-values.yaml"));

        List<Map<String, Object>> certificates = release.certificates();
        assertEquals(4, certificates.size());
        assertEquals(new TreeSet<>(SERVICE_NAMES.values()),
                certificates.stream().map(c -> (String) path(c, "spec", "commonName")).collect(Collectors.toCollection(TreeSet::new)));
        Map<String, Object> rules = certificates.stream()
                .filter(c -> "rules-svc".equals(path(c, "spec", "commonName"))).findFirst().orElseThrow();
        assertEquals(List.of("ci-full-rules-svc", "ci-full-rules-svc.ci-full", "ci-full-rules-svc.ci-full.svc",
                "ci-full-rules-svc.ci-full.svc.ci.internal"), path(rules, "spec", "dnsNames"));
        assertEquals("ci-full-rules-svc-tls", path(rules, "spec", "secretName"));
        Map<String, Object> enrollment = certificates.stream()
                .filter(c -> "enrollment-svc".equals(path(c, "spec", "commonName"))).findFirst().orElseThrow();
        assertEquals("ci-enrol-cert", path(enrollment, "spec", "secretName"));
        assertEquals(Map.of("name", "ci-ca", "kind", "ClusterIssuer", "group", "cert-manager.io"),
                path(enrollment, "spec", "issuerRef"));
    }

    @Test
    void withCertManagerOnTheDefaultSecretNamesAreWrittenAndMounted() {
        var release = render(values -> {
            Map<String, Object> certManager = ValuesSchemaTest.map(ValuesSchemaTest.map(values, "tls"), "certManager");
            certManager.put("enabled", true);
            certManager.put("issuerRef", Map.of("name", "ci-minimal-ca", "kind", "Issuer", "group", "cert-manager.io"));
        });

        assertEquals(4, release.certificates().size());
        for (String service : SERVICE_NAMES.keySet()) {
            String secret = "ci-minimal-" + SERVICE_NAMES.get(service) + "-tls";
            assertTrue(release.certificates().stream().anyMatch(c -> secret.equals(path(c, "spec", "secretName"))), secret);
            assertEquals(secret, secretBehind(release, service, "TLS_KEY_FILE"));
            assertEquals(List.of("ci-minimal-" + SERVICE_NAMES.get(service), "ci-minimal-" + SERVICE_NAMES.get(service) + ".ci-minimal",
                    "ci-minimal-" + SERVICE_NAMES.get(service) + ".ci-minimal.svc",
                    "ci-minimal-" + SERVICE_NAMES.get(service) + ".ci-minimal.svc.cluster.local"), dnsNames(release, service));
        }
    }

    @Test
    void withoutCertManagerNoCertificateIsRenderedAndTheDefaultSecretsAreRead() {
        var release = SentinelChart.render(SentinelChart.chartDir().resolve("ci/minimal-values.yaml"));

        assertEquals(List.of(), release.certificates());
        assertEquals("ci-minimal-rules-svc-tls", secretBehind(release, "rules", "TLS_CA_FILE"));
        assertEquals("ci-minimal-rules-svc-token-key", secretBehind(release, "rules", "SERVICE_TOKEN_KEY_LOCATION"));
        assertEquals("ci-minimal-rules-svc-db-ca", secretBehind(release, "rules", "DB_CA_FILE"));
        assertEquals("/etc/sentinel/service-token/private-key.pem",
                env(container(release, "rules")).get("SERVICE_TOKEN_KEY_LOCATION").getValue());
        assertEquals("verify-full", env(container(release, "rules")).get("DB_SSL_MODE").getValue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void mqttSettingsReachLocationSvcOnlyWhenEnabled(Path values) {
        var release = SentinelChart.render(values);

        for (String service : release.enabledServices()) {
            Map<String, EnvVar> env = env(container(release, service));
            Set<String> mqttEnv = env.keySet().stream().filter(n -> n.startsWith("MQTT_")).collect(Collectors.toSet());
            if (!"location".equals(service)) {
                assertEquals(Set.of(), mqttEnv, service);
                assertFalse(env.containsKey("SENTINEL_MQTT_ENABLED"), service);
                continue;
            }
            assertEquals(String.valueOf(release.mqttEnabled()), env.get("SENTINEL_MQTT_ENABLED").getValue());
            if (release.mqttEnabled()) {
                assertMqttEnvironment(release, env);
            } else {
                assertEquals(Set.of(), mqttEnv, "MQTT is off: no broker settings at all");
                PodSpec pod = release.one(Deployment.class, release.name(service)).getSpec().getTemplate().getSpec();
                assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getName().contains("mqtt")), "no broker CA mounted");
            }
        }
    }

    @Test
    void mqttIsOffByDefault() {
        var release = SentinelChart.render(SentinelChart.chartDir().resolve("ci/minimal-values.yaml"));
        Map<String, EnvVar> env = env(container(release, "location"));

        assertEquals("false", env.get("SENTINEL_MQTT_ENABLED").getValue());
        assertTrue(env.keySet().stream().noneMatch(n -> n.startsWith("MQTT_")), env.keySet().toString());
    }

    @Test
    void mqttWhenEnabledGetsTheBrokerCredentialsFromSecretsAndItsCaAsAFile() {
        var release = render(values -> ValuesSchemaTest.map(ValuesSchemaTest.map(values, "services"), "location")
                .put("mqtt", Map.of("enabled", true, "host", "mqtt.eu-west-2.ci.internal",
                        "networkPeers", List.of(Map.of("cidr", "10.0.0.30/32")))));
        Map<String, EnvVar> env = env(container(release, "location"));

        assertEquals("true", env.get("SENTINEL_MQTT_ENABLED").getValue());
        assertEquals("mqtt.eu-west-2.ci.internal", env.get("MQTT_HOST").getValue());
        assertEquals("8883", env.get("MQTT_PORT").getValue());
        assertEquals("location-svc", env.get("MQTT_USERNAME").getValue());
        assertEquals("ci-minimal-location-svc-mqtt", env.get("MQTT_PASSWORD").getValueFrom().getSecretKeyRef().getName());
        assertEquals("password", env.get("MQTT_PASSWORD").getValueFrom().getSecretKeyRef().getKey());
        assertEquals("/etc/sentinel/mqtt-ca/ca.crt", env.get("MQTT_CA_FILE").getValue());
        assertEquals("ci-minimal-location-svc-mqtt-ca", secretBehind(release, "location", "MQTT_CA_FILE"));
    }

    private static void assertMqttEnvironment(SentinelChart.Release release, Map<String, EnvVar> env) {
        Map<String, Object> mqtt = map(release.values(), "services", "location", "mqtt");
        assertEquals(mqtt.get("host"), env.get("MQTT_HOST").getValue());
        assertEquals(String.valueOf(mqtt.get("port")), env.get("MQTT_PORT").getValue());
        assertEquals(mqtt.get("username"), env.get("MQTT_USERNAME").getValue());
        var password = env.get("MQTT_PASSWORD");
        assertNull(password.getValue(), "MQTT_PASSWORD must not be inline");
        assertEquals(release.nameOrDefault(release.name("location") + "-mqtt", "services", "location", "mqtt", "passwordSecret", "name"),
                password.getValueFrom().getSecretKeyRef().getName());
        assertEquals(path(mqtt, "passwordSecret", "key"), password.getValueFrom().getSecretKeyRef().getKey());
        assertNotNull(env.get("MQTT_CA_FILE").getValue());
    }

    /** The DNS names the chart's Service for the service answers to: what its certificate must carry. */
    private static List<String> dnsNames(SentinelChart.Release release, String service) {
        String name = release.one(Service.class, release.name(service)).getMetadata().getName();
        String domain = (String) path(release.values(), "tls", "clusterDomain");
        String namespace = release.namespace();
        return List.of(name, name + "." + namespace, name + "." + namespace + ".svc", name + "." + namespace + ".svc." + domain);
    }

    private static String serviceNamed(SentinelChart.Release release, String objectName) {
        return SERVICE_NAMES.keySet().stream().filter(s -> release.name(s).equals(objectName)).findFirst()
                .orElseThrow(() -> new AssertionError("no service is named " + objectName));
    }

    /** The Secret whose volume holds the file the variable points at. */
    private static String secretBehind(SentinelChart.Release release, String service, String variable) {
        Volume volume = volumeBehind(release, service, variable);
        assertNotNull(volume.getSecret(), variable + " of " + service);
        return volume.getSecret().getSecretName();
    }

    /** The volume mounted over the path the variable names. */
    private static Volume volumeBehind(SentinelChart.Release release, String service, String variable) {
        PodSpec pod = release.one(Deployment.class, release.name(service)).getSpec().getTemplate().getSpec();
        Container container = container(release, service);
        String file = env(container).get(variable).getValue();
        return volume(pod, RenderedChartTest.mountHolding(container, file).getName());
    }

    /**
     * The environment variables a service's production profile expands without a default
     * ({@code ${NAME}}, not {@code ${NAME:default}}): its own application.properties over the shared
     * defaults in common, a {@code %prod} key over a key with no profile, keys of other profiles ignored.
     */
    static Set<String> variablesRequiredInProduction(String service) {
        Path common = SentinelChart.repoRoot().resolve("common/src/main/resources/META-INF/microprofile-config.properties");
        Path own = SentinelChart.repoRoot().resolve(service).resolve("src/main/resources/application.properties");
        Map<String, String> plain = new HashMap<>();
        Map<String, String> prod = new HashMap<>();
        // Lowest ordinal first, so the service's own file overwrites the shared defaults.
        for (Path file : List.of(common, own)) {
            assertTrue(Files.isRegularFile(file), file + " is missing");
            Properties properties = new Properties();
            try (var reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String key : properties.stringPropertyNames()) {
                String value = properties.getProperty(key);
                if (!key.startsWith("%")) {
                    plain.put(key, value);
                    continue;
                }
                int dot = key.indexOf('.');
                if (Set.of(key.substring(1, dot).split(",")).contains("prod")) {
                    prod.put(key.substring(dot + 1), value);
                }
            }
        }
        Map<String, String> effective = new HashMap<>(plain);
        effective.putAll(prod);
        Set<String> required = new TreeSet<>();
        for (String value : effective.values()) {
            Matcher matcher = REQUIRED_VARIABLE.matcher(value);
            while (matcher.find()) {
                required.add(matcher.group(1));
            }
        }
        return required;
    }

    /** Every Secret a service's pod can read: volumes and secretKeyRef variables. */
    private static Set<String> secretsOf(SentinelChart.Release release, String service) {
        PodSpec pod = release.one(Deployment.class, release.name(service)).getSpec().getTemplate().getSpec();
        Set<String> names = new HashSet<>();
        pod.getVolumes().stream().filter(v -> v.getSecret() != null).forEach(v -> names.add(v.getSecret().getSecretName()));
        for (Container container : pod.getContainers()) {
            container.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .forEach(e -> names.add(e.getValueFrom().getSecretKeyRef().getName()));
        }
        return names;
    }

    private SentinelChart.Release render(Consumer<Map<String, Object>> change) {
        Map<String, Object> values = minimal();
        change.accept(values);
        Path file = SentinelChart.writeValues(values, dir, "values");
        String yaml = SentinelChart.template(file, "ci-minimal", "ci-minimal");
        return new SentinelChart.Release(file, "ci-minimal", SentinelChart.effectiveValues(file), yaml,
                KubernetesYaml.parseAll(yaml), KubernetesYaml.parseCustomResources(yaml));
    }
}
