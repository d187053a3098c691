package io.sentinel.rules.service;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Periodic work: escalating unacknowledged alerts, closing curfew breaches when the curfew ends, numbering feed events. */
@ApplicationScoped
public class AlertJobs {
    private static final Logger LOG = Logger.getLogger(AlertJobs.class);

    private final AlertLifecycle lifecycle;
    private final EvaluationService evaluation;
    private final AlertFeed feed;

    public AlertJobs(AlertLifecycle lifecycle, EvaluationService evaluation, AlertFeed feed) {
        this.lifecycle = lifecycle;
        this.evaluation = evaluation;
        this.feed = feed;
    }

    @Scheduled(every = "${sentinel.rules.escalation.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> escalate() {
        return lifecycle.escalateDue(Instant.now()).invoke(n -> {
            if (n > 0) {
                LOG.infof("escalated %d unacknowledged alerts", n);
                feed.committed();
            }
        }).replaceWithVoid();
    }

    /** Numbers feed events a local notification did not cover: another replica's, a failed run's, a crash's. */
    @Scheduled(every = "${sentinel.feed.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void numberFeedEvents() {
        feed.numberPending();
    }

    @Scheduled(every = "${sentinel.rules.curfew-clock.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> closeEndedCurfews() {
        return evaluation.advanceCurfews(Instant.now()).invoke(n -> {
            if (n > 0) {
                feed.committed();
            }
        }).replaceWithVoid();
    }
}
