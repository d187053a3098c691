package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertSeverity;
import io.sentinel.api.internal.v1.CheckInEventKind;
import io.sentinel.api.internal.v1.DeviceEvent;
import io.sentinel.api.internal.v1.DeviceEventKind;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.sentinel.api.internal.v1.RecordDeviceEventsRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.rules.service.AlertWriter;
import io.sentinel.rules.service.ExternalEvents;

/** Device, check-in and review events: alerts, one per event and per live condition, idempotent on event_id. */
@QuarkusTest
class ExternalEventsTest {
    static final String AGENCY = RulesFixtures.AGENCY;
    static final Instant T = Instant.parse("2026-11-18T08:00:00Z");

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }


    List<Alert> alertsOf(String subject) {
        return RulesFixtures.caseworker(channel, AGENCY).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build())
                .getAlertsList();
    }

    static DeviceEvent device(String subject, String device, DeviceEventKind kind, Instant at) {
        return DeviceEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setDeviceId(device)
                .setKind(kind).setOccurredAt(Timestamps.of(at)).build();
    }

    @Test
    void deviceEventsOpenAndCloseAlertsAndARedeliveredEventChangesNothing() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String device = UUID.randomUUID().toString();
        DeviceEvent tamper = device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, T);
        DeviceEvent battery = device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_LOW_BATTERY, T).toBuilder().setDetail("battery=14").build();
        DeviceEvent silent = device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_NO_SIGNAL, T.plusSeconds(600));
        RecordDeviceEventsRequest batch = RecordDeviceEventsRequest.newBuilder().addEvents(tamper).addEvents(battery).addEvents(silent).build();
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(batch).getAlertsOpened()).isEqualTo(3);
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(batch).getAlertsOpened()).as("redelivery").isZero();
        // A second tamper report while the first alert is live is the same condition: no new alert.
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, T.plusSeconds(60))).build())
                .getAlertsOpened()).isZero();
        List<Alert> alerts = alertsOf(subject);
        assertThat(alerts).extracting(Alert::getKind).containsExactlyInAnyOrder(AlertKind.ALERT_KIND_STRAP_TAMPER,
                AlertKind.ALERT_KIND_LOW_BATTERY, AlertKind.ALERT_KIND_NO_SIGNAL);
        Alert low = alerts.stream().filter(a -> a.getKind() == AlertKind.ALERT_KIND_LOW_BATTERY).findFirst().orElseThrow();
        assertThat(low.getSeverity()).isEqualTo(AlertSeverity.ALERT_SEVERITY_LOW);
        assertThat(low.getDetail()).isEqualTo("battery=14");
        assertThat(low.getDeviceId()).isEqualTo(device);

        // Signal back 25 minutes later: the NO_SIGNAL alert closes with the outage as its duration.
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_SIGNAL_RESTORED, T.plusSeconds(2100))).build())
                .getAlertsOpened()).isZero();
        Alert noSignal = alertsOf(subject).stream().filter(a -> a.getKind() == AlertKind.ALERT_KIND_NO_SIGNAL).findFirst().orElseThrow();
        assertThat(noSignal.getDurationSeconds()).isEqualTo(1500);
        assertThat(noSignal.getClosedAt().getSeconds()).isEqualTo(T.plusSeconds(2100).getEpochSecond());
        // A new outage is a new alert.
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_NO_SIGNAL, T.plusSeconds(4000))).build())
                .getAlertsOpened()).isEqualTo(1);
    }

    @Test
    void rejectsBadDeviceEventsNamingTheFieldAndStoresNoneOfTheBatch() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String device = UUID.randomUUID().toString();
        DeviceEvent ok = device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, T);
        RulesFixtures.assertStatus(() -> RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(ok)
                .addEvents(ok.toBuilder().setEventId(UUID.randomUUID().toString()).setKind(DeviceEventKind.DEVICE_EVENT_KIND_UNSPECIFIED))
                .build()), Status.Code.INVALID_ARGUMENT, "events[1].kind: must be a known device event kind");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(ok).addEvents(ok)
                .build()), Status.Code.INVALID_ARGUMENT, "events[1].event_id: '" + ok.getEventId() + "' appears twice in the batch");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(ok.toBuilder().clearOccurredAt()).build()), Status.Code.INVALID_ARGUMENT, "events[0].occurred_at: is required");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(ok.toBuilder().setDeviceId("tag-7")).build()), Status.Code.INVALID_ARGUMENT, null);
        RulesFixtures.assertStatus(() -> RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(ok.toBuilder().setDetail("x".repeat(201))).build()), Status.Code.INVALID_ARGUMENT,
                "events[0].detail: must be at most 200 characters");
        RulesFixtures.assertStatus(() -> RulesFixtures.intakeAs(channel, TestTokens.token("alice@" + AGENCY, AGENCY, "caseworker")).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(ok).build()), Status.Code.PERMISSION_DENIED, null);
        assertThat(alertsOf(subject)).isEmpty();
        // The good event was not marked as applied: sending it alone now opens its alert.
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(ok).build()).getAlertsOpened()).isEqualTo(1);
    }

    @Test
    void aCheckInEventForASubjectWhoseOrderHasNotArrivedIsUnavailableSoTheSenderRetries() {
        String pending = UUID.randomUUID().toString();
        RecordCheckInEventRequest missed = RecordCheckInEventRequest.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSubjectId(pending).setKind(CheckInEventKind.CHECK_IN_EVENT_KIND_MISSED)
                .setOccurredAt(Timestamps.of(T)).setCheckInId(UUID.randomUUID().toString()).build();
        RulesFixtures.assertStatus(() -> RulesFixtures.fromBiometric(channel).recordCheckInEvent(missed), Status.Code.UNAVAILABLE,
                "subject_id: no monitoring order is known for subject " + pending + " yet; send it again later");
    }

    @Test
    void anEventForASubjectWithoutAKnownOrderIsDeferredAndTheRestOfTheBatchApplied() {
        String known = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String pending = UUID.randomUUID().toString();
        DeviceEvent applies = device(known, UUID.randomUUID().toString(), DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, T);
        DeviceEvent waits = device(pending, UUID.randomUUID().toString(), DeviceEventKind.DEVICE_EVENT_KIND_NO_SIGNAL, T);
        var answer = RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(waits).addEvents(applies).build());
        assertThat(answer.getAlertsOpened()).isEqualTo(1);
        assertThat(answer.getDeferredEventIdsList()).containsExactly(waits.getEventId());
        assertThat(alertsOf(known)).hasSize(1);
        // Still no order: deferred again, nothing remembered.
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(waits).build())
                .getDeferredEventIdsList()).containsExactly(waits.getEventId());
        // Once the subject's conditions arrive, the same event opens its alert, once.
        RulesFixtures.subjectWithExclusionZone(channel, AGENCY, pending);
        var later = RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(waits).addEvents(applies).build());
        assertThat(later.getAlertsOpened()).isEqualTo(1);
        assertThat(later.getDeferredEventIdsList()).isEmpty();
        assertThat(alertsOf(pending)).hasSize(1);
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(waits).build()).getAlertsOpened())
                .as("redelivery").isZero();
    }

    @Test
    void aBatchInWhichEveryEventWaitsForItsOrderIsAnsweredWithoutTheEventsLock() throws Exception {
        String pending = UUID.randomUUID().toString();
        DeviceEvent waits = device(pending, UUID.randomUUID().toString(), DeviceEventKind.DEVICE_EVENT_KIND_NO_SIGNAL, T);
        DeviceEvent alsoWaits = device(pending, UUID.randomUUID().toString(), DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, T);
        // Another replica holds the events' lock (a large batch, say) for six seconds.
        Process holder = RulesFixtures.holdLock(ExternalEvents.EVENTS_LOCK, 6);
        try {
            var answer = RulesFixtures.fromLocation(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                    .recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(waits).addEvents(alsoWaits).build());

            assertThat(answer.getDeferredEventIdsList()).containsExactly(waits.getEventId(), alsoWaits.getEventId());
            assertThat(holder.isAlive()).as("answered while the lock was still held").isTrue();
        } finally {
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(RulesFixtures.psql("select count(*) from processed_event where subject_id = '" + pending + "'")).isEqualTo("0");
    }

    @Test
    void deviceEventsOpenAndCloseAlertsWithoutWaitingForTheMonitorsLock() throws Exception {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String device = UUID.randomUUID().toString();
        DeviceEvent silent = device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_NO_SIGNAL, T);
        DeviceEvent back = device(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_SIGNAL_RESTORED, T.plusSeconds(600));
        // Fix evaluation (here: another session) holds the monitors' lock for six seconds.
        Process holder = RulesFixtures.holdLock(AlertWriter.MONITOR_LOCK, 6);
        try {
            var opened = RulesFixtures.fromLocation(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                    .recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(silent).build());
            var closed = RulesFixtures.fromLocation(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                    .recordDeviceEvents(RecordDeviceEventsRequest.newBuilder().addEvents(back).build());

            assertThat(opened.getAlertsOpened()).isEqualTo(1);
            assertThat(closed.getDeferredEventIdsList()).isEmpty();
            assertThat(holder.isAlive()).as("answered while the lock was still held").isTrue();
        } finally {
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(alertsOf(subject)).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AlertKind.ALERT_KIND_NO_SIGNAL);
            assertThat(a.getDurationSeconds()).isEqualTo(600);
        });
    }

    @Test
    void aMissedOrReviewerConfirmedFailedCheckInOpensOneAlertPerEvent() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        RecordCheckInEventRequest missed = RecordCheckInEventRequest.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSubjectId(subject).setKind(CheckInEventKind.CHECK_IN_EVENT_KIND_MISSED)
                .setOccurredAt(Timestamps.of(T)).setCheckInId(UUID.randomUUID().toString()).build();
        String first = RulesFixtures.fromBiometric(channel).recordCheckInEvent(missed).getAlertId();
        assertThat(first).isNotEmpty();
        assertThat(RulesFixtures.fromBiometric(channel).recordCheckInEvent(missed).getAlertId()).as("redelivery answers the same alert").isEqualTo(first);

        RecordCheckInEventRequest failed = missed.toBuilder().setEventId(UUID.randomUUID().toString())
                .setCheckInId(UUID.randomUUID().toString()).setKind(CheckInEventKind.CHECK_IN_EVENT_KIND_FAILED_CONFIRMED)
                .setReviewedBy("rita").build();
        String second = RulesFixtures.fromBiometric(channel).recordCheckInEvent(failed).getAlertId();
        assertThat(second).isNotEmpty().isNotEqualTo(first);
        assertThat(alertsOf(subject)).extracting(Alert::getKind).containsExactlyInAnyOrder(AlertKind.ALERT_KIND_CHECK_IN_MISSED,
                AlertKind.ALERT_KIND_CHECK_IN_FAILED);
    }

    @Test
    void rejectsBadCheckInEventsNamingTheFieldAndStoresNothing() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        RecordCheckInEventRequest failed = RecordCheckInEventRequest.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSubjectId(subject).setKind(CheckInEventKind.CHECK_IN_EVENT_KIND_FAILED_CONFIRMED)
                .setOccurredAt(Timestamps.of(T)).setCheckInId(UUID.randomUUID().toString()).build();
        // No reviewer: an algorithm's verdict alone never becomes an alert.
        RulesFixtures.assertStatus(() -> RulesFixtures.fromBiometric(channel).recordCheckInEvent(failed), Status.Code.INVALID_ARGUMENT, "reviewed_by: is required");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromBiometric(channel).recordCheckInEvent(failed.toBuilder().setReviewedBy("rita")
                .setKind(CheckInEventKind.CHECK_IN_EVENT_KIND_UNSPECIFIED).build()), Status.Code.INVALID_ARGUMENT,
                "kind: must be MISSED or FAILED_CONFIRMED");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromBiometric(channel).recordCheckInEvent(failed.toBuilder().setReviewedBy("rita").setCheckInId("").build()),
                Status.Code.INVALID_ARGUMENT, null);
        RulesFixtures.assertStatus(() -> RulesFixtures.fromBiometric(channel).recordCheckInEvent(failed.toBuilder().setReviewedBy("rita").clearOccurredAt().build()),
                Status.Code.INVALID_ARGUMENT, "occurred_at: is required");
        assertThat(alertsOf(subject)).isEmpty();
    }

    @Test
    void anOverdueReviewOpensOneAlertPerOrderWhileLive() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String order = UUID.randomUUID().toString();
        RecordReviewOverdueRequest r = RecordReviewOverdueRequest.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSubjectId(subject).setOrderId(order).setReviewDueAt(Timestamps.of(T)).build();
        String id = RulesFixtures.fromEnrollment(channel).recordReviewOverdue(r).getAlertId();
        assertThat(id).isNotEmpty();
        assertThat(RulesFixtures.fromEnrollment(channel).recordReviewOverdue(r).getAlertId()).isEqualTo(id);
        // A reminder for the same order while the alert is live: deduplicated.
        assertThat(RulesFixtures.fromEnrollment(channel).recordReviewOverdue(r.toBuilder().setEventId(UUID.randomUUID().toString()).build()).getAlertId()).isEmpty();
        assertThat(alertsOf(subject)).hasSize(1);
        assertThat(alertsOf(subject).get(0).getKind()).isEqualTo(AlertKind.ALERT_KIND_ORDER_REVIEW_OVERDUE);
        RulesFixtures.assertStatus(() -> RulesFixtures.fromEnrollment(channel).recordReviewOverdue(r.toBuilder().setEventId(UUID.randomUUID().toString())
                .clearReviewDueAt().build()), Status.Code.INVALID_ARGUMENT, "review_due_at: is required");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromEnrollment(channel).recordReviewOverdue(r.toBuilder().setOrderId("o-1").build()),
                Status.Code.INVALID_ARGUMENT, null);
    }
}
