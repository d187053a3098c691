package io.sentinel.common.audit;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import io.grpc.Context;
import io.grpc.Metadata;
import io.sentinel.common.error.SentinelException;

/**
 * Why a caller reads personal data: a purpose in words, the reference of the case or task it
 * serves, and, for a partner agency, the sharing grant it reads under. They travel as gRPC
 * metadata ({@code x-sentinel-purpose}, {@code x-sentinel-reference}, {@code x-sentinel-grant})
 * and as HTTP headers of the same names, never in a URL, so they do not land in proxy logs.
 * Values may be percent-encoded UTF-8 (HTTP header values are ASCII in practice).
 */
public record Justification(String purpose, String reference, String grantId) {
    public static final String PURPOSE = "x-sentinel-purpose";
    public static final String REFERENCE = "x-sentinel-reference";
    public static final String GRANT = "x-sentinel-grant";
    public static final int MAX_PURPOSE = 500;
    public static final int MAX_REFERENCE = 200;
    public static final Justification NONE = new Justification("", "", "");

    static final Metadata.Key<String> PURPOSE_KEY = Metadata.Key.of(PURPOSE, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REFERENCE_KEY = Metadata.Key.of(REFERENCE, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> GRANT_KEY = Metadata.Key.of(GRANT, Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<Justification> CONTEXT = Context.key("sentinel-justification");

    public Justification {
        purpose = clean(purpose, MAX_PURPOSE);
        reference = clean(reference, MAX_REFERENCE);
        grantId = clean(grantId, 100);
    }

    /** Reads the three values with {@code header} (a header or metadata lookup by lower-case name). */
    public static Justification from(Function<String, String> header) {
        return new Justification(header.apply(PURPOSE), header.apply(REFERENCE), header.apply(GRANT));
    }

    public static Justification from(Metadata headers) {
        return new Justification(headers.get(PURPOSE_KEY), headers.get(REFERENCE_KEY), headers.get(GRANT_KEY));
    }

    /** The justification of the gRPC call served on this thread, or null outside a gRPC call. */
    public static Justification ofGrpcCall() {
        return CONTEXT.get();
    }

    /** The call context with the justification its metadata states. */
    public static Context attach(Context context, Metadata headers) {
        return context.withValue(CONTEXT, from(headers));
    }

    /**
     * This justification when it states a purpose and a reference; otherwise the read is refused
     * with an error naming what is missing and where it goes.
     */
    public Justification require() {
        if (purpose.isEmpty() && reference.isEmpty()) {
            throw missing(PURPOSE, "a purpose and a reference are required to read personal data: send "
                    + PURPOSE + " (why) and " + REFERENCE + " (the case or task) as gRPC metadata or HTTP headers");
        }
        if (purpose.isEmpty()) {
            throw missing(PURPOSE, "a purpose is required to read personal data: send " + PURPOSE
                    + " (why you need it) as gRPC metadata or an HTTP header");
        }
        if (reference.isEmpty()) {
            throw missing(REFERENCE, "a reference is required to read personal data: send " + REFERENCE
                    + " (the case, task or request this read serves) as gRPC metadata or an HTTP header");
        }
        return this;
    }

    /** As {@link #require()}, and a grant must be cited: a partner agency reads only under a sharing grant. */
    public Justification requireGrant() {
        require();
        if (grantId.isEmpty()) {
            throw missing(GRANT, "a partner agency reads under a sharing grant: send " + GRANT
                    + " (the grant's id) as gRPC metadata or an HTTP header");
        }
        return this;
    }

    private static SentinelException missing(String field, String message) {
        return SentinelException.invalid(field, message);
    }

    private static String clean(String value, int max) {
        if (value == null) {
            return "";
        }
        String s = value.strip();
        if (s.indexOf('%') >= 0) {
            try {
                s = URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8).strip();
            } catch (IllegalArgumentException e) {
                // Not percent-encoding after all: keep the value as sent.
            }
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        s.codePoints().filter(c -> !Character.isISOControl(c)).limit(max).forEach(b::appendCodePoint);
        return b.toString();
    }
}
