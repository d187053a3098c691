package io.sentinel.location.service;

import java.time.YearMonth;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.sentinel.location.repository.FixRepository;
import io.smallrye.mutiny.Uni;

/** Keeps monthly trail partitions ready ahead of the fixes that will land in them. */
@ApplicationScoped
public class PartitionMaintenance {
    private static final Logger LOG = Logger.getLogger(PartitionMaintenance.class);

    private final FixRepository fixes;

    public PartitionMaintenance(FixRepository fixes) {
        this.fixes = fixes;
    }

    void atStart(@Observes StartupEvent ev) {
        ensureAhead().await().indefinitely();
    }

    @Scheduled(cron = "0 17 3 * * ?")
    Uni<Void> daily() {
        return ensureAhead();
    }

    Uni<Void> ensureAhead() {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        // The previous month too: fixes up to the acceptance window old may still arrive.
        return Uni.join().all(fixes.ensureMonthlyPartition(now.minusMonths(1)), fixes.ensureMonthlyPartition(now),
                fixes.ensureMonthlyPartition(now.plusMonths(1)), fixes.ensureMonthlyPartition(now.plusMonths(2)))
                .andCollectFailures().replaceWithVoid()
                .onFailure().invoke(t -> LOG.warnf("could not create trail partitions: %s", t.getMessage()))
                .onFailure().recoverWithNull();
    }
}
