package io.sentinel.helm;

import static io.sentinel.helm.ValuesSchemaTest.map;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules spanning several values, which the templates enforce with a precise message. */
class ChartGuardsTest {

    @TempDir
    Path dir;

    @Test
    void refusesANamespaceOtherThanTheAgencys() {
        var error = assertThrows(IllegalStateException.class, () -> SentinelChart.template(
                SentinelChart.writeValues(ValuesSchemaTest.minimal(), dir, "values"), "ci-minimal", "default"));

        assertTrue(error.getMessage().contains(
                "release namespace \"default\" must equal agency.id \"ci-minimal\""), error.getMessage());
    }

    @Test
    void refusesACallerWhoseCalleeIsDisabled() {
        assertRefused(values -> service(values, "rules").put("enabled", false),
                "services.rules.enabled is false but services.biometric.enabled is true, and biometric-svc calls rules-svc over gRPC");
    }

    @Test
    void refusesEnrollmentWithoutTheServicesItCalls() {
        assertRefused(values -> service(values, "location").put("enabled", false),
                "services.location.enabled is false but services.enrollment.enabled is true, and enrollment-svc calls location-svc over gRPC");
    }

    @Test
    void refusesAnEnabledServiceWithoutDatabaseHost() {
        assertRefused(values -> database(values, "location").remove("host"),
                "services.location.database.host is required when services.location.enabled is true");
    }

    @Test
    void refusesAnEnabledServiceWithoutDatabaseNetworkPeers() {
        assertRefused(values -> database(values, "biometric").remove("networkPeers"),
                "services.biometric.database.networkPeers must list where the database is");
    }

    @Test
    void refusesASingleBiometricReplica() {
        assertRefused(values -> service(values, "biometric").put("replicas", 1),
                "services.biometric.replicas is 1: biometric-svc runs at least 2 replicas");
    }

    @Test
    void refusesADisruptionBudgetThatLetsEveryPodGo() {
        assertRefused(values -> service(values, "enrollment").put("podDisruptionBudget", Map.of("maxUnavailable", 2)),
                "services.enrollment.podDisruptionBudget.maxUnavailable (2) must be below services.enrollment.replicas (2)");
        assertRefused(values -> service(values, "rules").put("autoscaling",
                        Map.of("enabled", true, "minReplicas", 1, "maxReplicas", 4, "targetCPUUtilizationPercentage", 70)),
                "services.rules.podDisruptionBudget.maxUnavailable (1) must be below services.rules.autoscaling.minReplicas (1)");
    }

    @Test
    void refusesAPublicServiceWithoutAHost() {
        assertRefused(values -> service(values, "location").put("public", true),
                "services.location.ingress.host is required when services.location.public is true");
    }

    @Test
    void refusesAChartOlderThanItsKubernetesVersion() {
        Path file = SentinelChart.writeValues(ValuesSchemaTest.minimal(), dir, "values");
        var error = assertThrows(IllegalStateException.class, () -> SentinelChart.template(file, "ci-minimal", "ci-minimal", "1.29.9"));

        assertTrue(error.getMessage().contains("chart requires kubeVersion: >=1.30.0-0"), error.getMessage());
    }

    @Test
    void refusesAnAutoscalerWhoseMinimumExceedsItsMaximum() {
        assertRefused(values -> service(values, "rules").put("autoscaling",
                        Map.of("enabled", true, "minReplicas", 5, "maxReplicas", 2, "targetCPUUtilizationPercentage", 70)),
                "services.rules.autoscaling.minReplicas (5) exceeds maxReplicas (2)");
    }

    @Test
    void refusesAPartnerServedByADisabledService() {
        assertRefused(values -> {
            for (String service : List.of("enrollment", "biometric", "location")) {
                service(values, service).put("enabled", false);
            }
            values.put("partners", List.of(Map.of("id", "ci-partner", "sameCluster", true,
                    "inbound", Map.of("services", List.of("location"), "from", List.of("rules")))));
        }, "partners[0].inbound.services names location, which is not enabled");
    }

    @Test
    void refusesAPartnerThatIsTheAgencyItself() {
        assertRefused(values -> values.put("partners", List.of(Map.of("id", "ci-minimal", "sameCluster", true))),
                "partners[0].id \"ci-minimal\" is this agency itself");
    }

    @Test
    void refusesAPartnerDeclaredTwice() {
        assertRefused(values -> values.put("partners", List.of(Map.of("id", "ci-partner", "sameCluster", true),
                        Map.of("id", "ci-partner", "sameCluster", true))),
                "partners[1].id \"ci-partner\" is declared twice");
    }

    @Test
    void refusesASameClusterPartnerWithoutWhichOfItsServicesCall() {
        assertRefused(values -> values.put("partners", List.of(Map.of("id", "ci-partner", "sameCluster", true,
                        "inbound", Map.of("services", List.of("rules"))))),
                "partners[0].inbound.from must name which of ci-partner's services call ours");
    }

    @Test
    void refusesARemotePartnerWithoutItsGatewaysOrOurs() {
        assertRefused(values -> values.put("partners", List.of(Map.of("id", "ci-remote", "sameCluster", false))),
                "partners[0] (ci-remote) is in another cluster: partners[0].gateways.ingress {cidrs, port} and .egress {cidrs} must give its cluster's gateways");
        assertRefused(values -> values.put("partners", List.of(remotePartner(Map.of()))),
                "gateways.ingress and gateways.egress are required: partner ci-remote is in another cluster");
    }

    @Test
    void refusesARemotePartnerCallingAPrivateService() {
        assertRefused(values -> {
            values.put("gateways", GATEWAYS);
            values.put("partners", List.of(remotePartner(Map.of("inbound", Map.of("services", List.of("rules"))))));
        }, "partners[0].inbound.services names rules, which is not public: ci-remote is in another cluster, so its calls can only arrive through the ingress controller");
    }

    @Test
    void refusesGatewaysForASameClusterPartner() {
        assertRefused(values -> values.put("partners", List.of(Map.of("id", "ci-partner", "sameCluster", true, "gateways", GATEWAYS))),
                "partners[0] (ci-partner) is in the same cluster: its pods are reached directly, so it has no gateways here");
    }

    private static final Map<String, Object> GATEWAYS = Map.of(
            "ingress", Map.of("cidrs", List.of("198.51.100.0/28"), "port", 443),
            "egress", Map.of("cidrs", List.of("198.51.100.32/28")));

    private static Map<String, Object> remotePartner(Map<String, Object> extra) {
        Map<String, Object> partner = new java.util.LinkedHashMap<>(Map.of("id", "ci-remote", "sameCluster", false, "gateways", Map.of(
                "ingress", Map.of("cidrs", List.of("203.0.113.0/28"), "port", 443),
                "egress", Map.of("cidrs", List.of("203.0.113.32/28")))));
        partner.putAll(extra);
        return partner;
    }

    @Test
    void refusesTwoServicesSigningWithTheSameTokenKeySecret() {
        assertRefused(values -> {
            service(values, "location").put("serviceTokenKey", Map.of("existingSecret", "ci-signing", "key", "location.pem"));
            service(values, "rules").put("serviceTokenKey", Map.of("existingSecret", "ci-signing", "key", "rules.pem"));
        }, "services.location.serviceTokenKey and services.rules.serviceTokenKey name the same Secret \"ci-signing\": "
                + "each service signs its tokens with its own key, and no service may hold another's");
    }

    @Test
    void refusesAServiceWhoseTokenKeySecretIsAnothersDefault() {
        assertRefused(values -> service(values, "enrollment").put("serviceTokenKey",
                        Map.of("existingSecret", "ci-minimal-biometric-svc-token-key", "key", "private-key.pem")),
                "services.biometric.serviceTokenKey and services.enrollment.serviceTokenKey name the same Secret");
    }

    @Test
    void refusesTwoServicesServingTheSameCertificate() {
        assertRefused(values -> service(values, "biometric").put("tls", Map.of("existingSecret", "ci-minimal-rules-svc-tls")),
                "services.biometric.tls and services.rules.tls name the same Secret \"ci-minimal-rules-svc-tls\"");
    }

    @Test
    void refusesTwoServicesKeyingTheirAuditChainsWithTheSameSecret() {
        assertRefused(values -> service(values, "location").put("audit",
                        Map.of("keySecret", Map.of("existingSecret", "ci-minimal-rules-svc-audit-key", "key", "audit.key"))),
                "services.location.audit.keySecret and services.rules.audit.keySecret name the same Secret "
                        + "\"ci-minimal-rules-svc-audit-key\": each service keys its own audit chain");
    }

    @Test
    void refusesAMigrationRoleThatIsTheServicesOwnRole() {
        assertRefused(values -> database(values, "rules").put("migration",
                        Map.of("existingSecret", "ci-minimal-rules-svc-db", "usernameKey", "username", "passwordKey", "password")),
                "services.rules.database.migration names the same Secret \"ci-minimal-rules-svc-db\" and key \"username\" "
                        + "as services.rules.database: migrations must run as a separate role");
    }

    @Test
    void refusesCertManagerWithoutAnIssuer() {
        assertRefused(values -> map(map(values, "tls"), "certManager").put("enabled", true),
                "tls.certManager.issuerRef.name is required when tls.certManager.enabled is true");
    }

    @Test
    void refusesMqttWithoutABrokerHost() {
        assertRefused(values -> service(values, "location").put("mqtt",
                        Map.of("enabled", true, "networkPeers", List.of(Map.of("cidr", "10.0.0.30/32")))),
                "services.location.mqtt.host is required when services.location.mqtt.enabled is true");
    }

    @Test
    void refusesMqttWithoutWhereTheBrokerIs() {
        assertRefused(values -> service(values, "location").put("mqtt", Map.of("enabled", true, "host", "mqtt.ci.internal")),
                "services.location.mqtt.networkPeers must list where the MQTT broker is");
    }

    @Test
    void refusesAReleaseWithNoServiceEnabled() {
        assertRefused(values -> {
            for (String service : SentinelChart.SERVICE_NAMES.keySet()) {
                service(values, service).put("enabled", false);
            }
        }, "at least one service must be enabled");
    }

    private void assertRefused(Consumer<Map<String, Object>> change, String expected) {
        Map<String, Object> values = ValuesSchemaTest.minimal();
        change.accept(values);
        Path file = SentinelChart.writeValues(values, dir, "values");
        var error = assertThrows(IllegalStateException.class, () -> SentinelChart.template(file, "ci-minimal", "ci-minimal"));
        assertTrue(error.getMessage().contains(expected), "expected «" + expected + "» in:\n" + error.getMessage());
    }

    private static Map<String, Object> service(Map<String, Object> values, String service) {
        return map(map(values, "services"), service);
    }

    private static Map<String, Object> database(Map<String, Object> values, String service) {
        return map(service(values, service), "database");
    }
}
