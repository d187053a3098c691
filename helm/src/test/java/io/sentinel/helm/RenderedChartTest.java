package io.sentinel.helm;

import static io.sentinel.helm.SentinelChart.HTTP_PORT;
import static io.sentinel.helm.SentinelChart.SERVICE_NAMES;
import static io.sentinel.helm.SentinelChart.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every agency and ci values file, rendered and checked object by object. */
class RenderedChartTest {

    private static final String VALUES = "io.sentinel.helm.SentinelChart#allValues";
    private static final Pattern DB_URL = Pattern.compile("postgresql://([A-Za-z0-9.-]+):(\\d{1,5})/([a-z_][a-z0-9_]*)");

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyObjectIsInTheReleaseNamespace(Path values) {
        var release = SentinelChart.render(values);

        assertFalse(release.objects().isEmpty());
        for (HasMetadata object : release.objects()) {
            assertEquals(release.namespace(), object.getMetadata().getNamespace(), describe(object));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyObjectAndPodCarriesTheAgencyAndRegionLabels(Path values) {
        var release = SentinelChart.render(values);

        for (HasMetadata object : release.objects()) {
            assertResidencyLabels(release, object.getMetadata().getLabels(), describe(object));
            assertEquals("sentinel", object.getMetadata().getLabels().get("app.kubernetes.io/part-of"), describe(object));
        }
        for (Deployment deployment : release.all(Deployment.class)) {
            assertResidencyLabels(release, deployment.getSpec().getTemplate().getMetadata().getLabels(),
                    "pods of " + describe(deployment));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void enabledServicesGetTheirFullSetOfObjectsAndDisabledOnesNone(Path values) {
        var release = SentinelChart.render(values);

        for (String service : SERVICE_NAMES.keySet()) {
            String name = release.name(service);
            List<Class<? extends HasMetadata>> kinds = List.of(Deployment.class, Service.class,
                    ServiceAccount.class, PodDisruptionBudget.class, NetworkPolicy.class);
            for (Class<? extends HasMetadata> kind : kinds) {
                long count = release.all(kind).stream().filter(o -> name.equals(o.getMetadata().getName())).count();
                assertEquals(release.enabled(service) ? 1 : 0, count, kind.getSimpleName() + " " + name);
            }
            boolean autoscaled = release.enabled(service)
                    && Boolean.TRUE.equals(path(release.values(), "services", service, "autoscaling", "enabled"));
            long hpas = release.all(HorizontalPodAutoscaler.class).stream()
                    .filter(o -> name.equals(o.getMetadata().getName())).count();
            assertEquals(autoscaled ? 1 : 0, hpas, "HorizontalPodAutoscaler " + name);
        }
        assertTrue(release.all(HorizontalPodAutoscaler.class).stream()
                .allMatch(h -> h.getMetadata().getName().endsWith("-location-svc")
                        || h.getMetadata().getName().endsWith("-rules-svc")),
                "only location-svc and rules-svc are autoscaled");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void autoscaledDeploymentsLeaveReplicasToTheAutoscaler(Path values) {
        var release = SentinelChart.render(values);

        for (HorizontalPodAutoscaler hpa : release.all(HorizontalPodAutoscaler.class)) {
            var target = hpa.getSpec().getScaleTargetRef();
            assertEquals("Deployment", target.getKind());
            Deployment deployment = release.one(Deployment.class, target.getName());
            assertNull(deployment.getSpec().getReplicas(), "a fixed replica count would fight " + describe(hpa));
            assertTrue(hpa.getSpec().getMinReplicas() <= hpa.getSpec().getMaxReplicas(), describe(hpa));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyPodIsPinnedToTheAgencyRegionAndSpreadAcrossZones(Path values) {
        var release = SentinelChart.render(values);

        for (Deployment deployment : release.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            var terms = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                    .getNodeSelectorTerms();
            // Terms are ORed: each one on its own must hold the pod to the region.
            assertFalse(terms.isEmpty(), describe(deployment));
            for (var term : terms) {
                List<NodeSelectorRequirement> region = term.getMatchExpressions().stream()
                        .filter(e -> "topology.kubernetes.io/region".equals(e.getKey())).toList();
                assertEquals(1, region.size(), describe(deployment));
                assertEquals("In", region.get(0).getOperator(), describe(deployment));
                assertEquals(List.of(release.region()), region.get(0).getValues(), describe(deployment));
            }
            assertNull(pod.getNodeName(), describe(deployment));

            List<TopologySpreadConstraint> zoneSpread = pod.getTopologySpreadConstraints().stream()
                    .filter(c -> "topology.kubernetes.io/zone".equals(c.getTopologyKey())).toList();
            assertEquals(1, zoneSpread.size(), describe(deployment));
            assertEquals(path(release.values(), "residency", "zoneSpread"), zoneSpread.get(0).getWhenUnsatisfiable());
            assertEquals(deployment.getSpec().getSelector().getMatchLabels(),
                    zoneSpread.get(0).getLabelSelector().getMatchLabels(), describe(deployment));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyContainerRunsNonRootReadOnlyUnprivilegedWithNoCapabilities(Path values) {
        var release = SentinelChart.render(values);

        for (Deployment deployment : release.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            String where = describe(deployment);
            assertTrue(pod.getSecurityContext().getRunAsNonRoot(), where);
            assertNotEquals(0L, pod.getSecurityContext().getRunAsUser(), where);
            assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), where);
            assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC()), where);
            assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where);
            // The restricted Pod Security Standard admits these volume types (and the chart needs no other).
            for (Volume volume : pod.getVolumes()) {
                assertTrue(volume.getEmptyDir() != null || volume.getSecret() != null || volume.getConfigMap() != null
                        || volume.getPersistentVolumeClaim() != null, where + " volume " + volume.getName());
            }
            assertTrue(pod.getInitContainers() == null || pod.getInitContainers().isEmpty(), where);

            for (Container container : pod.getContainers()) {
                var security = container.getSecurityContext();
                String at = where + " container " + container.getName();
                assertTrue(security.getRunAsNonRoot(), at);
                assertNotEquals(0L, security.getRunAsUser(), at);
                assertTrue(security.getReadOnlyRootFilesystem(), at);
                assertFalse(security.getAllowPrivilegeEscalation(), at);
                assertFalse(security.getPrivileged(), at);
                assertEquals(List.of("ALL"), security.getCapabilities().getDrop(), at);
                assertTrue(security.getCapabilities().getAdd() == null || security.getCapabilities().getAdd().isEmpty(), at);
                assertEquals("RuntimeDefault", security.getSeccompProfile().getType(), at);
            }
        }
        for (ServiceAccount account : release.all(ServiceAccount.class)) {
            assertEquals(Boolean.FALSE, account.getAutomountServiceAccountToken(), describe(account));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyContainerHasCpuAndMemoryRequestsAndLimits(Path values) {
        var release = SentinelChart.render(values);

        for (Deployment deployment : release.all(Deployment.class)) {
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                var resources = container.getResources();
                for (var amounts : List.of(resources.getRequests(), resources.getLimits())) {
                    assertNotNull(amounts, describe(deployment));
                    assertEquals(Set.of("cpu", "memory"), amounts.keySet(), describe(deployment));
                }
                for (String resource : List.of("cpu", "memory")) {
                    assertTrue(resources.getRequests().get(resource).getNumericalAmount()
                            .compareTo(resources.getLimits().get(resource).getNumericalAmount()) <= 0,
                            describe(deployment) + ": " + resource + " request above its limit");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyContainerServesHttpAndGrpcOverTlsOnOnePortProbedOnQuarkusHealth(Path values) {
        var release = SentinelChart.render(values);

        for (String service : release.enabledServices()) {
            Container container = container(release, service);
            assertEquals(1, container.getPorts().size(), container.getName());
            assertEquals("http", container.getPorts().get(0).getName());
            assertEquals(HTTP_PORT, container.getPorts().get(0).getContainerPort());
            assertEquals("TCP", container.getPorts().get(0).getProtocol());
            assertProbe(container, container.getLivenessProbe(), "/q/health/live");
            assertProbe(container, container.getReadinessProbe(), "/q/health/ready");
            assertProbe(container, container.getStartupProbe(), "/q/health/started");

            Service svc = release.one(Service.class, release.name(service));
            // Headless, so the callers' round-robin gRPC clients see every ready pod.
            assertEquals("None", svc.getSpec().getClusterIP(), svc.getMetadata().getName());
            assertFalse(Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses()));
            List<ServicePort> ports = svc.getSpec().getPorts();
            assertEquals(1, ports.size(), "REST and gRPC share one port");
            assertEquals("http", ports.get(0).getName());
            assertEquals("http", ports.get(0).getTargetPort().getStrVal());
            assertEquals("https", ports.get(0).getAppProtocol(), "the port serves TLS only");
            assertEquals(release.one(Deployment.class, release.name(service)).getSpec().getSelector().getMatchLabels(),
                    svc.getSpec().getSelector());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void imagesArePinnedToTheConfiguredRegistryGroupAndVersion(Path values) {
        var release = SentinelChart.render(values);
        String tag = Optional.ofNullable((String) path(release.values(), "image", "tag")).filter(t -> !t.isEmpty())
                .orElse(ChartVersionTest.rootPomVersion());
        boolean mutable = Boolean.TRUE.equals(path(release.values(), "image", "allowMutableTags"));

        for (String service : release.enabledServices()) {
            String digest = (String) path(release.values(), "image", "digests", service);
            assertTrue(mutable || digest != null, service + ": only ci/ values may run an image without its digest");
            String expected = path(release.values(), "image", "registry") + "/" + path(release.values(), "image", "group")
                    + "/" + SERVICE_NAMES.get(service) + ":" + tag + (digest == null || digest.isEmpty() ? "" : "@" + digest);
            assertEquals(expected, container(release, service).getImage());
            assertFalse(container(release, service).getImage().endsWith(":latest"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void credentialsComeOnlyFromExistingSecrets(Path values) {
        var release = SentinelChart.render(values);
        Set<String> fromSecrets = Set.of("DB_USERNAME", "DB_PASSWORD", "DB_MIGRATION_USERNAME", "DB_MIGRATION_PASSWORD",
                "BIOMETRIC_TEMPLATE_KEY", "MQTT_PASSWORD");

        for (String service : release.enabledServices()) {
            Map<String, EnvVar> env = env(container(release, service));
            for (String name : fromSecrets) {
                if (!env.containsKey(name)) {
                    continue;
                }
                EnvVar variable = env.get(name);
                assertNull(variable.getValue(), name + " must not be inline");
                assertNotNull(variable.getValueFrom().getSecretKeyRef(), name);
                assertFalse(variable.getValueFrom().getSecretKeyRef().getName().isBlank(), name);
            }
            assertTrue(env.keySet().containsAll(Set.of("DB_USERNAME", "DB_PASSWORD", "DB_MIGRATION_USERNAME", "DB_MIGRATION_PASSWORD")),
                    service);
            assertEquals("biometric".equals(service), env.containsKey("BIOMETRIC_TEMPLATE_KEY"), service);
            // Keys and certificates travel as mounted files only; these are the only Secret-valued variables.
            for (EnvVar variable : env.values()) {
                if (variable.getValueFrom() != null) {
                    assertTrue(fromSecrets.contains(variable.getName()), variable.getName() + " must not come from a Secret by value");
                }
                assertFalse(variable.getValue() != null && variable.getValue().contains("-----BEGIN"),
                        variable.getName() + " carries key material inline");
            }
            assertTrue(container(release, service).getEnvFrom() == null || container(release, service).getEnvFrom().isEmpty(),
                    "envFrom would pour a whole Secret into the environment");

            String url = env.get("DB_URL").getValue();
            var matcher = DB_URL.matcher(url);
            assertTrue(matcher.matches(), "DB_URL " + url + " must be postgresql://host:port/db without credentials");
            assertEquals(path(release.values(), "services", service, "database", "host"), matcher.group(1));
            assertEquals(String.valueOf(path(release.values(), "services", service, "database", "port")), matcher.group(2));
        }
        // The chart owns no Secret: KubernetesYaml refuses the kind, so none can be in objects().
        assertTrue(release.objects().stream().noneMatch(o -> "Secret".equals(o.getKind())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void everyFileTheEnvironmentNamesIsMountedReadOnlyFromTheRightSecret(Path values) {
        var release = SentinelChart.render(values);

        for (String service : release.enabledServices()) {
            PodSpec pod = release.one(Deployment.class, release.name(service)).getSpec().getTemplate().getSpec();
            Container container = container(release, service);
            Map<String, EnvVar> env = env(container);
            Map<String, List<String>> files = new java.util.LinkedHashMap<>();
            files.put("JWT_VERIFY_KEY_LOCATION", List.of(release.jwtVerifySecret(),
                    (String) path(release.values(), "auth", "verifyKey", "key")));
            files.put("SERVICE_TOKEN_KEY_LOCATION", List.of(release.serviceTokenKeySecret(service),
                    (String) path(release.values(), "services", service, "serviceTokenKey", "key")));
            files.put("TLS_CERT_FILE", List.of(release.tlsSecret(service), "tls.crt"));
            files.put("TLS_KEY_FILE", List.of(release.tlsSecret(service), "tls.key"));
            files.put("TLS_CA_FILE", List.of(release.tlsSecret(service), "ca.crt"));
            files.put("DB_CA_FILE", List.of(release.databaseCaSecret(service),
                    (String) path(release.values(), "services", service, "database", "tls", "caSecret", "key")));
            files.put("AUDIT_KEY_FILE", List.of(release.auditKeySecret(service),
                    (String) path(release.values(), "services", service, "audit", "keySecret", "key")));
            if ("location".equals(service) && release.mqttEnabled()) {
                files.put("MQTT_CA_FILE", List.of(
                        release.nameOrDefault(release.name(service) + "-mqtt-ca", "services", "location", "mqtt", "caSecret", "name"),
                        (String) path(release.values(), "services", "location", "mqtt", "caSecret", "key")));
            }
            files.forEach((variable, source) -> assertFileFromSecret(pod, container, env, variable, source.get(0), source.get(1)));

            // The peer keys: a directory holding exactly the enabled services' public keys, from the ConfigMap.
            String dir = env.get("SERVICE_TOKEN_PEER_KEYS_DIR").getValue();
            VolumeMount peerKeys = container.getVolumeMounts().stream().filter(m -> dir.equals(m.getMountPath()))
                    .findFirst().orElseThrow(() -> new AssertionError(service + ": nothing mounted at " + dir));
            assertTrue(peerKeys.getReadOnly(), "SERVICE_TOKEN_PEER_KEYS_DIR");
            assertNull(peerKeys.getSubPath(), "a subPath mount would not see key rotations");
            var configMap = volume(pod, peerKeys.getName()).getConfigMap();
            assertNotNull(configMap, "SERVICE_TOKEN_PEER_KEYS_DIR must come from the public-keys ConfigMap");
            assertEquals(release.serviceTokenPublicKeysConfigMap(), configMap.getName());
            assertEquals(0440, configMap.getDefaultMode());
            Set<String> expected = release.enabledServices().stream().map(s -> SERVICE_NAMES.get(s) + ".pem")
                    .collect(Collectors.toSet());
            assertEquals(expected, configMap.getItems().stream().map(i -> i.getPath()).collect(Collectors.toSet()));
            configMap.getItems().forEach(i -> assertEquals(i.getKey(), i.getPath(), "file name = key name"));

            assertFalse(env.get("JWT_ISSUER").getValue().isBlank());
            assertEquals(release.agency(), env.get("SENTINEL_AGENCY_ID").getValue());

            VolumeMount tmp = mountHolding(container, "/tmp/x");
            assertEquals("/tmp", tmp.getMountPath());
            assertNotNull(volume(pod, tmp.getName()).getEmptyDir(), "/tmp must be an emptyDir");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void auditCheckpointsAreAppendedToAWritableVolumeTheClaimOrAnEmptyDir(Path values) {
        var release = SentinelChart.render(values);
        String claim = release.auditCheckpointsClaim();

        for (String service : release.enabledServices()) {
            PodSpec pod = release.one(Deployment.class, release.name(service)).getSpec().getTemplate().getSpec();
            Container container = container(release, service);
            String dir = env(container).get("AUDIT_CHECKPOINT_DIR").getValue();
            assertEquals("/var/lib/sentinel/audit-checkpoints", dir, service);
            // The root filesystem is read-only: without this mount the first checkpoint fails.
            VolumeMount mount = mountHolding(container, dir + "/" + SERVICE_NAMES.get(service) + ".checkpoints");
            assertEquals(dir, mount.getMountPath(), service);
            assertFalse(Boolean.TRUE.equals(mount.getReadOnly()), service + ": checkpoints are appended at run time");
            assertNull(mount.getSubPath(), service);
            Volume volume = volume(pod, mount.getName());
            if (claim == null) {
                assertNotNull(volume.getEmptyDir(), service + ": no claim configured, so an emptyDir per pod");
                assertNull(volume.getPersistentVolumeClaim(), service);
            } else {
                assertNotNull(volume.getPersistentVolumeClaim(), service + " must mount audit.checkpoints.existingClaim");
                assertEquals(claim, volume.getPersistentVolumeClaim().getClaimName(), service);
                assertFalse(Boolean.TRUE.equals(volume.getPersistentVolumeClaim().getReadOnly()), service);
            }
        }
        // The agency creates the claim (with its retention-locked backing); the chart never does.
        assertTrue(release.all(PersistentVolumeClaim.class).stream()
                .noneMatch(c -> c.getMetadata().getName().equals(claim)), "the chart must not create " + claim);
    }

    /** The variable names a file that a read-only mount projects from the expected Secret's key. */
    private static void assertFileFromSecret(PodSpec pod, Container container, Map<String, EnvVar> env, String variable,
            String secret, String key) {
        String where = container.getName() + " " + variable;
        assertTrue(env.containsKey(variable), where + " is not set");
        String file = env.get(variable).getValue();
        assertNotNull(file, where + " must be a path");
        VolumeMount mount = mountHolding(container, file);
        assertTrue(mount.getReadOnly(), where + " must be mounted read-only");
        assertNull(mount.getSubPath(), where + ": a subPath mount would not see rotations");
        Volume volume = volume(pod, mount.getName());
        assertNotNull(volume.getSecret(), where + " must come from a Secret");
        assertEquals(secret, volume.getSecret().getSecretName(), where);
        String relative = Path.of(mount.getMountPath()).relativize(Path.of(file)).toString();
        var items = volume.getSecret().getItems().stream().filter(i -> relative.equals(i.getPath())).toList();
        assertEquals(1, items.size(), where + " points at " + file + ", which the Secret volume does not project");
        assertEquals(key, items.get(0).getKey(), where + " must be the Secret's key " + key);
        assertEquals(0440, volume.getSecret().getDefaultMode(), where);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void publicServicesAndOnlyThemGetTlsIngressesForTheirGrpcAndRestApis(Path values) {
        var release = SentinelChart.render(values);
        List<Ingress> ingresses = release.all(Ingress.class);
        Map<String, String> backendProtocol = Map.of("grpc", "GRPCS", "rest", "HTTPS");

        int expected = 0;
        for (String service : SERVICE_NAMES.keySet()) {
            boolean isPublic = release.enabled(service) && Boolean.TRUE.equals(path(release.values(), "services", service, "public"));
            for (String protocol : List.of("grpc", "rest")) {
                String name = release.name(service) + "-" + protocol;
                List<Ingress> found = ingresses.stream().filter(i -> i.getMetadata().getName().equals(name)).toList();
                assertEquals(isPublic ? 1 : 0, found.size(), name);
                if (!isPublic) {
                    continue;
                }
                expected++;
                Ingress ingress = found.get(0);
                String host = (String) path(release.values(), "services", service, "ingress", "host");
                assertEquals(path(release.values(), "ingressController", "className"), ingress.getSpec().getIngressClassName());
                assertEquals(1, ingress.getSpec().getTls().size(), name + ": TLS");
                assertEquals(List.of(host), ingress.getSpec().getTls().get(0).getHosts());
                assertFalse(ingress.getSpec().getTls().get(0).getSecretName().isBlank());
                assertEquals(1, ingress.getSpec().getRules().size());
                assertEquals(host, ingress.getSpec().getRules().get(0).getHost());
                assertEquals(backendProtocol.get(protocol),
                        ingress.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/backend-protocol"), name);
                for (var rulePath : ingress.getSpec().getRules().get(0).getHttp().getPaths()) {
                    assertEquals(release.name(service), rulePath.getBackend().getService().getName(), name);
                    assertEquals("http", rulePath.getBackend().getService().getPort().getName(), name);
                    assertFalse(rulePath.getPath().contains("internal"), name + " routes an internal API: " + rulePath.getPath());
                    assertTrue(protocol.equals("grpc") ? rulePath.getPath().matches("/sentinel\\.[a-z]+\\.v1\\.[A-Za-z]+Service")
                            : rulePath.getPath().equals("/api/v1"), name + " " + rulePath.getPath());
                }
            }
        }
        assertEquals(expected, ingresses.size(), "no other Ingress");
    }

    @Test
    void onlyCiValuesRunImagesByMutableTags() {
        for (Path file : SentinelChart.agencyValuesFiles()) {
            var release = SentinelChart.render(file);
            assertNotEquals(Boolean.TRUE, path(release.values(), "image", "allowMutableTags"), file.toString());
            for (String service : release.enabledServices()) {
                assertTrue(container(release, service).getImage().matches(".*@sha256:[0-9a-f]{64}"), file + " " + service);
                assertFalse(container(release, service).getImage().contains("SNAPSHOT"), file + " " + service);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void faceModelsAreReadFromTheImageAndNoVolumeHidesThem(Path values) {
        var release = SentinelChart.render(values);

        // No claim at all: nothing is cached, the models ship in the image (scripts/images.sh).
        assertEquals(List.of(), release.all(PersistentVolumeClaim.class));
        if (!release.enabled("biometric")) {
            return;
        }
        Container container = container(release, "biometric");
        String dir = env(container).get("FACE_MODELS_DIR").getValue();
        assertEquals("/opt/sentinel/face-models", dir, "where scripts/images.sh puts the models");
        assertTrue(container.getVolumeMounts().stream().noneMatch(m -> Path.of(dir).startsWith(Path.of(m.getMountPath()))
                        || Path.of(m.getMountPath()).startsWith(Path.of(dir))),
                "a volume over " + dir + " would hide the image's models");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void theTrailMaxAgeReachesLocationSvcAsADurationItAccepts(Path values) {
        var release = SentinelChart.render(values);
        if (!release.enabled("location")) {
            return;
        }
        String configured = (String) path(release.values(), "services", "location", "trailMaxAge");
        String rendered = env(container(release, "location")).get("SENTINEL_TRAIL_MAX_AGE").getValue();
        assertEquals(configured, rendered);
        // What location-svc does with it at start: shorter than 31 days stops it.
        assertTrue(java.time.Duration.parse(rendered).toDays() >= 31, rendered);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void theAgencySourceImageRetentionReachesBiometricSvcAsAPositiveDuration(Path values) {
        var release = SentinelChart.render(values);
        if (!release.enabled("biometric")) {
            return;
        }
        String configured = (String) path(release.values(), "services", "biometric", "sourceImageRetention");
        String rendered = env(container(release, "biometric")).get("SOURCE_IMAGE_RETENTION").getValue();
        assertEquals(configured, rendered);
        // What biometric-svc does with it at start: a non-positive or unparseable value stops it.
        java.time.Duration retention = java.time.Duration.parse(rendered);
        assertTrue(!retention.isNegative() && !retention.isZero(), rendered);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void peerAddressesNameTheReleaseOwnServicesOnTheirPort(Path values) {
        var release = SentinelChart.render(values);

        for (String service : release.enabledServices()) {
            Map<String, EnvVar> env = env(container(release, service));
            for (String callee : SentinelChart.CALLS.get(service)) {
                String prefix = callee.toUpperCase();
                String host = env.get(prefix + "_GRPC_HOST").getValue();
                Service target = release.one(Service.class, host);
                assertEquals(String.valueOf(target.getSpec().getPorts().get(0).getPort()),
                        env.get(prefix + "_GRPC_PORT").getValue(), service + " -> " + callee);
                assertEquals(release.name(callee), host);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void disruptionBudgetsSelectTheirOwnPodsOnly(Path values) {
        var release = SentinelChart.render(values);

        for (PodDisruptionBudget budget : release.all(PodDisruptionBudget.class)) {
            Deployment deployment = release.one(Deployment.class, budget.getMetadata().getName());
            assertEquals(deployment.getSpec().getSelector().getMatchLabels(), budget.getSpec().getSelector().getMatchLabels());
            assertNotNull(budget.getSpec().getMaxUnavailable(), describe(budget));
            assertNull(budget.getSpec().getMinAvailable(), "minAvailable would block draining a single replica");
        }
        Set<Map<String, String>> selectors = release.all(Deployment.class).stream()
                .map(d -> d.getSpec().getSelector().getMatchLabels()).collect(Collectors.toSet());
        assertEquals(release.all(Deployment.class).size(), selectors.size(), "deployment selectors must be distinct");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(VALUES)
    void notesNameTheAgencyNamespaceRegionAndAHealthCheckPerService(Path values) {
        var release = SentinelChart.render(values);
        String notes = SentinelChart.notes(values);

        assertTrue(notes.contains("Agency:      " + release.agency()), notes);
        assertTrue(notes.contains("Namespace:   " + release.namespace()), notes);
        assertTrue(notes.contains("Data region: " + release.region()), notes);
        String claim = release.auditCheckpointsClaim();
        assertTrue(notes.contains(claim == null ? "the log stream (sentinel.audit.checkpoint) is their only durable copy"
                : "checkpoints appended to claim " + claim), notes);
        for (String service : SERVICE_NAMES.keySet()) {
            String check = "kubectl -n " + release.namespace() + " port-forward service/" + release.name(service) + " ";
            assertEquals(release.enabled(service), notes.contains(check), service + " in\n" + notes);
        }
        assertEquals(release.enabledServices().size(), notes.split("/q/health/ready", -1).length - 1, notes);
    }

    static Container container(SentinelChart.Release release, String service) {
        List<Container> containers = release.one(Deployment.class, release.name(service))
                .getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        assertEquals(SERVICE_NAMES.get(service), containers.get(0).getName());
        return containers.get(0);
    }

    static Map<String, EnvVar> env(Container container) {
        Map<String, EnvVar> env = container.getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e, (a, b) -> {
                    throw new AssertionError("duplicate env " + a.getName());
                }));
        return env;
    }

    private static void assertProbe(Container container, Probe probe, String path) {
        assertNotNull(probe, container.getName() + " probe " + path);
        assertEquals(path, probe.getHttpGet().getPath(), container.getName());
        String port = probe.getHttpGet().getPort().getStrVal();
        assertEquals("http", port, container.getName() + " probes the named port");
        assertEquals("HTTPS", probe.getHttpGet().getScheme(), container.getName() + " " + path + ": the port serves TLS only");
    }

    static VolumeMount mountHolding(Container container, String file) {
        return container.getVolumeMounts().stream()
                .filter(m -> Path.of(file).startsWith(Path.of(m.getMountPath())))
                .findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + ": nothing mounted over " + file));
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> name.equals(v.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static void assertResidencyLabels(SentinelChart.Release release, Map<String, String> labels, String where) {
        assertNotNull(labels, where);
        assertEquals(release.agency(), labels.get("sentinel.io/agency"), where);
        assertEquals(release.region(), labels.get("sentinel.io/data-region"), where);
    }

    static String describe(HasMetadata object) {
        return object.getKind() + " " + object.getMetadata().getName();
    }
}
