package io.sentinel.common.security;

import java.util.Map;

import io.quarkus.security.AuthenticationFailedException;

/**
 * A token refused for a reason its holder may be told ("the token's 'iat' is in the future"):
 * an authentication failure that carries the reason, which the gRPC and REST edges pass on.
 * Signature and issuer failures keep smallrye-jwt's generic answer.
 */
public final class TokenRefusal {
    static final String REASON = "sentinel.refusal";

    private TokenRefusal() {
    }

    public static AuthenticationFailedException of(String reason) {
        return new AuthenticationFailedException(reason, Map.of(REASON, reason));
    }

    /** The reason a refusal carries, or null for any other failure. */
    public static String reason(Throwable t) {
        return t instanceof AuthenticationFailedException a && a.getAttributes() != null ? (String) a.getAttribute(REASON) : null;
    }
}
