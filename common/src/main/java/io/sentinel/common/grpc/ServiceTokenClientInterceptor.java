package io.sentinel.common.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.sentinel.common.security.ServiceTokens;

/**
 * Presents this service's token for one peer on every call through a channel. Only the clients
 * that call a peer's internal contract use it, so no token leaves the service by accident.
 */
public final class ServiceTokenClientInterceptor implements ClientInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ServiceTokens tokens;
    private final String audience;

    private ServiceTokenClientInterceptor(ServiceTokens tokens, String audience) {
        this.tokens = tokens;
        this.audience = audience;
    }

    /** {@code channel} with this service's token for {@code peer} (a service name) on every call. */
    public static Channel toPeer(Channel channel, ServiceTokens tokens, String peer) {
        return ClientInterceptors.intercept(channel, new ServiceTokenClientInterceptor(tokens, peer));
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<RespT> listener, Metadata headers) {
                headers.put(AUTHORIZATION, "Bearer " + tokens.forAudience(audience));
                super.start(listener, headers);
            }
        };
    }
}
