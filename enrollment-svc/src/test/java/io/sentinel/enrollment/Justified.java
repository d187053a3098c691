package io.sentinel.enrollment;

import java.util.Map;
import java.util.concurrent.Executor;

import io.grpc.CallCredentials;
import io.grpc.Metadata;

/**
 * How a person's client calls in tests: the bearer token plus the justification every read of
 * personal data states, as gRPC metadata or HTTP headers.
 */
public final class Justified {
    public static final String PURPOSE = "supervision of the monitoring order";
    public static final String REFERENCE = "CASE-2026-0042";
    /** The purpose and reference as REST headers. */
    public static final Map<String, String> HEADERS = Map.of("X-Sentinel-Purpose", PURPOSE, "X-Sentinel-Reference", REFERENCE);

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PURPOSE_KEY = Metadata.Key.of("x-sentinel-purpose", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REFERENCE_KEY = Metadata.Key.of("x-sentinel-reference", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> GRANT_KEY = Metadata.Key.of("x-sentinel-grant", Metadata.ASCII_STRING_MARSHALLER);

    private Justified() {
    }

    /** The token (null: none) with the tests' usual purpose and reference. */
    public static CallCredentials bearer(String token) {
        return bearer(token, PURPOSE, REFERENCE, null);
    }

    /** The token with the given purpose, reference and cited grant; a null value is not sent. */
    public static CallCredentials bearer(String token, String purpose, String reference, String grantId) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                if (token != null) {
                    headers.put(AUTHORIZATION, "Bearer " + token);
                }
                if (purpose != null) {
                    headers.put(PURPOSE_KEY, purpose);
                }
                if (reference != null) {
                    headers.put(REFERENCE_KEY, reference);
                }
                if (grantId != null) {
                    headers.put(GRANT_KEY, grantId);
                }
                applier.apply(headers);
            }
        };
    }
}
