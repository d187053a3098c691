package io.sentinel.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

class FlowControlTest {

    @Test
    void readsNoFurtherAheadThanTheCallCanSend() {
        AtomicInteger produced = new AtomicInteger();
        Multi<Integer> source = Multi.createFrom().range(0, 1_000).invoke(produced::incrementAndGet);
        AtomicBoolean ready = new AtomicBoolean(true);
        List<Runnable> wakeUps = new CopyOnWriteArrayList<>();
        // Like Quarkus's bridge: everything requested at once; the transport fills after three sends.
        AtomicInteger sent = new AtomicInteger();
        AssertSubscriber<Integer> client = FlowControl.paced(source, ready::get, wakeUps).invoke(i -> {
            if (sent.incrementAndGet() == 3) {
                ready.set(false);
            }
        }).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        assertThat(client.getItems()).containsExactly(0, 1, 2);
        assertThat(produced.get()).isEqualTo(3);

        // The transport drained: sending resumes where it stopped, and runs to the end.
        ready.set(true);
        wakeUps.forEach(Runnable::run);
        client.assertCompleted();
        assertThat(client.getItems()).hasSize(1_000);
        assertThat(wakeUps).isEmpty();
    }

    @Test
    void cancellingTheCallStopsTheSource() {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicBoolean ready = new AtomicBoolean(false);
        List<Runnable> wakeUps = new CopyOnWriteArrayList<>();
        AssertSubscriber<Long> client = FlowControl.paced(Multi.createFrom().ticks().every(java.time.Duration.ofHours(1))
                .onCancellation().invoke(() -> cancelled.set(true)), ready::get, wakeUps)
                .subscribe().withSubscriber(AssertSubscriber.create(10));
        client.cancel();
        assertThat(cancelled).isTrue();
        assertThat(wakeUps).isEmpty();
    }

    @Test
    void passesFailuresOn() {
        AssertSubscriber<Integer> client = FlowControl.paced(Multi.createFrom().<Integer>failure(new IllegalStateException("boom")), () -> true,
                new CopyOnWriteArrayList<>()).subscribe().withSubscriber(AssertSubscriber.create(1));
        client.assertFailedWith(IllegalStateException.class, "boom");
    }
}
