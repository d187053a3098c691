package io.sentinel.rules.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

class SequentialTest {

    @Test
    void runsAHundredThousandStepsInOrderWithoutOverflowingTheStack() {
        List<Integer> items = IntStream.range(0, 100_000).boxed().toList();
        List<Integer> seen = new ArrayList<>();
        int total = Sequential.sum(items, i -> Uni.createFrom().item(() -> {
            seen.add(i);
            return i % 2;
        })).await().indefinitely();
        assertThat(total).isEqualTo(50_000);
        assertThat(seen).isEqualTo(items);
    }

    @Test
    void nothingToDoIsZero() {
        assertThat(Sequential.sum(List.<Integer> of(), i -> Uni.createFrom().item(1)).await().indefinitely()).isZero();
    }
}
