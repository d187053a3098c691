package io.sentinel.enrollment.audit;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Carries the caller's stated purpose (gRPC metadata {@code x-sentinel-purpose}, REST header
 * {@code X-Sentinel-Purpose}) to the audit trail.
 */
@GlobalInterceptor
@ApplicationScoped
public class StatedPurpose implements ServerInterceptor {
    public static final String HEADER = "X-Sentinel-Purpose";
    static final Metadata.Key<String> KEY = Metadata.Key.of("x-sentinel-purpose", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<String> PURPOSE = Context.key("sentinel-purpose");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String p = headers.get(KEY);
        return Contexts.interceptCall(Context.current().withValue(PURPOSE, clip(p)), call, headers, next);
    }

    /** The purpose of the current gRPC call, or "" when none was stated. */
    public static String current() {
        String p = PURPOSE.get();
        return p == null ? "" : p;
    }

    public static String clip(String p) {
        if (p == null) {
            return "";
        }
        String s = p.strip();
        return s.length() > 500 ? s.substring(0, 500) : s;
    }
}
