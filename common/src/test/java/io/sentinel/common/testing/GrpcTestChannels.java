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

    /** A TLS channel that verifies the server against {@code caPem} (and by host name), presenting no certificate: a person's or partner's client. */
    public static ManagedChannel tls(int port, java.nio.file.Path caPem) {
        return tls(port, caPem, null, null);
    }

    /** A TLS channel that also presents a client certificate (a peer service's, say); null cert: none. */
    public static ManagedChannel tls(int port, java.nio.file.Path caPem, java.nio.file.Path certPem, java.nio.file.Path keyPem) {
        try {
            var ssl = io.grpc.netty.GrpcSslContexts.forClient().trustManager(caPem.toFile());
            if (certPem != null) {
                ssl.keyManager(certPem.toFile(), keyPem.toFile());
            }
            return io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(ssl.build()).build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code stub} calling as service {@code caller}, with the token {@code caller} would sign for {@code audience}. */
    public static <S extends io.grpc.stub.AbstractStub<S>> S asService(S stub, String caller, String audience) {
        return stub.withCallCredentials(bearer(TestTokens.service(caller, audience))).withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS);
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
