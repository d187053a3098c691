package io.sentinel.common.security;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;

/**
 * What a person's token must be beyond a valid signature, issuer and audience (checked by
 * smallrye-jwt): issued at a time that is not in the future and not longer ago than
 * {@code sentinel.auth.max-token-age}; for an agency this deployment serves or partners with; and
 * without the {@code service} role, which only service tokens carry. A partner agency's user keeps
 * only the {@code partner} role here: its other roles hold in its own agency's deployment.
 */
@ApplicationScoped
public class UserTokenPolicy implements SecurityIdentityAugmentor {
    static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

    private final ServedAgencies agencies;
    private final Duration maxAge;

    public UserTokenPolicy(ServedAgencies agencies, @ConfigProperty(name = "sentinel.auth.max-token-age") Duration maxAge) {
        this.agencies = agencies;
        this.maxAge = maxAge;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || identity.getAttribute(ServiceTokenIdentityProvider.SERVICE_ATTRIBUTE) != null
                || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        try {
            return Uni.createFrom().item(check(identity, jwt, Instant.now()));
        } catch (AuthenticationFailedException e) {
            return Uni.createFrom().failure(e);
        }
    }

    SecurityIdentity check(SecurityIdentity identity, JsonWebToken jwt, Instant now) {
        if (identity.getRoles().contains(Roles.SERVICE)) {
            throw TokenRefusal.of("a person's token may not carry the role 'service'");
        }
        long iat = jwt.getIssuedAtTime();
        if (iat <= 0) {
            throw TokenRefusal.of("the token has no 'iat' (issued-at) claim");
        }
        Instant issued = Instant.ofEpochSecond(iat);
        if (issued.isAfter(now.plus(CLOCK_SKEW))) {
            throw TokenRefusal.of("the token's 'iat' is in the future");
        }
        if (issued.isBefore(now.minus(maxAge))) {
            throw TokenRefusal.of("the token was issued more than " + maxAge.toHours() + " h ago; sign in again");
        }
        String agency = jwt.getClaim(Roles.AGENCY_CLAIM);
        if (agency == null || agency.isBlank()) {
            throw TokenRefusal.of("the token has no '" + Roles.AGENCY_CLAIM + "' claim");
        }
        if (agencies.serves(agency)) {
            return identity;
        }
        if (!agencies.isPartner(agency)) {
            throw TokenRefusal.of("agency '" + agency + "' is not served by this deployment");
        }
        Set<String> roles = new HashSet<>(identity.getRoles());
        roles.retainAll(Set.of(Roles.PARTNER));
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addRoles(roles)
                .build();
    }
}
