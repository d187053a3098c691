package io.sentinel.location.service;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.sentinel.location.repository.FixRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Keeps monthly trail partitions ready ahead of the fixes that will land in them, and drops whole
 * partitions once every fix in them is older than the trail's maximum age.
 *
 * <p>The maximum age is the deployment's hard limit on how long any fix is held, whatever happens
 * to individual subjects: per-subject retention (enrollment-svc's purges, from the end of the
 * order) deletes sooner; this is the backstop that needs no per-subject bookkeeping to work, and
 * it costs one catalogue change per month instead of deleting fixes row by row.
 */
@ApplicationScoped
public class PartitionMaintenance {
    private static final Logger LOG = Logger.getLogger(PartitionMaintenance.class);
    /** The shortest maximum age accepted: fixes up to the 7-day acceptance window old still arrive. */
    static final Duration MIN_MAX_AGE = Duration.ofDays(31);
    private static final Duration DROP_LOCK_TIMEOUT = Duration.ofSeconds(2);

    private final FixRepository fixes;
    private final Duration maxAge;

    public PartitionMaintenance(FixRepository fixes, @ConfigProperty(name = "sentinel.trail.max-age") Duration maxAge) {
        if (maxAge.compareTo(MIN_MAX_AGE) < 0) {
            throw new IllegalArgumentException("sentinel.trail.max-age must be at least " + MIN_MAX_AGE.toDays()
                    + " days (fixes up to 7 days old are still accepted), got " + maxAge);
        }
        this.fixes = fixes;
        this.maxAge = maxAge;
    }

    void atStart(@Observes StartupEvent ev) {
        ensureAhead().await().indefinitely();
    }

    @Scheduled(cron = "0 17 3 * * ?")
    Uni<Void> daily() {
        return ensureAhead().chain(() -> dropExpired(Instant.now()).replaceWithVoid())
                .onFailure().invoke(t -> LOG.warnf("could not drop expired trail partitions, will retry tomorrow: %s", t.getMessage()))
                .onFailure().recoverWithNull();
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

    /**
     * Drops every partition whose range ends at or before {@code now - max age} and deletes such
     * fixes from the default partition; returns the partitions dropped. One at a time: each drop
     * briefly holds the trail's exclusive lock.
     */
    public Uni<List<String>> dropExpired(Instant now) {
        Instant cutoff = now.minus(maxAge);
        return fixes.partitionsEndingBy(cutoff).flatMap(expired -> Multi.createFrom().iterable(expired)
                .onItem().transformToUniAndConcatenate(name -> fixes.dropPartition(name, DROP_LOCK_TIMEOUT).invoke(() -> LOG.infof(
                        "dropped trail partition %s: every fix in it is older than the maximum age %d days", name, maxAge.toDays()))
                        .replaceWith(name))
                .collect().asList())
                .call(dropped -> fixes.deleteDefaultPartitionBefore(cutoff).invoke(n -> {
                    if (n > 0) {
                        LOG.infof("deleted %d fixes older than the maximum age from the default trail partition", n);
                    }
                }));
    }
}
