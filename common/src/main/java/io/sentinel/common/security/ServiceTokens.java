package io.sentinel.common.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.jwt.build.Jwt;

/**
 * Short-lived tokens this service presents to its peers. They carry role {@code service} and the
 * deployment's agency, and are signed with the key at {@code smallrye.jwt.sign.key.location}.
 */
@ApplicationScoped
public class ServiceTokens {
    private static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(2);

    private final String serviceName;
    private final String agencyId;
    private final String issuer;
    private volatile String token;
    private volatile Instant expiresAt = Instant.EPOCH;

    public ServiceTokens(@ConfigProperty(name = "quarkus.application.name") String serviceName,
            @ConfigProperty(name = "sentinel.agency.id") String agencyId,
            @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer) {
        this.serviceName = serviceName;
        this.agencyId = agencyId;
        this.issuer = issuer;
    }

    /** A valid bearer token, renewed shortly before it expires. */
    public String current() {
        Instant now = Instant.now();
        if (token == null || now.isAfter(expiresAt.minus(RENEW_BEFORE))) {
            synchronized (this) {
                if (token == null || now.isAfter(expiresAt.minus(RENEW_BEFORE))) {
                    Instant exp = now.plus(LIFETIME);
                    token = Jwt.issuer(issuer)
                            .subject("service:" + serviceName)
                            .upn("service:" + serviceName)
                            .groups(Set.of(Roles.SERVICE))
                            .claim(Roles.AGENCY_CLAIM, agencyId)
                            .issuedAt(now)
                            .expiresAt(exp)
                            .sign();
                    expiresAt = exp;
                }
            }
        }
        return token;
    }
}
