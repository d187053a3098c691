package io.sentinel.location.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

class SerialWriterTest {

    @Test
    void aLongQueueOfJobsThatFinishAtOnceDrainsAfterASlowJob() throws Exception {
        SerialWriter writer = new SerialWriter();
        AtomicReference<UniEmitter<? super String>> slow = new AtomicReference<>();
        writer.submit(() -> Uni.createFrom().<String> emitter(slow::set)).subscribe().with(x -> {
        });
        // Under full load thousands of jobs with nothing left to write queue behind one slow commit.
        int jobs = 100_000;
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < jobs; i++) {
            writer.submit(() -> Uni.createFrom().voidItem()).subscribe().with(x -> done.incrementAndGet());
        }
        assertEquals(0, done.get(), "nothing runs while the slow job is in flight");

        slow.get().complete("committed");

        assertEquals(jobs, done.get());
        AtomicBoolean after = new AtomicBoolean();
        writer.submit(() -> Uni.createFrom().item(1)).subscribe().with(x -> after.set(true));
        assertTrue(after.get(), "the writer still takes work");
    }

    @Test
    void jobsRunOneAtATimeInSubmissionOrderWhetherTheyFinishAtOnceOrOnAnotherThread() throws Exception {
        SerialWriter writer = new SerialWriter();
        ExecutorService elsewhere = Executors.newFixedThreadPool(4);
        try {
            int jobs = 5_000;
            List<Integer> order = new ArrayList<>();
            AtomicInteger inFlight = new AtomicInteger();
            AtomicBoolean overlapped = new AtomicBoolean();
            CountDownLatch all = new CountDownLatch(jobs);
            for (int i = 0; i < jobs; i++) {
                int n = i;
                writer.submit(() -> {
                    if (inFlight.incrementAndGet() != 1) {
                        overlapped.set(true);
                    }
                    synchronized (order) {
                        order.add(n);
                    }
                    Uni<Integer> work = n % 3 == 0 ? Uni.createFrom().item(n)
                            : Uni.createFrom().item(n).emitOn(elsewhere);
                    return work.invoke(x -> inFlight.decrementAndGet());
                }).subscribe().with(x -> all.countDown(), f -> all.countDown());
            }
            assertTrue(all.await(30, TimeUnit.SECONDS), "every job finished");
            assertFalse(overlapped.get(), "never two jobs at once");
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                expected.add(i);
            }
            assertEquals(expected, order);
        } finally {
            elsewhere.shutdownNow();
        }
    }

    @Test
    void aJobThatFailsToStartOrFailsLaterIsAnsweredWithItsFailureAndTheNextJobRuns() {
        SerialWriter writer = new SerialWriter();
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicReference<Throwable> second = new AtomicReference<>();
        writer.<Void> submit(() -> {
            throw new IllegalStateException("cannot start");
        }).subscribe().with(x -> {
        }, first::set);
        writer.<Void> submit(() -> Uni.createFrom().failure(new IllegalStateException("failed"))).subscribe().with(x -> {
        }, second::set);
        String next = writer.submit(() -> Uni.createFrom().item("next")).await().atMost(Duration.ofSeconds(5));

        assertEquals("cannot start", first.get().getMessage());
        assertEquals("failed", second.get().getMessage());
        assertEquals("next", next);
    }
}
