package io.sentinel.location.service;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Runs write transactions one after another. With a single writer, identity values are assigned
 * in commit order, so a reader that resumes "after fix_id N" can never skip a row that commits
 * late. (With several replicas each writes its own fixes; see the location-svc README.)
 */
@ApplicationScoped
public class SerialWriter {
    private record Job<T>(Supplier<Uni<T>> work, UniEmitter<? super T> emitter) {
    }

    private final Queue<Job<?>> queue = new ArrayDeque<>();
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
                runNext();
            }
        });
    }

    private void runNext() {
        Job<?> job;
        synchronized (this) {
            job = queue.poll();
            if (job == null) {
                running = false;
                return;
            }
        }
        run(job);
    }

    private <T> void run(Job<T> job) {
        Uni<T> uni;
        try {
            uni = job.work().get();
        } catch (RuntimeException e) {
            job.emitter().fail(e);
            runNext();
            return;
        }
        uni.subscribe().with(item -> {
            job.emitter().complete(item);
            runNext();
        }, failure -> {
            job.emitter().fail(failure);
            runNext();
        });
    }
}
