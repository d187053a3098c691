package io.sentinel.location.service;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.sentinel.location.repository.FixRepository;
import io.smallrye.mutiny.Uni;

/**
 * Data minimisation for orders whose cadence is curfew-and-zones only: such a subject's fixes are
 * kept only until rules-svc has acknowledged evaluating them plus a grace period, then deleted.
 * rules-svc keeps the position that raised an alert with the alert itself, and the grace period
 * covers a caseworker looking at the surrounding trail while the alert is fresh; nothing else
 * needs the fixes of a person whose order does not authorise a continuous trail.
 */
@ApplicationScoped
public class TrailMinimisation {
    private static final Logger LOG = Logger.getLogger(TrailMinimisation.class);

    private final FixRepository fixes;
    private final Duration grace;

    public TrailMinimisation(FixRepository fixes, @ConfigProperty(name = "sentinel.minimisation.grace") Duration grace) {
        this.fixes = fixes;
        this.grace = grace;
    }

    @Scheduled(every = "${sentinel.minimisation.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return deleteDue(Instant.now()).invoke(n -> {
            if (n > 0) {
                LOG.infof("minimisation deleted %d evaluated fixes of curfew-and-zones-only orders", n);
            }
        }).onFailure().invoke(t -> LOG.warnf("minimisation sweep failed, will retry: %s", t.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Deletes what is due at {@code now}; returns how many fixes. */
    public Uni<Integer> deleteDue(Instant now) {
        return fixes.deleteEvaluatedMinimised(Forwarder.TARGET, now.minus(grace));
    }
}
