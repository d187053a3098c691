package io.sentinel.common.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.sentinel.common.security.ServiceTokens;

/** Every outbound gRPC call of a service presents that service's own token. */
@ApplicationScoped
@GlobalInterceptor
public class ServiceTokenClientInterceptor implements ClientInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ServiceTokens tokens;

    public ServiceTokenClientInterceptor(ServiceTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<RespT> listener, Metadata headers) {
                if (!headers.containsKey(AUTHORIZATION)) {
                    headers.put(AUTHORIZATION, "Bearer " + tokens.current());
                }
                super.start(listener, headers);
            }
        };
    }
}
