package io.sentinel.common.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;

/**
 * The TLS listener asks every client for a certificate and verifies one that is given against the
 * agency's CA ({@code quarkus.tls.trust-store}); a client without one may still connect. Peers
 * present theirs and internal RPCs require it ({@link InternalCallPolicy}); people, partner
 * systems, gateways and probes need none, their bearer token is what they prove.
 *
 * <p>Set here rather than with {@code quarkus.http.ssl.client-auth}: that build-time setting
 * would also install Quarkus's certificate authentication mechanism, which would take a peer's
 * certificate as its whole identity instead of checking its service token.
 */
@ApplicationScoped
public class TlsClientCertificates implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (options.getTrustOptions() != null) {
            options.setClientAuth(ClientAuth.REQUEST);
        }
    }
}
