package io.sentinel.common.security;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors;

import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.quarkus.security.identity.SecurityIdentity;
import io.sentinel.common.error.SentinelException;

/**
 * Who may call an internal RPC: a service named in the method's {@code allowed_callers} option
 * (declared in {@code api/.../internal/v1}), presenting its own service token and, where client
 * certificates are required, a client certificate naming the same service. A person's token is
 * refused whatever its roles.
 */
@ApplicationScoped
public class InternalCallPolicy {
    /** Field number and name of the {@code sentinel.internal.v1.allowed_callers} method option. */
    static final int ALLOWED_CALLERS_FIELD = 51001;
    static final String ALLOWED_CALLERS = "sentinel.internal.v1.allowed_callers";

    private final boolean requireClientCertificate;
    private final ServedAgencies agencies;
    private final Map<String, Set<String>> allowed = new ConcurrentHashMap<>();

    public InternalCallPolicy(@ConfigProperty(name = "sentinel.internal.require-client-certificate") boolean requireClientCertificate,
            ServedAgencies agencies) {
        this.requireClientCertificate = requireClientCertificate;
        this.agencies = agencies;
    }

    /**
     * Why a request must be refused for the agency it names, or null: an internal request's
     * {@code owning_agency_id}, where it has one, must be an agency this deployment serves.
     */
    public SentinelException refusal(Object request) {
        if (request instanceof com.google.protobuf.Message message) {
            Descriptors.FieldDescriptor field = message.getDescriptorForType().findFieldByName("owning_agency_id");
            if (field != null && field.getType() == Descriptors.FieldDescriptor.Type.STRING) {
                String agency = (String) message.getField(field);
                if (!agency.isEmpty() && !agencies.serves(agency)) {
                    return new SentinelException(SentinelException.Kind.PERMISSION_DENIED, "owning_agency_id",
                            "agency '" + agency + "' is not served by this deployment");
                }
            }
        }
        return null;
    }

    /** Why this call must be refused, or null when it may go ahead. */
    public SentinelException refusal(SecurityIdentity identity, MethodDescriptor<?, ?> method, String certificateService) {
        if (method == null) {
            return SentinelException.denied("internal operations are served over gRPC only");
        }
        String rpc = method.getFullMethodName();
        Set<String> callers = allowed.computeIfAbsent(rpc, m -> allowedCallers(method));
        if (identity == null || identity.isAnonymous()) {
            return SentinelException.unauthenticated(rpc + " is internal: a service token is required");
        }
        String service = identity.getAttribute(ServiceTokenIdentityProvider.SERVICE_ATTRIBUTE);
        if (service == null) {
            return SentinelException.denied(rpc + " is internal: it accepts the service tokens of " + names(callers)
                    + " only, never a person's token");
        }
        if (!callers.contains(service)) {
            return SentinelException.denied(rpc + " may be called by " + names(callers) + " only, not by " + service);
        }
        if (requireClientCertificate && certificateService == null) {
            return SentinelException.unauthenticated(rpc + " is internal: the TLS client certificate of " + service
                    + ", issued by the agency's CA, is required");
        }
        if (certificateService != null && !certificateService.equals(service)) {
            return SentinelException.denied(rpc + ": the client certificate names " + certificateService + " but the token names " + service);
        }
        return null;
    }

    private static String names(Set<String> callers) {
        return callers.isEmpty() ? "no service" : String.join(", ", callers.stream().sorted().toList());
    }

    /** The {@code allowed_callers} of a method generated from Sentinel's protos; empty when none are declared. */
    public static Set<String> allowedCallers(MethodDescriptor<?, ?> method) {
        if (!(method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
            return Set.of();
        }
        return allowedCallers(supplier.getMethodDescriptor());
    }

    @SuppressWarnings("unchecked")
    public static Set<String> allowedCallers(Descriptors.MethodDescriptor method) {
        MethodOptions options = method.getOptions();
        for (Map.Entry<Descriptors.FieldDescriptor, Object> e : options.getAllFields().entrySet()) {
            if (e.getKey().getFullName().equals(ALLOWED_CALLERS)) {
                return Set.copyOf((List<String>) e.getValue());
            }
        }
        // Where the extension is not registered, the option is an unknown field of the options.
        if (options.getUnknownFields().hasField(ALLOWED_CALLERS_FIELD)) {
            return Set.copyOf(options.getUnknownFields().getField(ALLOWED_CALLERS_FIELD).getLengthDelimitedList().stream()
                    .map(ByteString::toStringUtf8).toList());
        }
        return Set.of();
    }
}
