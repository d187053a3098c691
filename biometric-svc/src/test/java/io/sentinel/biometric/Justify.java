package io.sentinel.biometric;

import java.util.Map;

import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.sentinel.common.audit.Justification;

/** Tests' stated purpose and reference: gRPC metadata on a stub, or REST headers. */
public final class Justify {
    public static final String PURPOSE = "compare the check-in photo with the references";
    public static final String REFERENCE = "review-task-17";

    private Justify() {
    }

    /** {@code stub} sending the default purpose and reference. */
    public static <S extends AbstractStub<S>> S grpc(S stub) {
        return grpc(stub, PURPOSE, REFERENCE);
    }

    /** {@code stub} sending {@code purpose} and {@code reference} (null: that key is not sent). */
    public static <S extends AbstractStub<S>> S grpc(S stub, String purpose, String reference) {
        Metadata m = new Metadata();
        if (purpose != null) {
            m.put(Metadata.Key.of(Justification.PURPOSE, Metadata.ASCII_STRING_MARSHALLER), purpose);
        }
        if (reference != null) {
            m.put(Metadata.Key.of(Justification.REFERENCE, Metadata.ASCII_STRING_MARSHALLER), reference);
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    /** The default purpose and reference as REST headers. */
    public static Map<String, String> headers() {
        return Map.of("X-Sentinel-Purpose", PURPOSE, "X-Sentinel-Reference", REFERENCE);
    }
}
