package io.sentinel.common.testing;

import java.time.Instant;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Tokens for tests: people's tokens (valid, expired, signed by a key nobody trusts) as the
 * agency's identity provider would issue them, and service tokens as a peer service signs them.
 */
public final class TestTokens {
    public static final String ISSUER = "https://sentinel.local/test";
    /** The audience people's tokens name for the deployment under test. */
    public static final String AUDIENCE = "sentinel-test";
    /** The deployment's own agency in tests. */
    public static final String OWN_AGENCY = "test-agency";

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

    /** A person's token that expires in {@code seconds}. */
    public static String expiringIn(long seconds, String subject, String agency, String... roles) {
        return claims(subject, agency, roles).expiresAt(Instant.now().plusSeconds(seconds)).sign(TestKeys.trusted());
    }

    /** The service issuer of a deployment acting as {@code agency}. */
    public static String serviceIssuer(String agency) {
        return "urn:sentinel:" + agency + ":services";
    }

    /** A service token of {@code caller} for calls to {@code audience}, as the caller itself signs it. */
    public static String service(String caller, String audience) {
        return service(caller, audience, OWN_AGENCY);
    }

    public static String service(String caller, String audience, String agency) {
        Instant now = Instant.now();
        return Jwt.issuer(serviceIssuer(agency)).subject(caller).audience(audience).claim("agency", agency)
                .issuedAt(now).expiresAt(now.plusSeconds(300)).jws().keyId(caller).sign(TestKeys.service(caller));
    }

    public static JwtClaimsBuilder claims(String subject, String agency, String... roles) {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).upn(subject).groups(Set.of(roles)).claim("agency", agency);
    }
}
