package io.sentinel.system;

import java.util.concurrent.Executor;

import io.grpc.CallCredentials;
import io.grpc.Metadata;

/**
 * Call credentials as a person's client sends them: the bearer token and the justification every
 * read of personal data states (x-sentinel-purpose, x-sentinel-reference), which the services
 * record in their audit logs.
 */
final class Justified {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> PURPOSE = Metadata.Key.of("x-sentinel-purpose", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REFERENCE = Metadata.Key.of("x-sentinel-reference", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> GRANT = Metadata.Key.of("x-sentinel-grant", Metadata.ASCII_STRING_MARSHALLER);
    static final String PURPOSE_TEXT = "system test of the monitoring suite";
    static final String REFERENCE_TEXT = "E2E-CASE-1";

    private Justified() {
    }

    /** The token (null: none) with the system tests' purpose and reference. */
    static CallCredentials bearer(String token) {
        return bearer(token, PURPOSE_TEXT, REFERENCE_TEXT, null);
    }

    static CallCredentials bearer(String token, String purpose, String reference, String grantId) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                if (token != null) {
                    headers.put(AUTHORIZATION, "Bearer " + token);
                }
                if (purpose != null) {
                    headers.put(PURPOSE, purpose);
                }
                if (reference != null) {
                    headers.put(REFERENCE, reference);
                }
                if (grantId != null) {
                    headers.put(GRANT, grantId);
                }
                applier.apply(headers);
            }
        };
    }
}
