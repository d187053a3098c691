package io.sentinel.biometric.service;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Deletes source images once they are older than {@code sentinel.biometric.source-image-retention}:
 * reference photos (their encrypted template stays, so verification goes on) and check-in photos
 * whose review is decided or was never needed (the outcome, similarity and reviewer's decision
 * stay). A check-in still waiting for a reviewer keeps its photo, whatever its age, because the
 * reviewer must compare it; it goes at the first sweep after the decision.
 */
@ApplicationScoped
public class SourceImageRetention {
    private static final Logger LOG = Logger.getLogger(SourceImageRetention.class);

    private final Pool pool;
    private final Duration retention;

    public SourceImageRetention(Pool pool, @ConfigProperty(name = "sentinel.biometric.source-image-retention") Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("sentinel.biometric.source-image-retention must be positive, got " + retention);
        }
        this.pool = pool;
        this.retention = retention;
    }

    /** How many images one sweep deleted. */
    public record Deleted(int references, int checkIns) {
    }

    @Scheduled(every = "${sentinel.biometric.source-image-sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweepJob() {
        return deleteExpired(Instant.now())
                .invoke(d -> {
                    if (d.references() + d.checkIns() > 0) {
                        LOG.infof("deleted %d reference and %d check-in source images older than %s", d.references(), d.checkIns(), retention);
                    }
                })
                .onFailure().invoke(t -> LOG.warnf("source-image deletion failed: %s", t.getMessage())).replaceWithVoid();
    }

    /** Deletes, in one transaction, every source image older than the retention period at {@code now}. */
    public Uni<Deleted> deleteExpired(Instant now) {
        var at = now.atOffset(ZoneOffset.UTC);
        var cutoff = now.minus(retention).atOffset(ZoneOffset.UTC);
        return pool.withTransaction(c -> c.preparedQuery("""
                update reference_image set image = null, image_deleted_at = $1
                where image is not null and created_at < $2""").execute(Tuple.of(at, cutoff))
                .flatMap(refs -> c.preparedQuery("""
                        update check_in set image = null, image_deleted_at = $1
                        where image is not null and received_at < $2 and review_state <> 'REVIEW_STATE_PENDING'""")
                        .execute(Tuple.of(at, cutoff))
                        .map(checkIns -> new Deleted(refs.rowCount(), checkIns.rowCount()))));
    }
}
