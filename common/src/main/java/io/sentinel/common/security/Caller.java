package io.sentinel.common.security;

import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.sentinel.common.error.SentinelException;

/** Who is calling: the token's subject, the agency it acts for and its roles. */
public record Caller(String subject, String agencyId, Set<String> roles) {

    /** Reads a verified token; a token without an agency claim is refused. */
    public static Caller of(JsonWebToken token) {
        String agency = token.getClaim(Roles.AGENCY_CLAIM);
        if (agency == null || agency.isBlank()) {
            throw SentinelException.unauthenticated("token has no '" + Roles.AGENCY_CLAIM + "' claim");
        }
        return new Caller(token.getSubject(), agency, Set.copyOf(token.getGroups()));
    }

    public boolean has(String role) {
        return roles.contains(role);
    }

    public boolean isService() {
        return roles.contains(Roles.SERVICE);
    }
}
