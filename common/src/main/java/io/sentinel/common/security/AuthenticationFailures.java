package io.sentinel.common.security;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.security.AuthenticationException;
import io.sentinel.common.rest.Problem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a request whose token was refused before it reached any service code (tokens are checked
 * up front): a gRPC call gets UNAUTHENTICATED with the reason, a REST call a 401 problem body.
 * Without this, both got a bare HTTP 401 that names no reason.
 */
@ApplicationScoped
public class AuthenticationFailures {
    static final String GENERIC = "a valid bearer token is required";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    void handle(RoutingContext rc) {
        if (!(rc.failure() instanceof AuthenticationException) || rc.response().headWritten()) {
            rc.next();
            return;
        }
        String reason = TokenRefusal.reason(rc.failure());
        String message = reason != null ? reason : GENERIC;
        String contentType = rc.request().getHeader("content-type");
        if (contentType != null && contentType.startsWith("application/grpc")) {
            // A trailers-only gRPC response: HTTP 200 carrying the status, as gRPC clients expect.
            rc.response().setStatusCode(200).putHeader("content-type", "application/grpc")
                    .putHeader("grpc-status", "16").putHeader("grpc-message", percentEncode(message)).end();
            return;
        }
        JsonObject body = new JsonObject().put("type", Problem.TYPE_BASE + "unauthenticated").put("title", "Not authenticated")
                .put("status", 401).put("detail", message).put("instance", rc.request().path());
        rc.response().setStatusCode(401).putHeader("content-type", Problem.MEDIA_TYPE).putHeader("www-authenticate", "Bearer")
                .end(body.encode());
    }

    /** The gRPC spec's encoding of grpc-message: printable ASCII except '%' as is, every other byte as %XX. */
    static String percentEncode(String message) {
        StringBuilder out = new StringBuilder();
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b <= 0x7e && b != '%') {
                out.append((char) b);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
