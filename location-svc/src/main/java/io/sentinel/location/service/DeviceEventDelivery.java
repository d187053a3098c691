package io.sentinel.location.service;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.sentinel.location.client.RulesClient;
import io.sentinel.location.repository.DeviceEventRepository;
import io.sentinel.location.repository.DeviceEventRepository.PendingEvent;
import io.smallrye.mutiny.Uni;

/**
 * Delivers the device_event outbox to rules-svc in order, at least once: a row is marked
 * delivered only after rules-svc answered, and a failed call is retried at the next poll.
 * rules-svc deduplicates on event_id. An event rules-svc defers (no monitoring order known yet
 * for its subject) is sent again after a growing backoff; the events behind it go on.
 */
@ApplicationScoped
public class DeviceEventDelivery {
    private static final Logger LOG = Logger.getLogger(DeviceEventDelivery.class);
    /** Kept small: rules-svc applies a batch under its writers' lock, which live fix evaluation also needs. */
    static final int BATCH = 50;

    private final DeviceEventRepository events;
    private final RulesClient rules;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long lastFailureLogged;

    public DeviceEventDelivery(DeviceEventRepository events, RulesClient rules) {
        this.events = events;
        this.rules = rules;
    }

    public void wake() {
        again.set(true);
        if (running.compareAndSet(false, true)) {
            drain();
        }
    }

    @Scheduled(every = "${sentinel.forwarding.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        wake();
    }

    private void drain() {
        again.set(false);
        events.pending(BATCH).flatMap(this::send).subscribe().with(sent -> {
            running.set(false);
            if (sent >= BATCH || again.get()) {
                wake();
            }
        }, failure -> {
            running.set(false);
            long now = System.nanoTime();
            if (now - lastFailureLogged > Duration.ofSeconds(30).toNanos()) {
                lastFailureLogged = now;
                LOG.warnf("delivering device events to rules-svc failed, will retry: %s", failure.getMessage());
            }
        });
    }

    private Uni<Integer> send(List<PendingEvent> batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return rules.recordDeviceEvents(batch)
                .onFailure().call(t -> events.markAttempted(batch).onFailure().recoverWithNull())
                .chain(deferred -> {
                    List<PendingEvent> later = batch.stream().filter(e -> deferred.contains(e.eventId().toString())).toList();
                    List<PendingEvent> done = batch.stream().filter(e -> !deferred.contains(e.eventId().toString())).toList();
                    return events.markDeferred(later).chain(() -> done.isEmpty() ? Uni.createFrom().voidItem() : events.markDelivered(done));
                }).replaceWith(batch.size());
    }
}
