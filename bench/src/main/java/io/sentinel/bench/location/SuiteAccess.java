package io.sentinel.bench.location;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * How the benchmarks reach the suite {@code ./sentinel up} runs, where every endpoint is TLS only.
 *
 * <ul>
 * <li>Every gRPC and HTTP connection is TLS, the server verified (chain and host name) against the
 * CA of {@code --ca} (default {@code <pki>/ca.pem}).</li>
 * <li>What gateways and people do (streaming fixes, subscribing to alerts, resolving them, reading
 * the ops endpoint) goes over plain server-authenticated TLS with the person's or gateway's token
 * from {@code ./sentinel token}, as a real gateway or caseworker would call; no client certificate.</li>
 * <li>Set-up through internal RPCs ({@code PutDeviceAssignment}, {@code PutSubjectConditions}: thousands
 * of them in seconds, which the public API would take minutes to do) acts as enrollment-svc, the one
 * service allowed to call them: mutual TLS with enrollment-svc's certificate and a service token the
 * bench signs with enrollment-svc's token key, all from the development PKI in {@code --pki} (default
 * {@code .sentinel/pki}). This only works because that PKI, private keys included, lies on this
 * machine; against a real deployment the bench has no such credentials, and must not.</li>
 * </ul>
 */
final class SuiteAccess {
    /** The service the bench stands in for during set-up. */
    static final String STAND_IN = "enrollment-svc";
    /** Lifetime of the service tokens the bench signs; peers refuse anything longer than 5 minutes. */
    static final Duration TOKEN_LIFETIME = Duration.ofMinutes(5);
    private static final Duration RENEW_BEFORE = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path pki;
    private final Path ca;

    private SuiteAccess(Path pki, Path ca) {
        this.pki = pki;
        this.ca = ca;
    }

    /** From {@code --pki DIR} (default .sentinel/pki) and {@code --ca FILE} (default DIR/ca.pem); the CA must exist. */
    static SuiteAccess from(Map<String, String> options) {
        if (options.containsKey("service-token")) {
            throw new IllegalArgumentException("--service-token is gone: a person's token with the role service is refused by"
                    + " every service now; the bench signs enrollment-svc's service tokens itself from the development PKI"
                    + " (--pki, default .sentinel/pki)");
        }
        Path pki = Path.of(options.getOrDefault("pki", ".sentinel/pki"));
        Path ca = Path.of(options.getOrDefault("ca", pki.resolve("ca.pem").toString()));
        require(ca, "the CA certificate that signed the services' certificates (--ca)");
        return new SuiteAccess(pki, ca);
    }

    /** TLS to a public API: the server verified against the CA, no client certificate. */
    ManagedChannel channel(String target) {
        try {
            return build(target, GrpcSslContexts.forClient().trustManager(ca.toFile()).build());
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot use " + ca + " as CA certificate: " + e.getMessage(), e);
        }
    }

    /** Mutual TLS as enrollment-svc, with its development certificate and key from the PKI, for internal RPCs. */
    ManagedChannel channelAsEnrollmentSvc(String target) {
        Path cert = require(pki.resolve(STAND_IN + ".pem"), STAND_IN + "'s TLS client certificate (in --pki)");
        Path key = require(pki.resolve(STAND_IN + "-key.pem"), STAND_IN + "'s TLS key (in --pki)");
        try {
            SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(ca.toFile()).keyManager(cert.toFile(), key.toFile());
            return build(target, tls.build());
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use " + cert + " / " + key + " as client certificate: " + e.getMessage(), e);
        }
    }

    private static ManagedChannel build(String target, SslContext tls) {
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected host:port, got " + target);
        }
        return NettyChannelBuilder.forAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
                .sslContext(tls).maxInboundMessageSize(16 << 20).build();
    }

    /** An HTTP client for https:// URLs that trusts the CA only (host names verified as usual). */
    java.net.http.HttpClient http() {
        try (InputStream in = Files.newInputStream(ca)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, (X509Certificate) cert);
            }
            if (n == 0) {
                throw new IllegalArgumentException(ca + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return java.net.http.HttpClient.newBuilder().sslContext(tls).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use " + ca + " as CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * enrollment-svc's service token for calls to {@code audience} ("location-svc", "rules-svc"),
     * signed here with enrollment-svc's development token key and re-signed a minute before it
     * expires, so runs of any length keep working.
     */
    CallCredentials enrollmentServiceToken(String audience, String agency) {
        Path keyFile = require(pki.resolve(STAND_IN + "-signing-key.pem"), STAND_IN + "'s token-signing key (in --pki)");
        return new ServiceToken(readPkcs8Rsa(keyFile), audience, agency);
    }

    /** The claims of a JWT, unverified (the bench only reads what its own tokens say: sub, agency). */
    static Map<String, Object> claims(String jwt, String option) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new IllegalArgumentException("--" + option + " is not a JWT (expected header.payload.signature)");
        }
        try {
            return JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), new TypeReference<Map<String, Object>>() {
            });
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + option + ": cannot read the JWT's payload: " + e.getMessage(), e);
        }
    }

    /** A string claim of a token, or a clear error naming the option that gives it instead. */
    static String claim(String jwt, String tokenOption, String claim, String instead) {
        Object v = claims(jwt, tokenOption).get(claim);
        if (!(v instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("--" + tokenOption + " has no '" + claim + "' claim: pass --" + instead);
        }
        return s;
    }

    private static Path require(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + " " + file.toAbsolutePath().normalize() + " is missing: run from the"
                    + " repository root after ./sentinel up (it makes the development PKI in .sentinel/pki),"
                    + " or pass --pki DIR / --ca FILE");
        }
        return file;
    }

    static PrivateKey readPkcs8Rsa(Path pem) {
        try {
            String text = Files.readString(pem);
            if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
                throw new IllegalArgumentException(pem + " is not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
            }
            String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the RSA key " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * The service token enrollment-svc itself would present (common's ServiceTokens): header kid =
     * enrollment-svc, RS256; iss urn:sentinel:AGENCY:services, sub enrollment-svc, aud the called
     * service, agency AGENCY, iat now, exp now + 5 min.
     */
    static final class ServiceToken extends CallCredentials {
        private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        private final PrivateKey key;
        private final String audience;
        private final String agency;
        private String token;
        private Instant expiresAt = Instant.MIN;

        ServiceToken(PrivateKey key, String audience, String agency) {
            this.key = key;
            this.audience = audience;
            this.agency = agency;
        }

        synchronized String current() {
            Instant now = Instant.now();
            if (token == null || now.isAfter(expiresAt.minus(RENEW_BEFORE))) {
                expiresAt = now.plus(TOKEN_LIFETIME);
                token = sign(now, expiresAt);
            }
            return token;
        }

        String sign(Instant iat, Instant exp) {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("alg", "RS256");
            header.put("typ", "JWT");
            header.put("kid", STAND_IN);
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", "urn:sentinel:" + agency + ":services");
            claims.put("sub", STAND_IN);
            claims.put("aud", audience);
            claims.put("agency", agency);
            claims.put("iat", iat.getEpochSecond());
            claims.put("exp", exp.getEpochSecond());
            try {
                String signingInput = b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(claims));
                Signature rs256 = Signature.getInstance("SHA256withRSA");
                rs256.initSign(key);
                rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
                return signingInput + "." + b64(rs256.sign());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign " + STAND_IN + "'s service token", e);
            }
        }

        private static String b64(byte[] bytes) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            Metadata m = new Metadata();
            m.put(AUTHORIZATION, "Bearer " + current());
            applier.apply(m);
        }
    }
}
