package io.sentinel.helm;

import static io.sentinel.helm.SentinelChart.CALLS;
import static io.sentinel.helm.SentinelChart.HTTP_PORT;
import static io.sentinel.helm.SentinelChart.SERVICE_NAMES;
import static io.sentinel.helm.SentinelChart.list;
import static io.sentinel.helm.SentinelChart.map;
import static io.sentinel.helm.SentinelChart.path;
import static io.sentinel.helm.RenderedChartTest.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Isolation inside one release: deny by default, then exactly the traffic the values declare. */
class NetworkPolicyTest {

    private static final String VALUES = "io.sentinel.helm.SentinelChart#allValues";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .serializationInclusion(JsonInclude.Include.NON_EMPTY).build();

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void theNamespaceDeniesAllIngressAndEgressByDefault(Path values) {
        var release = SentinelChart.render(values);

        List<NetworkPolicy> denyAll = release.all(NetworkPolicy.class).stream()
                .filter(p -> selectsEverything(p.getSpec().getPodSelector())).toList();
        assertEquals(1, denyAll.size(), "one namespace-wide policy");
        var spec = denyAll.get(0).getSpec();
        assertEquals(List.of("Ingress", "Egress"), spec.getPolicyTypes());
        assertTrue(spec.getIngress().isEmpty(), "the namespace-wide policy must allow no ingress");
        assertTrue(spec.getEgress().isEmpty(), "the namespace-wide policy must allow no egress");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void noRuleAllowsAllSourcesDestinationsOrPorts(Path values) {
        var release = SentinelChart.render(values);

        for (NetworkPolicy policy : release.all(NetworkPolicy.class)) {
            String where = describe(policy);
            assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes(),
                    where + ": a missing policy type would leave that direction open");
            for (var rule : policy.getSpec().getIngress()) {
                assertRestricted(where + " ingress", rule.getFrom(), rule.getPorts());
            }
            for (var rule : policy.getSpec().getEgress()) {
                assertRestricted(where + " egress", rule.getTo(), rule.getPorts());
            }
        }
        assertFalse(release.yaml().matches("(?s).*(ingress|egress):\\s*-\\s*\\{}.*"), "allow-all rule in the output");
    }

    @Test
    void noTemplateWritesAnAllowAllRule() throws Exception {
        try (Stream<Path> templates = Files.list(SentinelChart.chartDir().resolve("templates"))) {
            for (Path template : templates.toList()) {
                String text = Files.readString(template);
                assertFalse(text.matches("(?s).*(ingress|egress):\\s*-\\s*\\{}.*"), template.toString());
                assertFalse(text.contains("0.0.0.0/0"), template.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyPodIsSelectedByExactlyOneOwnPolicy(Path values) {
        var release = SentinelChart.render(values);

        for (Deployment deployment : release.all(Deployment.class)) {
            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            long own = release.all(NetworkPolicy.class).stream()
                    .map(p -> p.getSpec().getPodSelector())
                    .filter(s -> !selectsEverything(s))
                    .filter(s -> podLabels.entrySet().containsAll(s.getMatchLabels().entrySet()))
                    .count();
            assertEquals(1, own, describe(deployment));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void ingressComesOnlyFromCallersTheIngressControllerAndDeclaredPartners(Path values) {
        var release = SentinelChart.render(values);
        Map<String, Object> v = release.values();

        for (String service : release.enabledServices()) {
            List<JsonNode> expected = new ArrayList<>();
            for (String caller : SERVICE_NAMES.keySet()) {
                if (release.enabled(caller) && CALLS.get(caller).contains(service)) {
                    expected.add(rule("from", List.of(podsOf(release, caller)), httpPort()));
                }
            }
            if (Boolean.TRUE.equals(path(v, "services", service, "public"))
                    && !list(v, "ingressController", "networkPeers").isEmpty()) {
                expected.add(rule("from", peers(list(v, "ingressController", "networkPeers")), httpPort()));
            }
            // Same-cluster partners pod to pod; those in another cluster only through the ingress controller.
            for (Object partner : list(v, "partners")) {
                Map<String, Object> inbound = map(asMap(partner), "inbound");
                if (Boolean.TRUE.equals(asMap(partner).get("sameCluster")) && list(inbound, "services").contains(service)) {
                    expected.add(rule("from", partnerPods(asMap(partner), list(inbound, "from")), httpPort()));
                }
            }
            var policy = release.one(NetworkPolicy.class, release.name(service));
            assertSameRules(expected, policy.getSpec().getIngress().stream().map(JSON::<JsonNode>valueToTree).toList(),
                    describe(policy) + " ingress");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void egressGoesOnlyToDnsCalleesTheOwnDatabaseAndDeclaredPartners(Path values) {
        var release = SentinelChart.render(values);
        Map<String, Object> v = release.values();

        for (String service : release.enabledServices()) {
            List<JsonNode> expected = new ArrayList<>();
            expected.add(rule("to", peers(list(v, "dns", "networkPeers")), List.of(port(53, "UDP"), port(53, "TCP"))));
            for (String callee : CALLS.get(service)) {
                expected.add(rule("to", List.of(podsOf(release, callee)), httpPort()));
            }
            int databasePort = ((Number) path(v, "services", service, "database", "port")).intValue();
            List<Object> database = list(v, "services", service, "database", "networkPeers");
            assertFalse(database.isEmpty(), service + " database.networkPeers");
            expected.add(rule("to", peers(database), List.of(port(databasePort, "TCP"))));
            if ("location".equals(service) && release.mqttEnabled()) {
                int mqttPort = ((Number) path(v, "services", "location", "mqtt", "port")).intValue();
                List<Object> broker = list(v, "services", "location", "mqtt", "networkPeers");
                assertFalse(broker.isEmpty(), "mqtt.networkPeers");
                expected.add(rule("to", peers(broker), List.of(port(mqttPort, "TCP"))));
            }
            for (Object partner : list(v, "partners")) {
                Map<String, Object> outbound = map(asMap(partner), "outbound");
                if (!list(outbound, "services").contains(service)) {
                    continue;
                }
                if (Boolean.TRUE.equals(asMap(partner).get("sameCluster"))) {
                    expected.add(rule("to", partnerPods(asMap(partner), list(outbound, "to")), httpPort()));
                } else {
                    // Gateway to gateway: the partner's ingress gateway, on its port.
                    Map<String, Object> gateway = map(asMap(partner), "gateways", "ingress");
                    List<Object> blocks = list(gateway, "cidrs").stream().map(c -> (Object) Map.of("cidr", c)).toList();
                    expected.add(rule("to", peers(blocks), List.of(port(((Number) gateway.get("port")).intValue(), "TCP"))));
                }
            }
            var policy = release.one(NetworkPolicy.class, release.name(service));
            assertSameRules(expected, policy.getSpec().getEgress().stream().map(JSON::<JsonNode>valueToTree).toList(),
                    describe(policy) + " egress");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void podsOfTheReleaseReachEachOtherOnlyAlongTheCallGraph(Path values) {
        var release = SentinelChart.render(values);

        for (String from : release.enabledServices()) {
            for (String to : release.enabledServices()) {
                boolean egress = allows(release.one(NetworkPolicy.class, release.name(from)).getSpec().getEgress().stream()
                        .map(r -> r.getTo()).toList(), podsOfRelease(release, to));
                boolean ingress = allows(release.one(NetworkPolicy.class, release.name(to)).getSpec().getIngress().stream()
                        .map(r -> r.getFrom()).toList(), podsOfRelease(release, from));
                boolean calls = CALLS.get(from).contains(to);
                assertEquals(calls, egress, from + " egress to " + to);
                assertEquals(calls, ingress, to + " ingress from " + from);
            }
        }
    }

    /** The pods of a same-cluster partner's named services: its namespace, its release, those names. */
    private static List<ObjectNode> partnerPods(Map<String, Object> partner, List<Object> services) {
        String id = (String) partner.get("id");
        assertFalse(services.isEmpty(), id + ": which of its services?");
        return peers(services.stream().map(s -> (Object) Map.of("namespace", id, "podLabels", Map.of(
                "app.kubernetes.io/name", SERVICE_NAMES.get((String) s), "app.kubernetes.io/instance", id))).toList());
    }

    static boolean selectsEverything(LabelSelector selector) {
        return selector == null || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()));
    }

    private static void assertRestricted(String where, List<NetworkPolicyPeer> peers, List<NetworkPolicyPort> ports) {
        assertNotNull(peers, where);
        assertFalse(peers.isEmpty(), where + ": a rule without peers admits every address");
        assertNotNull(ports, where);
        assertFalse(ports.isEmpty(), where + ": a rule without ports admits every port");
        for (NetworkPolicyPeer peer : peers) {
            boolean hasIpBlock = peer.getIpBlock() != null;
            assertTrue(hasIpBlock || peer.getPodSelector() != null || peer.getNamespaceSelector() != null,
                    where + ": empty peer");
            if (hasIpBlock) {
                String cidr = peer.getIpBlock().getCidr();
                assertFalse(cidr.endsWith("/0"), where + ": " + cidr + " is every address");
            }
            if (peer.getNamespaceSelector() != null) {
                assertFalse(selectsEverything(peer.getNamespaceSelector()), where + ": every namespace");
            }
            if (peer.getPodSelector() != null && peer.getNamespaceSelector() == null) {
                assertFalse(selectsEverything(peer.getPodSelector()), where + ": every pod of the namespace");
            }
        }
    }

    /** Does any rule admit a peer that, by itself, stands for exactly these pods of this namespace? */
    private static boolean allows(List<List<NetworkPolicyPeer>> rules, Map<String, String> podLabels) {
        return rules.stream().flatMap(List::stream)
                .filter(p -> p.getNamespaceSelector() == null && p.getIpBlock() == null && p.getPodSelector() != null)
                .anyMatch(p -> podLabels.entrySet().containsAll(p.getPodSelector().getMatchLabels().entrySet()));
    }

    private static Map<String, String> podsOfRelease(SentinelChart.Release release, String service) {
        return release.one(Deployment.class, release.name(service)).getSpec().getTemplate().getMetadata().getLabels();
    }

    private static ObjectNode podsOf(SentinelChart.Release release, String service) {
        ObjectNode peer = JSON.createObjectNode();
        peer.putObject("podSelector").putObject("matchLabels")
                .put("app.kubernetes.io/instance", release.agency())
                .put("app.kubernetes.io/name", SERVICE_NAMES.get(service));
        return peer;
    }

    /** The NetworkPolicy peers a values list of {cidr, except} / {namespace, podLabels} must become. */
    @SuppressWarnings("unchecked")
    private static List<ObjectNode> peers(List<Object> declared) {
        List<ObjectNode> peers = new ArrayList<>();
        for (Object item : declared) {
            Map<String, Object> entry = asMap(item);
            ObjectNode peer = JSON.createObjectNode();
            if (entry.containsKey("cidr")) {
                ObjectNode block = peer.putObject("ipBlock").put("cidr", (String) entry.get("cidr"));
                List<Object> except = (List<Object>) entry.getOrDefault("except", List.of());
                if (!except.isEmpty()) {
                    ArrayNode array = block.putArray("except");
                    except.forEach(e -> array.add((String) e));
                }
            } else {
                if (entry.containsKey("namespace")) {
                    peer.putObject("namespaceSelector").putObject("matchLabels")
                            .put("kubernetes.io/metadata.name", (String) entry.get("namespace"));
                }
                if (entry.containsKey("podLabels")) {
                    ObjectNode labels = peer.putObject("podSelector").putObject("matchLabels");
                    ((Map<String, Object>) entry.get("podLabels")).forEach((k, val) -> labels.put(k, (String) val));
                }
            }
            peers.add(peer);
        }
        return peers;
    }

    private static List<JsonNode> httpPort() {
        return List.of(port(HTTP_PORT, "TCP"));
    }

    private static JsonNode port(int number, String protocol) {
        return JSON.createObjectNode().put("port", number).put("protocol", protocol);
    }

    private static JsonNode rule(String direction, List<? extends JsonNode> peers, List<JsonNode> ports) {
        ObjectNode rule = JSON.createObjectNode();
        rule.putArray(direction).addAll(peers);
        rule.putArray("ports").addAll(ports);
        return rule;
    }

    private static void assertSameRules(List<JsonNode> expected, List<JsonNode> actual, String where) {
        // Rule order carries no meaning; peers and ports inside a rule keep the values' order.
        assertEquals(expected.stream().map(NetworkPolicyTest::normalised).map(JsonNode::toString).sorted().toList(),
                actual.stream().map(NetworkPolicyTest::normalised).map(JsonNode::toString).sorted().toList(), where);
    }

    /** Label maps sorted by key so that equal selectors print equally. */
    private static JsonNode normalised(JsonNode node) {
        if (node.isObject()) {
            ObjectNode sorted = JSON.createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.stream().sorted().forEach(n -> sorted.set(n, normalised(node.get(n))));
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode array = JSON.createArrayNode();
            node.forEach(n -> array.add(normalised(n)));
            return array;
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }
}
