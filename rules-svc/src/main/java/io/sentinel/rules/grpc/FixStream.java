package io.sentinel.rules.grpc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.grpc.Status;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.EvaluateFixesResponse;
import io.sentinel.rules.service.AlertFeed;
import io.sentinel.rules.service.EvaluationLatency;
import io.sentinel.rules.service.EvaluationService;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;

/**
 * One {@code StreamFixes} call. Batches are evaluated in the order received and answered in that
 * order. While one group of batches is being evaluated, the batches that arrive queue up; the next
 * transaction takes all of them (up to {@link EvaluationService#MAX_BATCH} fixes), so under load
 * the per-transaction cost (lock, progress, monitor load and save, durable commit) is paid once per
 * group and the time a batch waits stays at about one transaction.
 *
 * <p>The sender keeps a bounded window of unanswered batches; one that exceeds
 * {@link #MAX_UNANSWERED} gets RESOURCE_EXHAUSTED rather than unbounded memory here.
 *
 * <p>Each group runs on a fresh duplicated Vert.x context: the reactive session and transaction of
 * one group are bound to its context, and the next group must not find them there while they close.
 * The caller was checked when the stream opened; the request scope does not follow each group.
 */
final class FixStream {
    private static final Logger LOG = Logger.getLogger(FixStream.class);
    static final int MAX_UNANSWERED = 64;

    private final Context call;
    private final EvaluationService evaluation;
    private final AlertFeed feed;
    private final EvaluationLatency latency;
    private final MultiEmitter<? super EvaluateFixesResponse> out;
    private final ArrayDeque<EvaluateFixesRequest> queue = new ArrayDeque<>();
    private boolean running; // guarded by this
    private boolean ended; // guarded by this
    private volatile Cancellable upstream;

    private FixStream(Context call, EvaluationService evaluation, AlertFeed feed, EvaluationLatency latency,
            MultiEmitter<? super EvaluateFixesResponse> out) {
        this.call = call;
        this.evaluation = evaluation;
        this.feed = feed;
        this.latency = latency;
        this.out = out;
    }

    static Multi<EvaluateFixesResponse> answer(Multi<EvaluateFixesRequest> requests, EvaluationService evaluation, AlertFeed feed,
            EvaluationLatency latency) {
        Context call = io.vertx.core.Vertx.currentContext();
        return Multi.createFrom().emitter(out -> {
            FixStream stream = new FixStream(call, evaluation, feed, latency, out);
            out.onTermination(stream::cancelUpstream);
            stream.upstream = requests.subscribe().with(stream::received, out::fail, stream::senderDone);
        });
    }

    private void cancelUpstream() {
        Cancellable c = upstream;
        if (c != null) {
            c.cancel();
        }
    }

    private void received(EvaluateFixesRequest request) {
        synchronized (this) {
            if (queue.size() >= MAX_UNANSWERED) {
                out.fail(Status.RESOURCE_EXHAUSTED.withDescription("more than " + MAX_UNANSWERED
                        + " unanswered batches on one stream: wait for answers before sending more").asRuntimeException());
                return;
            }
            queue.add(request);
            if (running) {
                return;
            }
            running = true;
        }
        next();
    }

    private void senderDone() {
        synchronized (this) {
            ended = true;
            if (running) {
                return; // the running group completes the stream once the queue is empty
            }
        }
        out.complete();
    }

    /** Evaluates everything queued as one group, answers each batch, then looks again. */
    private void next() {
        List<List<io.sentinel.api.internal.v1.EvaluatedFix>> group = new ArrayList<>();
        synchronized (this) {
            int fixes = 0;
            while (!queue.isEmpty() && (group.isEmpty() || fixes + queue.peek().getFixesCount() <= EvaluationService.MAX_BATCH)) {
                EvaluateFixesRequest r = queue.poll();
                group.add(r.getFixesList());
                fixes += r.getFixesCount();
            }
            if (group.isEmpty()) {
                running = false;
                if (ended) {
                    out.complete();
                }
                return;
            }
        }
        Context own = VertxContext.createNewDuplicatedContext(call);
        VertxContextSafetyToggle.setContextSafe(own, true);
        long started = System.nanoTime();
        own.runOnContext(x -> Uni.createFrom().deferred(() -> evaluation.evaluateAll(group)).subscribe().with(answers -> {
            long took = System.nanoTime() - started;
            if (took > evaluation.slowThreshold().toNanos()) {
                LOG.warnf("slow fix group: %d batches, %d fixes, %.1f ms including the commit", group.size(),
                        group.stream().mapToInt(List::size).sum(), took / 1e6);
            }
            latency.committed(group, java.time.Instant.now());
            feed.committed();
            answers.forEach(out::emit);
            next();
        }, out::fail));
    }
}
