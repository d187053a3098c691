package io.sentinel.rules.grpc;

import static io.sentinel.rules.grpc.RulesFixtures.IN_LAT;
import static io.sentinel.rules.grpc.RulesFixtures.IN_LON;
import static io.sentinel.rules.grpc.RulesGrpcServiceTest.fixAt;
import static io.sentinel.rules.grpc.RulesGrpcServiceTest.nextFixId;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.internal.v1.CheckInEventKind;
import io.sentinel.api.internal.v1.DeviceEvent;
import io.sentinel.api.internal.v1.DeviceEventKind;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.sentinel.api.internal.v1.RecordDeviceEventsRequest;
import io.sentinel.api.internal.v1.RecordDeviceEventsResponse;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;

/** rules-svc evaluates nothing outside the order's legal window [starts_at, ends_at). */
@QuarkusTest
class OrderWindowEvaluationTest {
    static final Instant STARTS = Instant.parse("2026-11-23T10:00:00Z");
    static final Instant ENDS = STARTS.plusSeconds(3600);

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A subject with one exclusion zone (SQUARE) under an order whose window is [STARTS, ENDS). */
    String subjectInWindow() {
        String subject = UUID.randomUUID().toString();
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(PutSubjectConditionsRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(RulesFixtures.AGENCY).setOrderId(UUID.randomUUID().toString())
                .setTimeZone("Europe/London").setVersion(1).setActive(true)
                .setOrderStartsAt(Timestamps.of(STARTS)).setOrderEndsAt(Timestamps.of(ENDS))
                .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_EXCLUSION)
                        .setGeojson(RulesFixtures.SQUARE))
                .build());
        return subject;
    }

    /** Six fixes 30 s apart inside the exclusion zone from {@code from} (past the 2 min dwell), one call; alerts opened. */
    int stayInZone(String subject, Instant from) {
        EvaluateFixesRequest.Builder b = EvaluateFixesRequest.newBuilder();
        for (int i = 0; i < 6; i++) {
            b.addFixes(fixAt(nextFixId(), subject, IN_LAT, IN_LON, from.plusSeconds(30L * i)));
        }
        return RulesFixtures.fromLocation(channel).evaluateFixes(b.build()).getAlertsOpened();
    }

    List<Alert> alertsOf(String subject) {
        return RulesFixtures.caseworker(channel, RulesFixtures.AGENCY)
                .listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build()).getAlertsList();
    }

    @Test
    void aBreachBeforeTheWindowOpensOrFromItsEndOnRaisesNothing() {
        String subject = subjectInWindow();
        assertThat(stayInZone(subject, STARTS.minusSeconds(600))).as("before the window").isZero();
        assertThat(stayInZone(subject, ENDS)).as("from the window's end on").isZero();
        assertThat(alertsOf(subject)).isEmpty();
        assertThat(RulesFixtures.psql("select count(*) from monitor_state where subject_id = '" + subject + "'"
                + " and (state like '%\"phase\":\"PENDING\"%' or state like '%\"phase\":\"OPEN\"%')")).as("no breach evidence kept").isEqualTo("0");
        // The same stay inside the window is a breach: the rule is the window, not the zone.
        assertThat(stayInZone(subject, STARTS)).isEqualTo(1);
        assertThat(alertsOf(subject)).hasSize(1);
    }

    @Test
    void theWindowIsStoredWithTheConditions() {
        String subject = subjectInWindow();
        assertThat(RulesFixtures.psql("select order_starts_at = '" + STARTS + "'::timestamptz and order_ends_at = '" + ENDS
                + "'::timestamptz from subject_conditions where subject_id = '" + subject + "'")).isEqualTo("t");
    }

    @Test
    void deviceAndCheckInEventsOutsideTheWindowOpenNoAlertAndAreNotDeferred() {
        String subject = subjectInWindow();
        String device = UUID.randomUUID().toString();
        RecordDeviceEventsResponse r = RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(event(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, STARTS.minusSeconds(1)))
                .addEvents(event(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_NO_SIGNAL, ENDS)).build());
        assertThat(r.getAlertsOpened()).isZero();
        assertThat(r.getDeferredEventIdsList()).isEmpty();
        String missed = RulesFixtures.fromBiometric(channel).recordCheckInEvent(RecordCheckInEventRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setKind(CheckInEventKind.CHECK_IN_EVENT_KIND_MISSED)
                .setOccurredAt(Timestamps.of(ENDS.plusSeconds(60))).setCheckInId(UUID.randomUUID().toString()).build()).getAlertId();
        assertThat(missed).isEmpty();
        assertThat(alertsOf(subject)).isEmpty();
        // Inside the window the same tamper is an alert.
        assertThat(RulesFixtures.fromLocation(channel).recordDeviceEvents(RecordDeviceEventsRequest.newBuilder()
                .addEvents(event(subject, device, DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, STARTS)).build()).getAlertsOpened())
                .isEqualTo(1);
    }

    static DeviceEvent event(String subject, String device, DeviceEventKind kind, Instant at) {
        return DeviceEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setDeviceId(device).setKind(kind)
                .setOccurredAt(Timestamps.of(at)).build();
    }
}
