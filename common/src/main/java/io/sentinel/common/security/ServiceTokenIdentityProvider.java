package io.sentinel.common.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.mutiny.Uni;

/**
 * Verifies the service tokens of this deployment's other services. A token is one when its
 * issuer is the service issuer; it must then be signed with the key of the service its subject
 * names (a key held by one service cannot speak for another), be addressed to this service, name
 * the deployment's agency, and live at most {@link ServiceTokens#LIFETIME}. Its identity has the
 * single role {@code service}. Every other token is left to the user-token verification.
 */
@ApplicationScoped
public class ServiceTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    private static final Logger LOG = Logger.getLogger(ServiceTokenIdentityProvider.class);
    /** Identity attribute holding the calling service's name. */
    public static final String SERVICE_ATTRIBUTE = "sentinel.service";
    private static final int CLOCK_SKEW_SECONDS = 30;

    private final String issuer;
    private final String ownName;
    private final String agency;
    private final Map<String, JwtConsumer> consumers = new HashMap<>();
    private final JwtConsumer peek = new JwtConsumerBuilder().setSkipAllValidators().setDisableRequireSignature()
            .setSkipSignatureVerification().build();

    public ServiceTokenIdentityProvider(@ConfigProperty(name = "sentinel.service-token.issuer") String issuer,
            @ConfigProperty(name = "quarkus.application.name") String ownName, ServedAgencies agencies,
            @ConfigProperty(name = "sentinel.service-token.peer-keys") Optional<String> peerKeys) {
        this.issuer = issuer;
        this.ownName = ownName;
        this.agency = agencies.own();
        peerKeys.map(Path::of).ifPresent(dir -> {
            for (String service : Services.ALL) {
                Path pem = dir.resolve(service + ".pem");
                if (Files.isReadable(pem)) {
                    consumers.put(service, consumer(read(pem), service));
                }
            }
        });
        LOG.debugf("service tokens accepted from %s", consumers.keySet());
    }

    private JwtConsumer consumer(PublicKey key, String service) {
        return new JwtConsumerBuilder()
                .setVerificationKey(key)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
                .setExpectedIssuer(issuer)
                .setExpectedSubject(service)
                .setExpectedAudience(ownName)
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setIssuedAtRestrictions(CLOCK_SKEW_SECONDS, (int) ServiceTokens.LIFETIME.toSeconds() + CLOCK_SKEW_SECONDS)
                .setMaxFutureValidityInMinutes((int) ServiceTokens.LIFETIME.toMinutes() + 1)
                .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                .build();
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        // Before smallrye-jwt's own validator (default priority 1001), which would refuse a service
        // token as a badly signed user token.
        return 2 * SYSTEM_FIRST;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String raw = request.getToken().getToken();
        JwtClaims unverified;
        try {
            unverified = peek.process(raw).getJwtClaims();
        } catch (InvalidJwtException e) {
            return Uni.createFrom().nullItem(); // not even a JWT: the user-token validator says why
        }
        if (!issuer.equals(unverified.getClaimValueAsString("iss"))) {
            return Uni.createFrom().nullItem();
        }
        String service = unverified.getClaimValueAsString("sub");
        JwtConsumer consumer = service == null ? null : consumers.get(service);
        if (consumer == null) {
            return refuse("service token names an unknown service " + (service == null ? "(no sub)" : "'" + service + "'"));
        }
        JwtClaims claims;
        try {
            JwtContext verified = consumer.process(raw);
            claims = verified.getJwtClaims();
        } catch (InvalidJwtException e) {
            return refuse("service token of " + service + " refused: " + e.getErrorDetails().stream().findFirst()
                    .map(d -> d.getErrorMessage()).orElse("invalid"));
        }
        if (!agency.equals(claims.getClaimValueAsString(Roles.AGENCY_CLAIM))) {
            return refuse("service token of " + service + " is for agency '" + claims.getClaimValueAsString(Roles.AGENCY_CLAIM)
                    + "', not this deployment's");
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new DefaultJWTCallerPrincipal(raw, "JWT", claims))
                .addRole(Roles.SERVICE)
                .addAttribute(SERVICE_ATTRIBUTE, service)
                .build());
    }

    private static Uni<SecurityIdentity> refuse(String why) {
        return Uni.createFrom().failure(TokenRefusal.of(why));
    }

    static PublicKey read(Path pem) {
        try {
            String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the service key " + pem, e);
        } catch (Exception e) {
            throw new IllegalStateException(pem + " is not an RSA public key in PEM (SubjectPublicKeyInfo)", e);
        }
    }
}
