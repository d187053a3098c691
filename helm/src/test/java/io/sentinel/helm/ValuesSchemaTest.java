package io.sentinel.helm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** values.schema.json: what a values file must contain and what it may not. */
class ValuesSchemaTest {

    @TempDir
    Path dir;

    @Test
    void acceptsTheMinimalCiValuesUnchanged() {
        assertDoesNotThrow(() -> render(values -> { }));
    }

    @Test
    void rejectsAMissingRegion() {
        assertRejected(values -> residency(values).remove("region"), "at '/residency': missing property 'region'");
    }

    @Test
    void rejectsAMissingAgency() {
        assertRejected(values -> values.remove("agency"), "at '/agency': missing property 'id'");
    }

    @Test
    void rejectsAMissingStorageClass() {
        assertRejected(values -> residency(values).remove("storageClass"),
                "at '/residency': missing property 'storageClass'");
    }

    @Test
    void rejectsAMissingJwtIssuer() {
        assertRejected(values -> map(values, "auth").remove("jwtIssuer"), "at '/auth': missing property 'jwtIssuer'");
    }

    @Test
    void rejectsAMissingJwtAudience() {
        assertRejected(values -> map(values, "auth").remove("jwtAudience"), "at '/auth': missing property 'jwtAudience'");
    }

    @Test
    void rejectsAnEmptyOrOverlongJwtAudience() {
        assertRejected(values -> map(values, "auth").put("jwtAudience", ""), "at '/auth/jwtAudience'");
        assertRejected(values -> map(values, "auth").put("jwtAudience", "a".repeat(201)), "at '/auth/jwtAudience'");
        assertDoesNotThrow(() -> render(values -> map(values, "auth").put("jwtAudience", "a".repeat(200))));
    }

    @Test
    void rejectsADatabaseSslModeThatWouldNotEncrypt() {
        for (String bad : List.of("disable", "allow", "prefer", "verify_full", "")) {
            assertRejected(values -> map(map(map(map(values, "services"), "rules"), "database"), "tls").put("sslMode", bad),
                    "at '/services/rules/database/tls/sslMode': value must be one of 'verify-full', 'verify-ca', 'require'");
        }
        for (String good : List.of("verify-full", "verify-ca", "require")) {
            assertDoesNotThrow(() -> render(values -> map(map(map(map(values, "services"), "rules"), "database"), "tls")
                    .put("sslMode", good)), good);
        }
    }

    @Test
    void rejectsTheSharedServiceTokenKeyThatPerServiceKeysReplaced() {
        assertRejected(values -> map(values, "auth").put("serviceTokenKey",
                        Map.of("existingSecret", "shared-signing", "key", "private-key.pem")),
                "at '/auth': additional properties 'serviceTokenKey' not allowed");
    }

    @Test
    void rejectsAMigrationRoleWithAnUnknownKey() {
        assertRejected(values -> map(map(map(map(values, "services"), "rules"), "database"), "migration").put("username", "flyway"),
                "at '/services/rules/database/migration': additional properties 'username' not allowed");
    }

    @Test
    void rejectsAnAuditKeySecretWithABadKeyOrName() {
        assertRejected(values -> map(map(map(values, "services"), "enrollment"), "audit")
                        .put("keySecret", Map.of("existingSecret", "ci-audit", "key", "../audit.key")),
                "at '/services/enrollment/audit/keySecret/key'");
        assertRejected(values -> map(map(map(values, "services"), "enrollment"), "audit")
                        .put("keySecret", Map.of("existingSecret", "CI_Audit", "key", "audit.key")),
                "at '/services/enrollment/audit/keySecret/existingSecret'");
    }

    @Test
    void rejectsACheckpointClaimThatCannotNameAClaimAndAcceptsOneThatCan() {
        assertRejected(values -> map(map(values, "audit"), "checkpoints").put("existingClaim", "Audit Checkpoints"),
                "at '/audit/checkpoints/existingClaim'");
        assertRejected(values -> map(values, "audit").put("checkpoint", Map.of("existingClaim", "x")),
                "at '/audit': additional properties 'checkpoint' not allowed");
        assertDoesNotThrow(() -> render(values -> map(map(values, "audit"), "checkpoints")
                .put("existingClaim", "ci-minimal-audit-checkpoints")));
    }

    @Test
    void rejectsAnIssuerKindThatIsNeitherIssuerNorClusterIssuer() {
        assertRejected(values -> map(map(values, "tls"), "certManager").put("issuerRef",
                        Map.of("name", "ca", "kind", "Vault", "group", "cert-manager.io")),
                "at '/tls/certManager/issuerRef/kind': value must be one of 'Issuer', 'ClusterIssuer'");
    }

    @Test
    void rejectsAnUnknownTopLevelKey() {
        assertRejected(values -> values.put("replicaCount", 3), "additional properties 'replicaCount' not allowed");
    }

    @Test
    void rejectsAMisspeltNestedKey() {
        assertRejected(values -> map(map(values, "services"), "rules").put("replica", 3),
                "at '/services/rules': additional properties 'replica' not allowed");
    }

    @Test
    void rejectsAnAgencyIdThatCannotNameANamespace() {
        assertRejected(values -> map(values, "agency").put("id", "UK_Home_Office"), "at '/agency/id'");
    }

    @Test
    void rejectsAChoiceOutsideItsEnum() {
        assertRejected(values -> residency(values).put("zoneSpread", "Sometimes"),
                "at '/residency/zoneSpread': value must be one of 'DoNotSchedule', 'ScheduleAnyway'");
        assertRejected(values -> map(values, "agency").put("kind", "army"), "at '/agency/kind'");
    }

    @Test
    void rejectsATrailMaxAgeThatIsNotWholeDaysOfAtLeastThirtyOne() {
        for (String bad : List.of("P30D", "P0D", "P031D", "2192", "P6Y", "PT744H", "P31DT1H", "p100d")) {
            assertRejected(values -> map(map(values, "services"), "location").put("trailMaxAge", bad),
                    "at '/services/location/trailMaxAge'");
        }
        for (String good : List.of("P31D", "P39D", "P40D", "P365D", "P2192D")) {
            assertDoesNotThrow(() -> render(values -> map(map(values, "services"), "location").put("trailMaxAge", good)), good);
        }
    }

    @Test
    void rejectsASourceImageRetentionThatIsNotAPositiveIsoDuration() {
        for (String bad : List.of("30d", "P", "PT", "P0D", "30 days", "P1DT", "-P30D", "P1Y")) {
            assertRejected(values -> map(map(values, "services"), "biometric").put("sourceImageRetention", bad),
                    "at '/services/biometric/sourceImageRetention'");
        }
        for (String good : List.of("P30D", "PT12H", "P7DT12H", "PT90M", "PT3600S")) {
            assertDoesNotThrow(() -> render(values -> map(map(values, "services"), "biometric").put("sourceImageRetention", good)), good);
        }
    }

    @Test
    void rejectsANetworkPeerThatIsNoBlockAtAll() {
        // Blocks that look like one are parsed by the chart (NegativeValuesTest); this is not one.
        assertRejected(values -> map(map(map(values, "services"), "rules"), "database")
                .put("networkPeers", List.of(Map.of("cidr", "any"))),
                "at '/services/rules/database/networkPeers/0");
    }

    @Test
    void rejectsANetworkPeerMixingAnAddressAndANamespace() {
        assertRejected(values -> map(map(map(values, "services"), "rules"), "database")
                .put("networkPeers", List.of(Map.of("cidr", "10.0.0.1/32", "namespace", "databases"))),
                "at '/services/rules/database/networkPeers/0");
    }

    @Test
    void rejectsTheRootUser() {
        assertRejected(values -> values.put("runAsUser", 0), "at '/runAsUser'");
    }

    @Test
    void rejectsTheLatestTag() {
        assertRejected(values -> values.put("image", Map.of("tag", "latest")), "at '/image/tag'");
    }

    @Test
    void rejectsAPartnerServiceThatDoesNotExist() {
        assertRejected(values -> values.put("partners", List.of(Map.of("id", "other",
                "inbound", Map.of("services", List.of("reports"), "networkPeers", List.of(Map.of("cidr", "10.1.0.0/24")))))),
                "at '/partners/0/inbound/services/0'");
    }

    @Test
    void rejectsADigestThatIsNotSha256AndADigestForNoService() {
        assertRejected(values -> map(values, "image").put("digests", Map.of("rules", "sha256:abc")),
                "at '/image/digests/rules'");
        assertRejected(values -> map(values, "image").put("digests", Map.of("reports", "sha256:" + "0".repeat(64))),
                "at '/image/digests': additional properties 'reports' not allowed");
    }

    @Test
    void rejectsThePartnerPeersOfTheOldModel() {
        // Partners are sameCluster pod to pod or gateway to gateway; free-form peers and ports are gone.
        assertRejected(values -> values.put("partners", List.of(Map.of("id", "other", "sameCluster", false,
                        "inbound", Map.of("services", List.of("rules"), "networkPeers", List.of(Map.of("cidr", "10.1.0.0/24")))))),
                "additional properties 'networkPeers' not allowed");
        assertRejected(values -> values.put("partners", List.of(Map.of("id", "other"))), "at '/partners/0'");
    }

    @Test
    void rejectsAGatewayWithoutItsPort() {
        assertRejected(values -> values.put("gateways", Map.of("ingress", Map.of("cidrs", List.of("10.1.0.0/28")))),
                "at '/gateways/ingress'");
    }

    static Map<String, Object> minimal() {
        return SentinelChart.copy(SentinelChart.readValues(SentinelChart.chartDir().resolve("ci/minimal-values.yaml")));
    }

    private String render(Consumer<Map<String, Object>> change) {
        Map<String, Object> values = minimal();
        change.accept(values);
        return SentinelChart.template(SentinelChart.writeValues(values, dir, "values"), "ci-minimal", "ci-minimal");
    }

    private void assertRejected(Consumer<Map<String, Object>> change, String expected) {
        var error = assertThrows(IllegalStateException.class, () -> render(change));
        assertTrue(error.getMessage().contains("values don't meet the specifications of the schema"), error.getMessage());
        assertTrue(error.getMessage().contains(expected), "expected «" + expected + "» in:\n" + error.getMessage());
    }

    private static Map<String, Object> residency(Map<String, Object> values) {
        return map(values, "residency");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> values, String key) {
        return (Map<String, Object>) values.computeIfAbsent(key, k -> new java.util.LinkedHashMap<String, Object>());
    }
}
