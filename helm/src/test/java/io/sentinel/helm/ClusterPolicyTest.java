package io.sentinel.helm;

import static io.sentinel.helm.SentinelChart.SERVICE_NAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * k8s/'s cluster policy against the chart: admission (residency, ExternalName) evaluated in CEL on
 * the rendered pods, claims and Services; the AdminNetworkPolicies passing all the releases'
 * NetworkPolicies allow and denying the rest; RBAC that keeps tenants off isolation; quotas that
 * fit the release; a CloudNativePG cluster per agency in its region.
 */
class ClusterPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> objects(String dir) {
        List<JsonNode> objects = new ArrayList<>();
        for (Path file : SentinelChart.yamlFiles(SentinelChart.k8sDir().resolve(dir))) {
            objects.addAll(KubernetesYaml.documents(SentinelChart.read(file)));
        }
        return objects;
    }

    static JsonNode one(String dir, String kind, String name) {
        return objects(dir).stream().filter(o -> kind.equals(o.path("kind").asText())
                        && name.equals(o.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("k8s/" + dir + " has no " + kind + " " + name));
    }

    static JsonNode residency() {
        return one("admission", "ValidatingAdmissionPolicy", "sentinel-residency");
    }

    /** The agency's namespace from k8s/namespaces, or for ci values one labelled like it. */
    static JsonNode namespaceOf(SentinelChart.Release release) {
        for (JsonNode namespace : objects("namespaces")) {
            if (release.namespace().equals(namespace.path("metadata").path("name").asText())) {
                return namespace;
            }
        }
        ObjectNode namespace = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
        namespace.putObject("metadata").put("name", release.namespace()).putObject("labels")
                .put("sentinel.io/agency", release.agency()).put("sentinel.io/data-region", release.region());
        return namespace;
    }

    /** A pod as the ReplicaSet controller would create it from the Deployment. */
    static ObjectNode pod(JsonNode deployment) {
        ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        pod.set("metadata", deployment.path("spec").path("template").path("metadata").deepCopy());
        pod.set("spec", deployment.path("spec").path("template").path("spec").deepCopy());
        return pod;
    }

    static List<JsonNode> deployments(SentinelChart.Release release) {
        return KubernetesYaml.documents(release.yaml()).stream().filter(d -> "Deployment".equals(d.path("kind").asText())).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#allValues")
    void theResidencyPolicyAdmitsEveryRenderedPodInItsNamespace(Path values) {
        var release = SentinelChart.render(values);
        JsonNode namespace = namespaceOf(release);

        assertFalse(deployments(release).isEmpty());
        for (JsonNode deployment : deployments(release)) {
            assertEquals(List.of(), AdmissionPolicies.refusals(residency(), pod(deployment), namespace),
                    deployment.path("metadata").path("name").asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#agencyValues")
    void theResidencyPolicyRefusesThePodsOfAnotherRegion(Path values) {
        var release = SentinelChart.render(values);
        ObjectNode namespace = namespaceOf(release).deepCopy();
        String elsewhere = release.region().equals("eu-west-1") ? "eu-west-2" : "eu-west-1";
        ((ObjectNode) namespace.path("metadata").path("labels")).put("sentinel.io/data-region", elsewhere);

        for (JsonNode deployment : deployments(release)) {
            assertEquals(List.of("pods in this namespace must require nodes of region " + elsewhere
                            + " (node affinity topology.kubernetes.io/region In [" + elsewhere + "])"),
                    AdmissionPolicies.refusals(residency(), pod(deployment), namespace));
        }
    }

    @Test
    void theResidencyPolicyRefusesAPodWithoutTheRegionAndANamespaceWithoutItsLabel() {
        var release = SentinelChart.render(SentinelChart.agenciesDir().resolve("uk-immigration.yaml"));
        JsonNode namespace = namespaceOf(release);
        ObjectNode pod = pod(deployments(release).get(0));
        ((ObjectNode) pod.path("spec")).remove("affinity");
        ObjectNode otherTerm = pod(deployments(release).get(0));
        // A second term that does not pin the region would let the scheduler pick any node.
        ((com.fasterxml.jackson.databind.node.ArrayNode) otherTerm.path("spec").path("affinity").path("nodeAffinity")
                .path("requiredDuringSchedulingIgnoredDuringExecution").path("nodeSelectorTerms"))
                .addObject().putArray("matchExpressions").addObject().put("key", "kubernetes.io/os").put("operator", "Exists");
        ObjectNode unlabelled = namespace.deepCopy();
        ((ObjectNode) unlabelled.path("metadata")).remove("labels");

        String pin = "pods in this namespace must require nodes of region eu-west-2 (node affinity topology.kubernetes.io/region In [eu-west-2])";
        assertEquals(List.of(pin), AdmissionPolicies.refusals(residency(), pod, namespace));
        assertEquals(List.of(pin), AdmissionPolicies.refusals(residency(), otherTerm, namespace));
        assertTrue(AdmissionPolicies.refusals(residency(), pod(deployments(release).get(0)), unlabelled)
                .contains("a Sentinel namespace must carry the label sentinel.io/data-region"));
    }

    @Test
    void theResidencyPolicyAdmitsOnlyClaimsOnTheRegionsStorageClass() {
        JsonNode namespace = objects("namespaces").stream()
                .filter(n -> n.path("metadata").path("name").asText().equals("uk-police")).findFirst().orElseThrow();
        String own = "sentinel-" + namespace.path("metadata").path("labels").path("sentinel.io/data-region").asText();

        assertTrue(AdmissionPolicies.matches(residency(), "persistentvolumeclaims"));
        assertTrue(AdmissionPolicies.matches(residency(), "pods"));
        assertEquals(List.of(), AdmissionPolicies.refusals(residency(), claim(own), namespace));
        assertEquals(List.of("claims in this namespace must name storage class " + own
                        + " (no default class: it could provision outside the region)"),
                AdmissionPolicies.refusals(residency(), claim("sentinel-eu-west-1"), namespace));
        assertEquals(1, AdmissionPolicies.refusals(residency(), claim(null), namespace).size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#allValues")
    void externalNameServicesAreRefusedAndTheChartsServicesAdmitted(Path values) {
        var release = SentinelChart.render(values);
        JsonNode policy = one("admission", "ValidatingAdmissionPolicy", "sentinel-no-external-name");
        JsonNode namespace = namespaceOf(release);

        assertTrue(AdmissionPolicies.matches(policy, "services"));
        for (JsonNode service : KubernetesYaml.documents(release.yaml())) {
            if ("Service".equals(service.path("kind").asText())) {
                assertEquals(List.of(), AdmissionPolicies.refusals(policy, service, namespace));
                ObjectNode alias = service.deepCopy();
                ((ObjectNode) alias.path("spec")).put("type", "ExternalName").put("externalName", "db.example.com");
                assertEquals(List.of("ExternalName Services are not allowed in Sentinel namespaces"),
                        AdmissionPolicies.refusals(policy, alias, namespace));
            }
        }
    }

    @Test
    void everyAdmissionPolicyIsBoundToDenyInEveryNamespaceHoldingAgencyData() {
        List<JsonNode> admission = objects("admission");
        List<JsonNode> policies = admission.stream().filter(o -> o.path("kind").asText().equals("ValidatingAdmissionPolicy")).toList();

        assertEquals(2, policies.size());
        for (JsonNode policy : policies) {
            String name = policy.path("metadata").path("name").asText();
            assertEquals("Fail", policy.path("spec").path("failurePolicy").asText(), name);
            JsonNode binding = one("admission", "ValidatingAdmissionPolicyBinding", name);
            assertEquals(name, binding.path("spec").path("policyName").asText());
            assertTrue(binding.path("spec").path("validationActions").toString().contains("Deny"), name);
            JsonNode selector = binding.path("spec").path("matchResources").path("namespaceSelector").path("matchExpressions").get(0);
            assertEquals("sentinel.io/data-region", selector.path("key").asText(), name);
            assertEquals("Exists", selector.path("operator").asText(), name);
        }
        // Every namespace that holds an agency's data carries the label the bindings select.
        List<JsonNode> namespaces = new ArrayList<>(objects("namespaces"));
        objects("databases").stream().filter(o -> o.path("kind").asText().equals("Namespace")).forEach(namespaces::add);
        for (JsonNode namespace : namespaces) {
            assertTrue(namespace.path("metadata").path("labels").has("sentinel.io/data-region"), namespace.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#agencyValues")
    void theAdminNetworkPolicyPassesAllTheReleaseAllowsAndDeniesTheRest(Path values) {
        var release = SentinelChart.render(values);
        JsonNode anp = one("network-policy", "AdminNetworkPolicy", "sentinel-" + release.agency());
        JsonNode spec = anp.path("spec");

        assertEquals(release.namespace(), spec.path("subject").path("namespaces").path("matchLabels")
                .path("kubernetes.io/metadata.name").asText());
        for (String direction : List.of("ingress", "egress")) {
            JsonNode rules = spec.path(direction);
            JsonNode last = rules.get(rules.size() - 1);
            assertEquals("Deny", last.path("action").asText(), direction + ": the last rule denies everything else");
            assertTrue(last.toString().contains("\"namespaces\":{}"), direction);
            for (JsonNode rule : rules) {
                assertTrue(Set.of("Pass", "Deny").contains(rule.path("action").asText()),
                        "an Allow would overrule the release's NetworkPolicies: " + rule);
            }
        }
        for (NetworkPolicy policy : release.all(NetworkPolicy.class)) {
            for (var rule : policy.getSpec().getIngress()) {
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertTrue(passes(spec.path("ingress"), "from", release.namespace(), peer),
                            RenderedChartTest.describe(policy) + " admits " + peer + ", which the AdminNetworkPolicy denies");
                }
            }
            for (var rule : policy.getSpec().getEgress()) {
                for (NetworkPolicyPeer peer : rule.getTo()) {
                    assertTrue(passes(spec.path("egress"), "to", release.namespace(), peer),
                            RenderedChartTest.describe(policy) + " sends to " + peer + ", which the AdminNetworkPolicy denies");
                }
            }
        }
    }

    @Test
    void theBaselineDeniesWhatNoNetworkPolicyDecidesInEverySentinelNamespace() {
        JsonNode baseline = one("network-policy", "BaselineAdminNetworkPolicy", "default");

        assertEquals("sentinel", baseline.path("spec").path("subject").path("namespaces").path("matchLabels")
                .path("app.kubernetes.io/part-of").asText());
        for (JsonNode namespace : objects("namespaces")) {
            assertEquals("sentinel", namespace.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText());
        }
        for (String direction : List.of("ingress", "egress")) {
            JsonNode rules = baseline.path("spec").path(direction);
            assertEquals(1, rules.size());
            assertEquals("Deny", rules.get(0).path("action").asText());
        }
    }

    /** Whether a Pass rule (before any Deny) covers the NetworkPolicy peer. */
    private static boolean passes(JsonNode rules, String field, String ownNamespace, NetworkPolicyPeer peer) {
        for (JsonNode rule : rules) {
            if (!rule.path("action").asText().equals("Pass")) {
                return false;
            }
            for (JsonNode target : rule.path(field)) {
                if (peer.getIpBlock() != null) {
                    for (JsonNode network : target.path("networks")) {
                        if (network.asText().equals(peer.getIpBlock().getCidr())) {
                            return true;
                        }
                    }
                    continue;
                }
                String namespace = peer.getNamespaceSelector() == null ? ownNamespace
                        : peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
                String passed = target.has("namespaces")
                        ? target.path("namespaces").path("matchLabels").path("kubernetes.io/metadata.name").asText(null)
                        : target.path("pods").path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText(null);
                if (namespace != null && namespace.equals(passed)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void tenantsCannotWriteNetworkPoliciesServicesIngressesOrRbac() {
        ClusterRole role = (ClusterRole) KubernetesYaml.parseAll(SentinelChart.read(SentinelChart.k8sDir().resolve("rbac/tenant-role.yaml"))).get(0);
        Set<String> writes = Set.of("create", "update", "patch", "delete", "deletecollection", "*");
        Set<String> guarded = Set.of("networkpolicies", "services", "ingresses", "roles", "rolebindings", "resourcequotas",
                "limitranges", "namespaces", "pods/exec", "deployments", "*");

        for (PolicyRule rule : role.getRules()) {
            assertFalse(rule.getApiGroups().contains("*"), "no wildcard group");
            assertFalse(rule.getApiGroups().contains("rbac.authorization.k8s.io"), "no RBAC at all");
            for (String resource : rule.getResources()) {
                if (guarded.contains(resource)) {
                    assertTrue(rule.getVerbs().stream().noneMatch(writes::contains), resource + " is writable: " + rule);
                }
            }
        }
        // Tenants supply their key material: Secrets are writable.
        assertTrue(role.getRules().stream().anyMatch(r -> r.getResources().contains("secrets") && r.getVerbs().contains("create")));
        for (Path file : SentinelChart.agencyValuesFiles()) {
            String agency = SentinelChart.agencyId(file);
            RoleBinding binding = (RoleBinding) KubernetesYaml.parseAll(
                    SentinelChart.read(SentinelChart.k8sDir().resolve("rbac/" + agency + ".yaml"))).get(0);
            assertEquals(agency, binding.getMetadata().getNamespace());
            assertEquals("ClusterRole", binding.getRoleRef().getKind());
            assertEquals("sentinel-tenant", binding.getRoleRef().getName());
            assertEquals(List.of("sentinel:" + agency + ":operators"), binding.getSubjects().stream().map(s -> s.getName()).toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#agencyValues")
    void theQuotaHoldsTheReleaseAtFullScaleWithARolloutsSurgeAndNoOtherRegionsStorage(Path values) {
        var release = SentinelChart.render(values);
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects = KubernetesYaml.parseAll(
                SentinelChart.read(SentinelChart.k8sDir().resolve("quotas/" + release.agency() + ".yaml")));
        ResourceQuota quota = (ResourceQuota) objects.stream().filter(ResourceQuota.class::isInstance).findFirst().orElseThrow();
        LimitRange limits = (LimitRange) objects.stream().filter(LimitRange.class::isInstance).findFirst().orElseThrow();
        assertEquals(release.namespace(), quota.getMetadata().getNamespace());
        assertEquals(release.namespace(), limits.getMetadata().getNamespace());

        BigDecimal[] need = new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
        int pods = 0;
        for (Deployment deployment : release.all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            int replicas = release.all(HorizontalPodAutoscaler.class).stream().filter(h -> h.getMetadata().getName().equals(name))
                    .map(h -> h.getSpec().getMaxReplicas()).findFirst().orElse(deployment.getSpec().getReplicas());
            // RollingUpdate's default maxSurge is 25%, rounded up.
            int most = replicas + (replicas + 3) / 4;
            pods += most;
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            var requests = container.getResources().getRequests();
            var containerLimits = container.getResources().getLimits();
            need[0] = need[0].add(Quantity.getAmountInBytes(requests.get("cpu")).multiply(BigDecimal.valueOf(most)));
            need[1] = need[1].add(Quantity.getAmountInBytes(requests.get("memory")).multiply(BigDecimal.valueOf(most)));
            need[2] = need[2].add(Quantity.getAmountInBytes(containerLimits.get("cpu")).multiply(BigDecimal.valueOf(most)));
            need[3] = need[3].add(Quantity.getAmountInBytes(containerLimits.get("memory")).multiply(BigDecimal.valueOf(most)));
            var max = limits.getSpec().getLimits().stream().filter(l -> l.getType().equals("Container")).findFirst().orElseThrow().getMax();
            for (String resource : List.of("cpu", "memory")) {
                assertTrue(Quantity.getAmountInBytes(containerLimits.get(resource)).compareTo(Quantity.getAmountInBytes(max.get(resource))) <= 0,
                        name + " " + resource + " limit exceeds the LimitRange maximum");
            }
        }
        Map<String, Quantity> hard = quota.getSpec().getHard();
        String[] keys = {"requests.cpu", "requests.memory", "limits.cpu", "limits.memory"};
        for (int i = 0; i < keys.length; i++) {
            assertTrue(Quantity.getAmountInBytes(hard.get(keys[i])).compareTo(need[i]) >= 0,
                    keys[i] + ": quota " + hard.get(keys[i]) + " below the release's " + need[i]);
        }
        assertTrue(Integer.parseInt(hard.get("pods").getAmount()) >= pods, "pods: " + pods);
        assertEquals("0", hard.get("services.loadbalancers").getAmount());
        assertEquals("0", hard.get("services.nodeports").getAmount());
        String otherRegion = release.region().equals("eu-west-1") ? "eu-west-2" : "eu-west-1";
        assertEquals("0", hard.get("sentinel-" + otherRegion + ".storageclass.storage.k8s.io/requests.storage").getAmount());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#agencyValues")
    void eachAgencyHasAnInRegionPostgresClusterWithTlsBackupsAndTheChartsDatabasesAndRoles(Path values) {
        var release = SentinelChart.render(values);
        String agency = release.agency();
        String region = release.region();
        String database = agency.replace('-', '_');
        JsonNode cluster = one("databases", "Cluster", agency + "-pg");
        JsonNode spec = cluster.path("spec");

        assertEquals(agency + "-db", cluster.path("metadata").path("namespace").asText());
        assertEquals(region, cluster.path("metadata").path("labels").path("sentinel.io/data-region").asText());
        assertTrue(spec.path("instances").asInt() >= 3, "a primary and two standbys");
        assertEquals("sentinel-" + region, spec.path("storage").path("storageClass").asText());
        assertEquals("sentinel-" + region, spec.path("walStorage").path("storageClass").asText());
        assertEquals(region, spec.path("affinity").path("nodeSelector").path("topology.kubernetes.io/region").asText());
        assertEquals("topology.kubernetes.io/zone", spec.path("affinity").path("topologyKey").asText());
        assertEquals("required", spec.path("affinity").path("podAntiAffinityType").asText());
        assertFalse(spec.path("certificates").path("serverTLSSecret").asText().isEmpty(), "server certificate from the agency CA");
        assertEquals("hostnossl all all all reject", spec.path("postgresql").path("pg_hba").get(0).asText(), "TLS only");
        String bucket = spec.path("backup").path("barmanObjectStore").path("destinationPath").asText();
        assertTrue(bucket.contains(region), "backups stay in the region: " + bucket);
        assertEquals("AES256", spec.path("backup").path("barmanObjectStore").path("data").path("encryption").asText());
        JsonNode scheduled = one("databases", "ScheduledBackup", agency + "-pg-daily");
        assertEquals(agency + "-pg", scheduled.path("spec").path("cluster").path("name").asText());

        // The databases and roles the chart's services expect by default, one pair of roles each.
        List<String> roles = new ArrayList<>();
        spec.path("managed").path("roles").forEach(r -> roles.add(r.path("name").asText()));
        List<String> databases = new ArrayList<>(List.of(spec.path("bootstrap").path("initdb").path("database").asText()));
        objects("databases").stream().filter(o -> o.path("kind").asText().equals("Database")
                        && o.path("spec").path("cluster").path("name").asText().equals(agency + "-pg"))
                .forEach(d -> databases.add(d.path("spec").path("name").asText()));
        List<String> expectedDatabases = new ArrayList<>();
        for (String service : release.enabledServices()) {
            String name = database + "_" + service;
            expectedDatabases.add(name);
            assertTrue(roles.contains(name) && roles.contains(name + "_migration"), service + ": " + roles);
            JsonNode migration = null;
            for (JsonNode role : spec.path("managed").path("roles")) {
                if (role.path("name").asText().equals(name + "_migration")) {
                    migration = role;
                }
            }
            assertNotNull(migration);
            assertEquals("[\"" + name + "\"]", migration.path("inRoles").toString(), "Flyway's role is a member of the service role");
            assertEquals(release.name(service) + "-db", roleSecret(spec, name));
            assertEquals(release.databaseMigrationSecret(service), roleSecret(spec, name + "_migration"));
        }
        assertEquals(Set.copyOf(expectedDatabases), Set.copyOf(databases));
        assertEquals(expectedDatabases.size(), databases.size());
        assertEquals(release.enabledServices().stream().map(SERVICE_NAMES::get).count(), databases.size());
    }

    private static String roleSecret(JsonNode spec, String role) {
        for (JsonNode r : spec.path("managed").path("roles")) {
            if (r.path("name").asText().equals(role)) {
                return r.path("passwordSecret").path("name").asText();
            }
        }
        return null;
    }

    private static ObjectNode claim(String storageClass) {
        ObjectNode claim = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolumeClaim");
        claim.putObject("metadata").put("name", "data");
        ObjectNode spec = claim.putObject("spec");
        if (storageClass != null) {
            spec.put("storageClassName", storageClass);
        }
        spec.putArray("accessModes").add("ReadWriteOnce");
        return claim;
    }
}
