package io.sentinel.helm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ValidatingAdmissionPolicies of k8s/admission, evaluated with CEL (the language the API
 * server evaluates them in) against an object and its namespace: the policy's variables first,
 * then each validation; the messages of those that fail are what the API server would answer.
 */
final class AdmissionPolicies {

    // has(), all(), exists() are macros, as in the API server's environment.
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("object", SimpleType.DYN)
            .addVar("namespaceObject", SimpleType.DYN)
            .addVar("variables", SimpleType.DYN)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    private AdmissionPolicies() {
    }

    /** True when the policy's matchConstraints cover the object's resource and the operation CREATE. */
    static boolean matches(JsonNode policy, String resource) {
        for (JsonNode rule : policy.path("spec").path("matchConstraints").path("resourceRules")) {
            boolean operation = false;
            for (JsonNode op : rule.path("operations")) {
                operation |= op.asText().equals("CREATE") || op.asText().equals("*");
            }
            for (JsonNode r : rule.path("resources")) {
                if (operation && (r.asText().equals(resource) || r.asText().equals("*"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Messages of the validations the object fails; empty when it is admitted. */
    static List<String> refusals(JsonNode policy, JsonNode object, JsonNode namespace) {
        Map<String, Object> activation = new LinkedHashMap<>();
        activation.put("object", plain(object));
        activation.put("namespaceObject", plain(namespace));
        Map<String, Object> variables = new LinkedHashMap<>();
        activation.put("variables", variables);
        for (JsonNode variable : policy.path("spec").path("variables")) {
            variables.put(variable.path("name").asText(), eval(variable.path("expression").asText(), activation));
        }
        List<String> refusals = new ArrayList<>();
        for (JsonNode validation : policy.path("spec").path("validations")) {
            Object result = eval(validation.path("expression").asText(), activation);
            if (!(result instanceof Boolean)) {
                throw new IllegalStateException("not a boolean: " + validation.path("expression").asText());
            }
            if (!(Boolean) result) {
                refusals.add(validation.has("messageExpression")
                        ? String.valueOf(eval(validation.path("messageExpression").asText(), activation))
                        : validation.path("message").asText());
            }
        }
        return refusals;
    }

    private static Object eval(String expression, Map<String, Object> activation) {
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
            return RUNTIME.createProgram(ast).eval(activation);
        } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalStateException("CEL «" + expression + "»: " + e.getMessage(), e);
        }
    }

    /** JSON as CEL's Java values: maps, lists, strings, booleans, Long and Double. */
    static Object plain(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    map.put(e.getKey(), plain(e.getValue()));
                }
            });
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.asText();
    }
}
