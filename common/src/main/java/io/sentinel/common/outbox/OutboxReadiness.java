package io.sentinel.common.outbox;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.arc.properties.IfBuildProperty;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * The outbox in the readiness details: pending and parked counts, the age of the oldest pending
 * message. It stays UP with parked rows (they need an operator, not a restart); it is DOWN only when
 * the outbox cannot be read, like the database check.
 */
@Readiness
@ApplicationScoped
@IfBuildProperty(name = "sentinel.outbox.enabled", stringValue = "true")
public class OutboxReadiness implements AsyncHealthCheck {
    private final Outbox outbox;

    public OutboxReadiness(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return outbox.engine().stats().map(s -> HealthCheckResponse.named("outbox").up().withData("pending", s.pending())
                .withData("parked", s.parked()).withData("oldestPendingSeconds", s.oldestPendingSeconds()).build())
                .onFailure().recoverWithItem(t -> HealthCheckResponse.named("outbox").down().withData("error", t.getClass().getSimpleName())
                        .build());
    }
}
