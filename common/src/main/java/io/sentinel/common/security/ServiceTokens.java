package io.sentinel.common.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.jwt.build.Jwt;

/**
 * Short-lived tokens this service presents to one peer. Each names this service as its subject
 * (and key id), the peer as its audience, the deployment's agency, and the service issuer, which
 * no user token carries; it is signed with this service's own key
 * ({@code smallrye.jwt.sign.key.location}), which no other service holds. A peer accepts it only
 * for the internal RPCs that name this service as an allowed caller.
 */
@ApplicationScoped
public class ServiceTokens {
    /** How long a service token lives. Peers refuse longer-lived ones. */
    public static final Duration LIFETIME = Duration.ofMinutes(5);
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(1);

    private record Issued(String token, Instant expiresAt) {
    }

    private final String serviceName;
    private final String agencyId;
    private final String issuer;
    private final Map<String, Issued> byAudience = new ConcurrentHashMap<>();

    public ServiceTokens(@ConfigProperty(name = "quarkus.application.name") String serviceName,
            @ConfigProperty(name = "sentinel.agency.id") String agencyId,
            @ConfigProperty(name = "sentinel.service-token.issuer") String issuer) {
        this.serviceName = serviceName;
        this.agencyId = agencyId;
        this.issuer = issuer;
    }

    /** A valid bearer token for calls to {@code audience} (a service name), renewed shortly before it expires. */
    public String forAudience(String audience) {
        Instant now = Instant.now();
        Issued current = byAudience.get(audience);
        if (current == null || now.isAfter(current.expiresAt().minus(RENEW_BEFORE))) {
            current = byAudience.compute(audience, (aud, held) -> held != null && !now.isAfter(held.expiresAt().minus(RENEW_BEFORE))
                    ? held
                    : issue(aud, now));
        }
        return current.token();
    }

    private Issued issue(String audience, Instant now) {
        Instant exp = now.plus(LIFETIME);
        String token = Jwt.issuer(issuer)
                .subject(serviceName)
                .audience(audience)
                .claim(Roles.AGENCY_CLAIM, agencyId)
                .issuedAt(now)
                .expiresAt(exp)
                .jws().keyId(serviceName)
                .sign();
        return new Issued(token, exp);
    }
}
