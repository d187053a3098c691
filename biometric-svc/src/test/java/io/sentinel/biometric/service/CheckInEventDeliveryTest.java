package io.sentinel.biometric.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sentinel.api.internal.v1.CheckInEventKind;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
@TestProfile(FakeRules.Profile.class)
class CheckInEventDeliveryTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Pool pool;
    @Inject
    CheckInEventOutbox outbox;

    FakeRules rules = new FakeRules();

    @BeforeEach
    void start() {
        rules.start();
        // Events of earlier tests must not stand in front of this test's.
        pool.query("update check_in_event_outbox set next_attempt_at = 'infinity' where delivered_at is null").execute().await().atMost(WAIT);
    }

    @AfterEach
    void stop() {
        rules.stop();
    }

    UUID queue(UUID subject, String kind, String reviewedBy) {
        UUID event = UUID.randomUUID();
        pool.preparedQuery("""
                insert into check_in_event_outbox (event_id, subject_id, kind, check_in_id, reviewed_by, occurred_at)
                values ($1, $2, $3, $4, $5, now())""").execute(Tuple.of(event, subject, kind, UUID.randomUUID(), reviewedBy))
                .await().atMost(WAIT);
        return event;
    }

    @Test
    void eventsWaitWhileRulesIsDownAndThenArriveOnceInTheOrderWritten() {
        UUID subject = UUID.randomUUID();
        List<UUID> written = new ArrayList<>();
        written.add(queue(subject, "CHECK_IN_EVENT_KIND_FAILED_CONFIRMED", "rita"));
        written.add(queue(subject, "CHECK_IN_EVENT_KIND_MISSED", null));
        written.add(queue(subject, "CHECK_IN_EVENT_KIND_FAILED_CONFIRMED", "sam"));

        rules.down = true;
        assertThat(outbox.deliverDue().await().atMost(WAIT)).isZero();
        assertThat(rules.received).isEmpty();
        var attempts = pool.preparedQuery("select attempts from check_in_event_outbox where subject_id = $1 order by id")
                .execute(Tuple.of(subject)).await().atMost(WAIT);
        List<Integer> tries = new ArrayList<>();
        attempts.forEach(r -> tries.add(r.getInteger(0)));
        // Only the head was tried; the later ones were held behind it to keep the order.
        assertThat(tries).containsExactly(1, 0, 0);
        // While backing off, a round does not call rules-svc at all.
        rules.down = false;
        assertThat(outbox.deliverDue().await().atMost(WAIT)).isZero();
        assertThat(rules.received).isEmpty();

        // The back-off elapses (moved forward rather than slept through).
        pool.preparedQuery("update check_in_event_outbox set next_attempt_at = now() where subject_id = $1").execute(Tuple.of(subject))
                .await().atMost(WAIT);
        assertThat(outbox.deliverDue().await().atMost(WAIT)).isEqualTo(3);
        assertThat(rules.received).extracting(r -> UUID.fromString(r.getEventId())).containsExactlyElementsOf(written);
        RecordCheckInEventRequest first = rules.received.get(0);
        assertThat(first.getKind()).isEqualTo(CheckInEventKind.CHECK_IN_EVENT_KIND_FAILED_CONFIRMED);
        assertThat(first.getReviewedBy()).isEqualTo("rita");
        assertThat(first.getSubjectId()).isEqualTo(subject.toString());
        assertThat(rules.received.get(1).getKind()).isEqualTo(CheckInEventKind.CHECK_IN_EVENT_KIND_MISSED);

        // Delivered events are not sent again.
        assertThat(outbox.deliverDue().await().atMost(WAIT)).isZero();
        assertThat(rules.received).hasSize(3);
    }
}
