package io.sentinel.helm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses rendered manifests into typed fabric8 models, failing on any field the API does not define. */
final class KubernetesYaml {

    /** The only kinds the chart and k8s/ may produce, by apiVersion and kind. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ResourceQuota", ResourceQuota.class),
            Map.entry("v1/LimitRange", LimitRange.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("storage.k8s.io/v1/StorageClass", StorageClass.class),
            Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
            Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
            Map.entry("admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy", ValidatingAdmissionPolicy.class),
            Map.entry("admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding", ValidatingAdmissionPolicyBinding.class));

    /**
     * Custom resources the chart or k8s/ may hold, for which no typed model is on the classpath:
     * kept as plain maps (see parseCustomResources), so the tests must check their fields themselves.
     */
    static final Set<String> CUSTOM_KINDS = Set.of("cert-manager.io/v1/Certificate",
            "policy.networking.k8s.io/v1alpha1/AdminNetworkPolicy",
            "policy.networking.k8s.io/v1alpha1/BaselineAdminNetworkPolicy",
            "postgresql.cnpg.io/v1/Cluster",
            "postgresql.cnpg.io/v1/ScheduledBackup",
            "postgresql.cnpg.io/v1/Database");

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    // fabric8 models keep unknown fields in an "additionalProperties" any-setter, which would
    // swallow a misspelt field silently; dropping the any-setter makes Jackson reject it.
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule("no-any-setter").setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                        BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    return builder;
                }
            }))
            .build();

    private KubernetesYaml() {
    }

    /** Every non-empty document of a multi-document YAML stream, as typed objects; custom resources are left out. */
    static List<HasMetadata> parseAll(String yaml) {
        return parse(yaml, false);
    }

    /** The documents of the CUSTOM_KINDS, as plain maps, in stream order. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> parseCustomResources(String yaml) {
        List<Map<String, Object>> resources = new ArrayList<>();
        forEachDocument(yaml, (document, index) -> {
            if (CUSTOM_KINDS.contains(kindOf(document))) {
                resources.add(YAML.convertValue(document, Map.class));
            }
        });
        return resources;
    }

    /** Like parseAll, but skips documents of kinds outside the list (for manifests others generate). */
    static List<HasMetadata> parseKnownKinds(String yaml) {
        return parse(yaml, true);
    }

    private static List<HasMetadata> parse(String yaml, boolean skipUnknownKinds) {
        List<HasMetadata> objects = new ArrayList<>();
        forEachDocument(yaml, (document, index) -> {
            String kind = kindOf(document);
            if (CUSTOM_KINDS.contains(kind) || (skipUnknownKinds && !KINDS.containsKey(kind))) {
                return;
            }
            objects.add(parse(document, index));
        });
        return objects;
    }

    /** Every non-empty document of a stream as a JSON tree, as the API server would receive it. */
    static List<JsonNode> documents(String yaml) {
        List<JsonNode> documents = new ArrayList<>();
        forEachDocument(yaml, (document, index) -> documents.add(document));
        return documents;
    }

    static String kind(JsonNode document) {
        return kindOf(document);
    }

    private interface DocumentConsumer {
        void accept(JsonNode document, int index);
    }

    /** Calls back for every non-empty document, with its 1-based position in the stream. */
    private static void forEachDocument(String yaml, DocumentConsumer consumer) {
        try (var parser = new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).createParser(yaml)) {
            var documents = YAML.readValues(parser, JsonNode.class);
            int index = 0;
            // hasNextValue/nextValue, unlike hasNext/next, keep parse errors as IOException.
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                index++;
                if (document == null || document.isNull() || document.isMissingNode() || document.isEmpty()) {
                    continue;
                }
                consumer.accept(document, index);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not valid YAML: " + e.getMessage(), e);
        }
    }

    private static String kindOf(JsonNode document) {
        return document.path("apiVersion").asText("") + "/" + document.path("kind").asText("");
    }

    private static HasMetadata parse(JsonNode document, int index) {
        String apiVersion = document.path("apiVersion").asText("");
        String kind = document.path("kind").asText("");
        Class<? extends HasMetadata> type = KINDS.get(apiVersion + "/" + kind);
        if (type == null) {
            throw new IllegalArgumentException("document " + index + ": unexpected apiVersion/kind '"
                    + apiVersion + "/" + kind + "'; expected one of " + KINDS.keySet() + " or " + CUSTOM_KINDS);
        }
        try {
            return STRICT.treeToValue(document, type);
        } catch (IOException e) {
            String name = document.path("metadata").path("name").asText("?");
            throw new IllegalArgumentException(kind + " " + name + " (document " + index + "): " + e.getMessage(), e);
        }
    }

    /** Plain YAML as maps and lists (values files). */
    static Object parseTree(String yaml) {
        try {
            return YAML.readValue(yaml, Object.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not valid YAML: " + e.getMessage(), e);
        }
    }

    static String write(Object tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
