package io.sentinel.common.security;

import java.time.Instant;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import io.sentinel.common.error.SentinelException;

/**
 * Who is calling: the token's subject, the agency it acts for, its roles here (a partner agency's
 * user has only {@code partner}; a service only {@code service}) and when its token expires.
 */
public record Caller(String subject, String agencyId, Set<String> roles, Instant tokenExpiresAt) {

    public Caller(String subject, String agencyId, Set<String> roles) {
        this(subject, agencyId, roles, null);
    }

    /** Reads a verified identity; a token without an agency claim is refused. */
    public static Caller of(SecurityIdentity identity, JsonWebToken token) {
        String agency = token.getClaim(Roles.AGENCY_CLAIM);
        if (agency == null || agency.isBlank()) {
            throw SentinelException.unauthenticated("token has no '" + Roles.AGENCY_CLAIM + "' claim");
        }
        long exp = token.getExpirationTime();
        return new Caller(token.getSubject(), agency, Set.copyOf(identity.getRoles()), exp > 0 ? Instant.ofEpochSecond(exp) : null);
    }

    public boolean has(String role) {
        return roles.contains(role);
    }

    public boolean isService() {
        return roles.contains(Roles.SERVICE);
    }
}
