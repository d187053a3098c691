package io.sentinel.common.conditions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** The validation's geometry work never runs on an event loop, and its result comes back on the caller's context. */
class OffEventLoopTest {

    @Test
    void validatesOnAWorkerThreadAndResumesOnTheCallersContext() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Context context = vertx.getOrCreateContext();
            CompletableFuture<String> validatedOn = new CompletableFuture<>();
            CompletableFuture<Boolean> resumedOnContext = new CompletableFuture<>();
            ConditionsInput in = new ConditionsInput("Europe/London", List.of(new ConditionsInput.ZoneInput(UUID.randomUUID().toString(), "",
                    "ZONE_KIND_EXCLUSION", ConditionsValidatorTest.polygon(-0.1, 51.5, 10_000), null)), List.of());
            context.runOnContext(x -> ConditionsValidator.offEventLoop(() -> {
                validatedOn.complete(Context.isOnEventLoopThread() ? "event loop" : Thread.currentThread().getName());
                return ConditionsValidator.validate("", in);
            }).subscribe().with(v -> resumedOnContext.complete(Vertx.currentContext() == context && Context.isOnEventLoopThread()),
                    resumedOnContext::completeExceptionally));
            assertThat(validatedOn.get(30, TimeUnit.SECONDS)).isNotEqualTo("event loop");
            assertThat(resumedOnContext.get(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
