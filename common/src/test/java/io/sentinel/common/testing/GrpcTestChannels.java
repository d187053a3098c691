package io.sentinel.common.testing;

import java.util.concurrent.Executor;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;

/**
 * Plain gRPC channels for tests, deliberately outside Quarkus's client machinery so that no
 * service token is added behind the test's back: what the test sends is what is checked.
 */
public final class GrpcTestChannels {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcTestChannels() {
    }

    public static ManagedChannel plaintext(int port) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    /** Call credentials presenting the given bearer token (null: none). */
    public static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                if (token != null) {
                    headers.put(AUTHORIZATION, "Bearer " + token);
                }
                applier.apply(headers);
            }
        };
    }

}
