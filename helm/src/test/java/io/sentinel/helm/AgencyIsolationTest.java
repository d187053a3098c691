package io.sentinel.helm;

import static io.sentinel.helm.SentinelChart.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Agencies rendered side by side: nothing of one may name, share or reach into another's data. */
class AgencyIsolationTest {

    static Stream<Arguments> agencyPairs() {
        List<Path> files = SentinelChart.agencyValuesFiles();
        List<Arguments> pairs = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            for (int j = i + 1; j < files.size(); j++) {
                pairs.add(Arguments.of(Named.of(files.get(i).getFileName().toString(), files.get(i)),
                        Named.of(files.get(j).getFileName().toString(), files.get(j))));
            }
        }
        return pairs.stream();
    }

    @Test
    void thereAreThreeExampleAgenciesOfDifferentKinds() {
        var kinds = SentinelChart.agencyValuesFiles().stream()
                .map(f -> SentinelChart.render(f).values())
                .map(v -> (String) SentinelChart.path(v, "agency", "kind")).toList();

        assertEquals(List.of("justice-ministry", "immigration-authority", "police"), kinds);
        var regions = SentinelChart.agencyValuesFiles().stream()
                .map(f -> SentinelChart.render(f).region()).collect(java.util.stream.Collectors.toSet());
        assertTrue(regions.size() >= 2, "the examples must span more than one region: " + regions);
        // The side-by-side comparisons below only mean something if the examples have hosts to compare.
        long withIngress = SentinelChart.agencyValuesFiles().stream()
                .filter(f -> !SentinelChart.render(f).all(Ingress.class).isEmpty()).count();
        assertTrue(withIngress >= 2, "at least two example agencies must have public services");
    }

    @ParameterizedTest(name = "{0} and {1}")
    @MethodSource("agencyPairs")
    void twoAgenciesShareNoNamespaceServiceSecretClaimOrDatabase(Path first, Path second) {
        var a = SentinelChart.render(first);
        var b = SentinelChart.render(second);

        assertDisjoint("namespace", Set.of(a.namespace()), Set.of(b.namespace()));
        assertDisjoint("Service", names(a.all(Service.class)), names(b.all(Service.class)));
        assertDisjoint("Secret", secretNames(a), secretNames(b));
        assertDisjoint("ConfigMap", configMapNames(a), configMapNames(b));
        assertDisjoint("PersistentVolumeClaim", names(a.all(PersistentVolumeClaim.class)),
                names(b.all(PersistentVolumeClaim.class)));
        assertDisjoint("database", databases(a, false), databases(b, false));
        assertDisjoint("host/database", databases(a, true), databases(b, true));
        assertDisjoint("object", allNames(a), allNames(b));
        assertDisjoint("Ingress host", hosts(a), hosts(b));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#agencyValues")
    void withinOneAgencyEveryServiceHasItsOwnDatabase(Path values) {
        var release = SentinelChart.render(values);

        assertEquals(release.enabledServices().size(), databases(release, false).size(), "one database per service");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sentinel.helm.SentinelChart#agencyValues")
    void crossNamespaceTrafficReachesOnlyDeclaredPartnersAndClusterServices(Path values) {
        var release = SentinelChart.render(values);
        Set<String> partners = new HashSet<>();
        list(release.values(), "partners").forEach(p -> partners.add((String) ((Map<?, ?>) p).get("id")));
        Set<String> otherAgencies = new HashSet<>();
        SentinelChart.agencyValuesFiles().forEach(f -> otherAgencies.add(SentinelChart.agencyId(f)));
        otherAgencies.remove(release.agency());

        for (NetworkPolicy policy : release.all(NetworkPolicy.class)) {
            List<NetworkPolicyPeer> peers = new ArrayList<>();
            policy.getSpec().getIngress().forEach(r -> peers.addAll(r.getFrom()));
            policy.getSpec().getEgress().forEach(r -> peers.addAll(r.getTo()));
            for (NetworkPolicyPeer peer : peers) {
                if (peer.getNamespaceSelector() == null) {
                    continue;
                }
                String namespace = peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
                if (otherAgencies.contains(namespace)) {
                    assertTrue(partners.contains(namespace), RenderedChartTest.describe(policy)
                            + " reaches agency " + namespace + ", which is not a declared partner");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} and {1}")
    @MethodSource("agencyPairs")
    void sameClusterPartnersAdmitEachOtherOnBothSides(Path first, Path second) {
        var a = SentinelChart.render(first);
        var b = SentinelChart.render(second);

        assertEgressAdmitted(a, b);
        assertEgressAdmitted(b, a);
    }

    /**
     * Partners are declared on both sides, alike: both name each other, agree on whether they
     * share a cluster, and across clusters each gives the other's gateways exactly as the other
     * declares them (addresses and port). What one side calls pod to pod, the other admits; what
     * a partner in another cluster calls must be public, behind our ingress controller.
     */
    @ParameterizedTest(name = "{0} and {1}")
    @MethodSource("agencyPairs")
    void partnersDeclareEachOtherAlikeOnBothSides(Path first, Path second) {
        var a = SentinelChart.render(first);
        var b = SentinelChart.render(second);
        Map<String, Object> aSideOfB = partner(a, b.agency());
        Map<String, Object> bSideOfA = partner(b, a.agency());

        assertEquals(aSideOfB == null, bSideOfA == null, a.agency() + " and " + b.agency() + " must name each other, or neither");
        if (aSideOfB == null) {
            return;
        }
        assertEquals(aSideOfB.get("sameCluster"), bSideOfA.get("sameCluster"), "sameCluster differs between the halves");
        if (Boolean.TRUE.equals(aSideOfB.get("sameCluster"))) {
            assertEquals(a.values().get("gateways"), b.values().get("gateways"), "one cluster, one pair of gateways");
            assertEquals(a.region(), b.region(), "one cluster serves one region");
        } else {
            assertEquals(SentinelChart.path(b.values(), "gateways"), aSideOfB.get("gateways"),
                    a.agency() + "'s view of " + b.agency() + "'s gateways differs from " + b.agency() + "'s own");
            assertEquals(SentinelChart.path(a.values(), "gateways"), bSideOfA.get("gateways"),
                    b.agency() + "'s view of " + a.agency() + "'s gateways differs from " + a.agency() + "'s own");
        }
        assertCallsMatch(a, aSideOfB, b, bSideOfA);
        assertCallsMatch(b, bSideOfA, a, aSideOfB);
    }

    @Test
    void theExamplesHavePartnersInTheSameClusterAndInAnother() {
        Set<Object> kinds = new HashSet<>();
        for (Path file : SentinelChart.agencyValuesFiles()) {
            list(SentinelChart.render(file).values(), "partners").forEach(p -> kinds.add(((Map<?, ?>) p).get("sameCluster")));
        }
        assertEquals(Set.of(true, false), kinds);
    }

    /** What `caller` says it calls of `callee` is what `callee` says it admits from `caller`. */
    private static void assertCallsMatch(SentinelChart.Release caller, Map<String, Object> callerSide,
            SentinelChart.Release callee, Map<String, Object> calleeSide) {
        List<Object> calls = list(callerSide, "outbound", "to");
        List<Object> callers = list(callerSide, "outbound", "services");
        List<Object> admitted = list(calleeSide, "inbound", "services");
        List<Object> admittedFrom = list(calleeSide, "inbound", "from");
        if (Boolean.TRUE.equals(callerSide.get("sameCluster"))) {
            assertEquals(new HashSet<>(calls), new HashSet<>(admitted), caller.agency() + " calls " + calls + " of "
                    + callee.agency() + ", which admits " + admitted);
            assertEquals(new HashSet<>(callers), new HashSet<>(admittedFrom), callee.agency() + " admits calls from "
                    + admittedFrom + " of " + caller.agency() + ", whose callers are " + callers);
        } else {
            assertTrue(callers.isEmpty() == admitted.isEmpty(), caller.agency() + " -> " + callee.agency()
                    + ": one half declares calls the other does not");
            for (Object service : admitted) {
                assertTrue(Boolean.TRUE.equals(SentinelChart.path(callee.values(), "services", (String) service, "public")),
                        callee.agency() + " admits " + caller.agency() + " to " + service + ", which is not public");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> partner(SentinelChart.Release release, String id) {
        return list(release.values(), "partners").stream().map(p -> (Map<String, Object>) p)
                .filter(p -> id.equals(p.get("id"))).findFirst().orElse(null);
    }

    private static Set<String> hosts(SentinelChart.Release release) {
        Set<String> hosts = new TreeSet<>();
        release.all(Ingress.class).forEach(i -> i.getSpec().getRules().forEach(r -> hosts.add(r.getHost())));
        return hosts;
    }

    /** Every egress rule of `from` into `to`'s namespace must meet an ingress rule of `to` admitting it. */
    private static void assertEgressAdmitted(SentinelChart.Release from, SentinelChart.Release to) {
        for (Deployment source : from.all(Deployment.class)) {
            Map<String, String> sourceLabels = source.getSpec().getTemplate().getMetadata().getLabels();
            NetworkPolicy sourcePolicy = from.one(NetworkPolicy.class, source.getMetadata().getName());
            for (var rule : sourcePolicy.getSpec().getEgress()) {
                for (NetworkPolicyPeer peer : rule.getTo()) {
                    if (peer.getNamespaceSelector() == null || !to.namespace().equals(
                            peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))) {
                        continue;
                    }
                    List<Deployment> targets = to.all(Deployment.class).stream()
                            .filter(d -> peer.getPodSelector() == null || d.getSpec().getTemplate().getMetadata().getLabels()
                                    .entrySet().containsAll(peer.getPodSelector().getMatchLabels().entrySet()))
                            .toList();
                    assertTrue(!targets.isEmpty(), source.getMetadata().getName() + " egresses to pods that "
                            + to.agency() + " does not run");
                    for (Deployment target : targets) {
                        NetworkPolicy targetPolicy = to.one(NetworkPolicy.class, target.getMetadata().getName());
                        for (NetworkPolicyPort port : rule.getPorts()) {
                            assertTrue(admits(targetPolicy, from.namespace(), sourceLabels, port),
                                    source.getMetadata().getName() + " may send to " + target.getMetadata().getName()
                                            + " on " + port.getPort() + ", but " + to.agency() + " does not admit it");
                        }
                    }
                }
            }
        }
    }

    private static boolean admits(NetworkPolicy policy, String namespace, Map<String, String> podLabels,
            NetworkPolicyPort port) {
        return policy.getSpec().getIngress().stream()
                .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().equals(port.getPort())
                        && p.getProtocol().equals(port.getProtocol())))
                .flatMap(r -> r.getFrom().stream())
                .anyMatch(p -> p.getNamespaceSelector() != null
                        && namespace.equals(p.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                        && (p.getPodSelector() == null
                                || podLabels.entrySet().containsAll(p.getPodSelector().getMatchLabels().entrySet())));
    }

    private static Set<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
        Set<String> names = new TreeSet<>();
        objects.forEach(o -> names.add(o.getMetadata().getName()));
        return names;
    }

    private static Set<String> allNames(SentinelChart.Release release) {
        return names(release.objects());
    }

    /** Names of every Secret the release reads: env references, volumes and pull secrets. */
    static Set<String> secretNames(SentinelChart.Release release) {
        Set<String> names = new TreeSet<>();
        for (Deployment deployment : release.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            for (Container container : pod.getContainers()) {
                for (EnvVar env : container.getEnv()) {
                    if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                        names.add(env.getValueFrom().getSecretKeyRef().getName());
                    }
                }
            }
            for (Volume volume : pod.getVolumes()) {
                if (volume.getSecret() != null) {
                    names.add(volume.getSecret().getSecretName());
                }
            }
            pod.getImagePullSecrets().stream().map(LocalObjectReference::getName).forEach(names::add);
        }
        return names;
    }

    /** Names of every ConfigMap the release mounts (the services' public token keys). */
    static Set<String> configMapNames(SentinelChart.Release release) {
        Set<String> names = new TreeSet<>();
        for (Deployment deployment : release.all(Deployment.class)) {
            for (Volume volume : deployment.getSpec().getTemplate().getSpec().getVolumes()) {
                if (volume.getConfigMap() != null) {
                    names.add(volume.getConfigMap().getName());
                }
            }
        }
        return names;
    }

    /** Database names (or host/name pairs) taken from the DB_URL every service is given. */
    static Set<String> databases(SentinelChart.Release release, boolean withHost) {
        Set<String> databases = new TreeSet<>();
        for (String service : release.enabledServices()) {
            String url = RenderedChartTest.env(RenderedChartTest.container(release, service)).get("DB_URL").getValue();
            String hostAndName = url.substring("postgresql://".length()).replaceFirst(":\\d+/", "/");
            databases.add(withHost ? hostAndName : hostAndName.substring(hostAndName.indexOf('/') + 1));
        }
        return databases;
    }

    private static void assertDisjoint(String what, Set<String> first, Set<String> second) {
        Set<String> shared = new TreeSet<>(first);
        shared.retainAll(second);
        assertTrue(shared.isEmpty(), what + " names shared by two agencies: " + shared);
    }
}
