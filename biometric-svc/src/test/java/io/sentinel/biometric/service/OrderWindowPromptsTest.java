package io.sentinel.biometric.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** biometric-svc prompts nothing outside the order's legal window [starts_at, ends_at). */
@QuarkusTest
class OrderWindowPromptsTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** 06:00 in London: all of today's waking window (08:00-20:00) and tomorrow's are ahead. */
    static final Instant NOW = Instant.parse("2026-06-01T05:00:00Z");

    @Inject
    Pool pool;
    @Inject
    PromptScheduler prompts;

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    PutCheckInScheduleRequest.Builder schedule(String subject, long version) {
        return PutCheckInScheduleRequest.newBuilder().setSubjectId(subject).setOwningAgencyId("agency-a").setTimeZone("Europe/London")
                .setPerDay(3).setWindowStart("08:00").setWindowEnd("20:00").setVersion(version).setActive(true);
    }

    void put(PutCheckInScheduleRequest.Builder r) {
        // A generous deadline: the first call after start-up can be slow on a loaded machine.
        GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc")
                .withDeadlineAfter(60, TimeUnit.SECONDS).putCheckInSchedule(r.build());
    }

    List<Instant> pending(String subject) {
        List<Instant> out = new ArrayList<>();
        for (Row r : pool.preparedQuery("select prompt_at from check_in_prompt where subject_id = $1 and state = 'PENDING' order by prompt_at")
                .execute(Tuple.of(UUID.fromString(subject))).await().atMost(WAIT)) {
            out.add(r.getOffsetDateTime("prompt_at").toInstant());
        }
        return out;
    }

    @Test
    void anOrderThatHasNotStartedOrHasEndedGetsNoPrompt() {
        String notYet = UUID.randomUUID().toString();
        put(schedule(notYet, 1).setOrderStartsAt(Timestamps.of(NOW.plus(Duration.ofDays(10))))
                .setOrderEndsAt(Timestamps.of(NOW.plus(Duration.ofDays(100)))));
        String over = UUID.randomUUID().toString();
        put(schedule(over, 1).setOrderStartsAt(Timestamps.of(NOW.minus(Duration.ofDays(30)))).setOrderEndsAt(Timestamps.of(NOW)));
        String control = UUID.randomUUID().toString();
        put(schedule(control, 1).setOrderStartsAt(Timestamps.of(NOW.minus(Duration.ofDays(1))))
                .setOrderEndsAt(Timestamps.of(NOW.plus(Duration.ofDays(30)))));
        prompts.planDays(NOW).await().atMost(WAIT);
        assertThat(pending(notYet)).isEmpty();
        assertThat(pending(over)).isEmpty();
        assertThat(pending(control)).hasSize(6);
    }

    @Test
    void promptsOfAWindowThatEndsMidDayAllFallBeforeItsEnd() {
        String subject = UUID.randomUUID().toString();
        Instant ends = Instant.parse("2026-06-01T12:00:00Z");
        put(schedule(subject, 1).setOrderStartsAt(Timestamps.of(NOW.minus(Duration.ofDays(1)))).setOrderEndsAt(Timestamps.of(ends)));
        prompts.planDays(NOW).await().atMost(WAIT);
        assertThat(pending(subject)).allMatch(at -> at.isBefore(ends));
    }

    @Test
    void shorteningTheWindowWithdrawsThePromptsAfterItsNewEndAndEndingWithdrawsAll() {
        String subject = UUID.randomUUID().toString();
        put(schedule(subject, 1).setOrderStartsAt(Timestamps.of(NOW.minus(Duration.ofDays(1))))
                .setOrderEndsAt(Timestamps.of(NOW.plus(Duration.ofDays(30)))));
        prompts.planDays(NOW).await().atMost(WAIT);
        assertThat(pending(subject)).hasSize(6);
        // EndOrder with a future time: the window now ends at noon today.
        Instant ends = Instant.parse("2026-06-01T12:00:00Z");
        put(schedule(subject, 2).setOrderStartsAt(Timestamps.of(NOW.minus(Duration.ofDays(1)))).setOrderEndsAt(Timestamps.of(ends)));
        assertThat(pending(subject)).hasSizeLessThan(6).allMatch(at -> at.isBefore(ends));
        put(schedule(subject, 3).setActive(false).setOrderStartsAt(Timestamps.of(NOW.minus(Duration.ofDays(1))))
                .setOrderEndsAt(Timestamps.of(ends)));
        assertThat(pending(subject)).isEmpty();
    }
}
