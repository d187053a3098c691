package io.sentinel.rules.service;

import java.util.List;
import java.util.function.Function;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Runs one asynchronous step per item, strictly one after another (they share one reactive
 * session), and sums what the steps return. A loop of {@code chain = chain.flatMap(...)} does the
 * same but nests one operator per item: with thousands of items (a backlog of alerts to escalate,
 * a large forwarded batch) subscribing to it overflows the stack, and the transaction stalls
 * holding the monitors' lock. Concatenation runs in a loop instead.
 */
final class Sequential {
    private Sequential() {
    }

    /** Each step returns how much it counts for (never null); returns the total. */
    static <T> Uni<Integer> sum(List<T> items, Function<T, Uni<Integer>> step) {
        if (items.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Multi.createFrom().iterable(items).onItem().<Integer> transformToUniAndConcatenate(step::apply)
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue));
    }
}
