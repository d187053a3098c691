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
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a production start of each service needs and the chart must supply: TLS certificates
 * naming the service, its own token key and everyone's public keys, the token audience,
 * database TLS, the partner list and (only when enabled) MQTT.
 */
class ProductionContractTest {

    private static final String VALUES = "io.sentinel.helm.SentinelChart#allValues";
    private static final Set<String> SSL_MODES = Set.of("verify-full", "verify-ca", "require");
    private static final Set<String> CERTIFICATE_SPEC = Set.of("secretName", "secretTemplate", "commonName", "dnsNames",
            "duration", "renewBefore", "usages", "privateKey", "issuerRef");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void noServiceMountsAnotherServicesTokenKey(Path values) {
        var release = SentinelChart.render(values);

        Set<String> keySecrets = new HashSet<>();
        for (String service : release.enabledServices()) {
            assertTrue(keySecrets.add(release.serviceTokenKeySecret(service)),
                    service + " shares its token-key Secret " + release.serviceTokenKeySecret(service));
        }
        for (String service : release.enabledServices()) {
            Set<String> mounted = secretsOf(release, service);
            assertTrue(mounted.contains(release.serviceTokenKeySecret(service)), service + " lacks its own key");
            for (String other : release.enabledServices()) {
                if (!other.equals(service)) {
                    assertFalse(mounted.contains(release.serviceTokenKeySecret(other)),
                            service + " mounts the token key of " + other);
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
                .put("mqtt", Map.of("enabled", true, "host", "mqtt.ci.internal",
                        "networkPeers", List.of(Map.of("cidr", "10.0.0.30/32")))));
        Map<String, EnvVar> env = env(container(release, "location"));

        assertEquals("true", env.get("SENTINEL_MQTT_ENABLED").getValue());
        assertEquals("mqtt.ci.internal", env.get("MQTT_HOST").getValue());
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
        PodSpec pod = release.one(Deployment.class, release.name(service)).getSpec().getTemplate().getSpec();
        Container container = container(release, service);
        String file = env(container).get(variable).getValue();
        Volume volume = volume(pod, RenderedChartTest.mountHolding(container, file).getName());
        assertNotNull(volume.getSecret(), variable + " of " + service);
        return volume.getSecret().getSecretName();
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
