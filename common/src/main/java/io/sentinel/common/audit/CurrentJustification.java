package io.sentinel.common.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;

/** The justification of the request being served: from gRPC metadata, else from the REST request's headers. */
@ApplicationScoped
public class CurrentJustification {
    @Inject
    CurrentVertxRequest request;

    public Justification get() {
        Justification grpc = Justification.ofGrpcCall();
        if (grpc != null) {
            return grpc;
        }
        ManagedContext requestContext = Arc.container().requestContext();
        RoutingContext rc = requestContext.isActive() ? request.getCurrent() : null;
        return rc == null ? Justification.NONE : Justification.from(name -> rc.request().getHeader(name));
    }
}
