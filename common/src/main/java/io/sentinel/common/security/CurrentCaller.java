package io.sentinel.common.security;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import io.sentinel.common.error.SentinelException;

/** The caller of the current REST or gRPC request, read from its verified token. */
@RequestScoped
public class CurrentCaller {
    @Inject
    SecurityIdentity identity;

    public Caller get() {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw SentinelException.unauthenticated("a valid bearer token is required");
        }
        return Caller.of(identity, jwt);
    }
}
