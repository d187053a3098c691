package io.sentinel.common.grpc;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.security.Services;

/**
 * Makes facts about the current gRPC call readable where the call is served: which method it
 * is, the caller's stated justification ({@link Justification#ofGrpcCall()}), and which Sentinel service the TLS client certificate names (null without a verified
 * client certificate). The TLS layer has already checked the certificate against the agency's CA.
 * It runs after Quarkus's security interceptor, so the facts are in place when a call held back
 * for authentication reaches the service.
 */
@ApplicationScoped
@GlobalInterceptor
public class GrpcCallContext implements ServerInterceptor, Prioritized {
    private static final Context.Key<MethodDescriptor<?, ?>> METHOD = Context.key("sentinel-method");
    private static final Context.Key<String> PEER_SERVICE = Context.key("sentinel-peer-service");

    @Override
    public int getPriority() {
        return 1;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        Context context = Justification.attach(Context.current().withValue(METHOD, call.getMethodDescriptor())
                .withValue(PEER_SERVICE, tls == null ? null : serviceNamed(tls)), headers);
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** The method of the gRPC call being served on this thread, or null outside one. */
    public static MethodDescriptor<?, ?> method() {
        return METHOD.get();
    }

    /** The Sentinel service named by the call's verified client certificate, or null. */
    public static String peerService() {
        return PEER_SERVICE.get();
    }

    static String serviceNamed(SSLSession tls) {
        Certificate[] chain;
        try {
            chain = tls.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
        return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? serviceNamed(leaf) : null;
    }

    /** The service a certificate names: its subject CN, else a DNS name, that is one of Sentinel's services. */
    public static String serviceNamed(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType()) && Services.ALL.contains(String.valueOf(rdn.getValue()))) {
                    return String.valueOf(rdn.getValue());
                }
            }
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(2).equals(san.get(0)) && Services.ALL.contains(String.valueOf(san.get(1)))) {
                        return String.valueOf(san.get(1));
                    }
                }
            }
        } catch (InvalidNameException | CertificateParsingException e) {
            return null;
        }
        return null;
    }
}
