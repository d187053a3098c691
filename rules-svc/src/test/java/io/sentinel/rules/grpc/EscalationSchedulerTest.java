package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.GetAlertRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;
import io.sentinel.rules.service.AlertWriter;

/**
 * The scheduled job escalates by itself when the configured time has passed (here: two seconds,
 * checked every second: long enough for a test to lock an alert before it is due).
 */
@QuarkusTest
@TestProfile(EscalationSchedulerTest.EscalateAtOnce.class)
class EscalationSchedulerTest {

    public static class EscalateAtOnce implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sentinel.rules.escalation.after", "PT2S", "sentinel.rules.escalation.every", "1s");
        }
    }

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void theSchedulerEscalatesAnUnacknowledgedAlert() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        String id = overdue(subject);
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(escalated(id)).isTrue());
    }

    @Test
    void anAlertAnotherTransactionHoldsIsSkippedAndEscalatedOnceItIsReleased() throws Exception {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        String held = overdue(subject);
        // A transaction (a breach closing, a decision) holds the alert's row for eight seconds, taken
        // before the alert is due.
        Process holder = RulesFixtures.psqlInBackground("begin; select 1 from alert where alert_id = '" + held
                + "' for update; select pg_sleep(8); commit;", "PgSleep");
        try {
            String free = overdue(subject);
            Awaitility.await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(escalated(free)).isTrue());
            assertThat(holder.isAlive()).as("the other alert escalated while this one was held").isTrue();
            assertThat(escalated(held)).as("skipped while held").isFalse();
        } finally {
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThat(escalated(held)).isTrue());
    }

    private String overdue(String subject) {
        return RulesFixtures.fromEnrollment(channel).recordReviewOverdue(RecordReviewOverdueRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setOrderId(UUID.randomUUID().toString())
                .setReviewDueAt(Timestamps.of(Instant.parse("2026-11-01T00:00:00Z"))).build()).getAlertId();
    }

    private boolean escalated(String alertId) {
        return RulesFixtures.caseworker(channel, RulesFixtures.AGENCY).getAlert(GetAlertRequest.newBuilder().setAlertId(alertId).build())
                .getAlert().getEscalated();
    }

    @Test
    void escalationAndItsFeedEventDoNotWaitForTheMonitorsLock() throws Exception {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        // Fix evaluation (here: another session) holds the monitors' lock for eight seconds.
        Process holder = RulesFixtures.holdLock(AlertWriter.MONITOR_LOCK, 8);
        try {
            String id = overdue(subject);
            // The escalation reaches subscribers (numbered and delivered) while the lock is still held.
            List<AlertEvent> events = RulesFixtures.readFeed(RulesFixtures.caseworker(channel, RulesFixtures.AGENCY), 0,
                    e -> e.getAlert().getAlertId().equals(id), e -> e.getAlert().getAlertId().equals(id)
                            && e.getType() == AlertEventType.ALERT_EVENT_TYPE_ESCALATED);
            assertThat(events).extracting(AlertEvent::getType).containsExactly(AlertEventType.ALERT_EVENT_TYPE_OPENED,
                    AlertEventType.ALERT_EVENT_TYPE_ESCALATED);
            assertThat(holder.isAlive()).as("escalated while the lock was still held").isTrue();
        } finally {
            holder.waitFor(15, TimeUnit.SECONDS);
        }
    }
}
