package io.sentinel.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonElement;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Checks an object against the Kubernetes OpenAPI models of the official Java client
 * (io.kubernetes:client-java-api, generated from the API server's OpenAPI document): every field
 * must be one the model defines (as the API server's strict field validation demands), every
 * required field present, at every level of nesting. A second opinion beside the fabric8 models,
 * whose generator is a different one.
 */
final class OpenApiValidation {

    private static final String MODELS = "io.kubernetes.client.openapi.models.";

    private OpenApiValidation() {
    }

    /** True when the client has a model for the document's apiVersion and kind. */
    static boolean hasModel(JsonNode document) {
        return model(document) != null;
    }

    /** Throws IllegalArgumentException naming the object and the offending field. */
    static void validate(JsonNode document) {
        Class<?> model = model(document);
        String what = document.path("kind").asText("?") + " " + document.path("metadata").path("name").asText("?");
        if (model == null) {
            throw new IllegalArgumentException(what + ": no OpenAPI model for " + KubernetesYaml.kind(document));
        }
        JsonElement element = com.google.gson.JsonParser.parseString(document.toString());
        try {
            Method validate = model.getMethod("validateJsonElement", JsonElement.class);
            validate.invoke(null, element);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(what + " (" + model.getSimpleName() + "): " + e.getCause().getMessage(),
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(model + " has no validateJsonElement", e);
        }
    }

    /**
     * The model class: V1Deployment for apps/v1 Deployment, V2HorizontalPodAutoscaler for
     * autoscaling/v2, and so on. The group must be one the client knows for that kind, so a
     * custom resource that borrows a built-in kind's name is not mistaken for it.
     */
    private static Class<?> model(JsonNode document) {
        String apiVersion = document.path("apiVersion").asText("");
        String kind = document.path("kind").asText("");
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        if (version.isEmpty() || kind.isEmpty() || !(group.isEmpty() || group.endsWith(".k8s.io")
                || group.equals("apps") || group.equals("policy") || group.equals("autoscaling") || group.equals("batch"))) {
            return null;
        }
        try {
            return Class.forName(MODELS + Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
