package io.sentinel.location.service;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Runs write transactions one after another. With a single writer, identity values are assigned
 * in commit order, so a reader that resumes "after fix_id N" can never skip a row that commits
 * late. (With several replicas each writes its own fixes; see the location-svc README.)
 *
 * <p>Jobs that finish synchronously (nothing to write) are common under load: the next job is
 * then started by the loop in {@link #drain()}, never from inside the finished job's callback.
 * Starting it from the callback nested one stack frame set per job, and a queue of some ten
 * thousand such jobs overflowed the stack, lost the error and left the writer stopped for good.
 */
@ApplicationScoped
public class SerialWriter {
    private record Job<T>(Supplier<Uni<T>> work, UniEmitter<? super T> emitter) {
    }

    private static final int STARTING = 0, FINISHED_WHILE_STARTING = 1, IN_FLIGHT = 2;

    private final Queue<Job<?>> queue = new ArrayDeque<>();
    /** True from the first queued job until the queue is found empty; guarded by this. */
    private boolean running;

    public <T> Uni<T> submit(Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            boolean start;
            synchronized (this) {
                queue.add(new Job<>(work, emitter));
                start = !running;
                running = true;
            }
            if (start) {
                drain();
            }
        });
    }

    /** Runs queued jobs until the queue is empty or a job is still in flight (its completion drains on). */
    private void drain() {
        while (true) {
            Job<?> job;
            synchronized (this) {
                job = queue.poll();
                if (job == null) {
                    running = false;
                    return;
                }
            }
            if (!finishedWhileStarting(job)) {
                return;
            }
        }
    }

    /** Starts the job; true when it had already finished by the time its start returned. */
    private <T> boolean finishedWhileStarting(Job<T> job) {
        AtomicInteger phase = new AtomicInteger(STARTING);
        Uni<T> uni;
        try {
            uni = job.work().get();
        } catch (Throwable e) {
            job.emitter().fail(e);
            return true;
        }
        uni.subscribe().with(item -> {
            try {
                job.emitter().complete(item);
            } finally {
                finished(phase);
            }
        }, failure -> {
            try {
                job.emitter().fail(failure);
            } finally {
                finished(phase);
            }
        });
        // Exactly one side wins: either the job finished first (the loop goes on) or its completion, later, drains.
        return !phase.compareAndSet(STARTING, IN_FLIGHT);
    }

    private void finished(AtomicInteger phase) {
        if (!phase.compareAndSet(STARTING, FINISHED_WHILE_STARTING)) {
            drain();
        }
    }
}
