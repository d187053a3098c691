package io.sentinel.common.testing;

import java.time.Instant;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/** Tokens for tests: valid ones, expired ones, and ones signed by a key nobody trusts. */
public final class TestTokens {
    public static final String ISSUER = "https://sentinel.local/test";

    private TestTokens() {
    }

    public static String token(String subject, String agency, String... roles) {
        return claims(subject, agency, roles).expiresAt(Instant.now().plusSeconds(3600)).sign(TestKeys.trusted());
    }

    public static String expired(String subject, String agency, String... roles) {
        Instant past = Instant.now().minusSeconds(7200);
        return claims(subject, agency, roles).issuedAt(past).expiresAt(past.plusSeconds(600)).sign(TestKeys.trusted());
    }

    public static String signedByStranger(String subject, String agency, String... roles) {
        return claims(subject, agency, roles).expiresAt(Instant.now().plusSeconds(3600)).sign(TestKeys.stranger());
    }

    private static JwtClaimsBuilder claims(String subject, String agency, String... roles) {
        return Jwt.issuer(ISSUER).subject(subject).upn(subject).groups(Set.of(roles)).claim("agency", agency);
    }
}
