package io.sentinel.rules.grpc;

import static io.sentinel.rules.grpc.RulesFixtures.IN_LAT;
import static io.sentinel.rules.grpc.RulesFixtures.IN_LON;
import static io.sentinel.rules.grpc.RulesFixtures.OUT_LAT;
import static io.sentinel.rules.grpc.RulesFixtures.OUT_LON;
import static io.sentinel.rules.grpc.RulesGrpcServiceTest.fixAt;
import static io.sentinel.rules.grpc.RulesGrpcServiceTest.nextFixId;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.Curfew;
import io.sentinel.api.common.v1.CurfewWindow;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.EvaluatedFix;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.rules.service.EvaluationService;

/** Fixes to alerts: dwell, accuracy, flags, one alert per breach, closing with duration, curfews. */
@QuarkusTest
class BreachEvaluationTest {
    static final Instant T0 = Instant.parse("2026-11-16T10:00:00Z"); // a Monday

    @Inject
    EvaluationService evaluation;

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
        return RulesFixtures.caseworker(channel, RulesFixtures.AGENCY)
                .listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build()).getAlertsList();
    }

    /** Sends one fix per 30 s from {@code from}, one call per fix; returns the alerts opened. */
    int feed(String subject, double lat, double lon, double accuracy, boolean implausible, Instant from, int count) {
        int opened = 0;
        for (int i = 0; i < count; i++) {
            EvaluatedFix f = fixAt(nextFixId(), subject, lat, lon, from.plusSeconds(30L * i)).toBuilder()
                    .setAccuracyMetres(accuracy).setImplausible(implausible).build();
            opened += RulesFixtures.fromLocation(channel).evaluateFixes(EvaluateFixesRequest.newBuilder().addFixes(f).build()).getAlertsOpened();
        }
        return opened;
    }

    @Test
    void aSingleCertainFixInsideAnExclusionZoneOpensNothingButStayingPastTheDwellDoes() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        assertThat(feed(subject, IN_LAT, IN_LON, 8, false, T0, 1)).isZero();
        assertThat(alertsOf(subject)).isEmpty();
        // Three more fixes reach 90 s: still short of the 2 min dwell.
        assertThat(feed(subject, IN_LAT, IN_LON, 8, false, T0.plusSeconds(30), 3)).isZero();
        assertThat(alertsOf(subject)).isEmpty();
        // The fix at 120 s completes it. Evidence was kept between calls (state saved per call).
        assertThat(feed(subject, IN_LAT, IN_LON, 8, false, T0.plusSeconds(120), 1)).isEqualTo(1);
        List<Alert> alerts = alertsOf(subject);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).getKind()).isEqualTo(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED);
        assertThat(alerts.get(0).getBreachStartedAt().getSeconds()).isEqualTo(T0.getEpochSecond());
        assertThat(alerts.get(0).getFixTime().getSeconds()).isEqualTo(T0.plusSeconds(120).getEpochSecond());
        assertThat(alerts.get(0).hasClosedAt()).isFalse();
        // The breach state is in the database, not only in memory: a restart resumes it.
        assertThat(RulesFixtures.psql("select state from monitor_state where subject_id = '" + subject + "'"))
                .contains("\"phase\":\"OPEN\"");
    }

    @Inject
    io.sentinel.rules.service.ConditionsService conditionsService;

    int refreshConditions() throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> conditionsService.refresh());
    }

    @Test
    void conditionsStoredByAnotherReplicaApplyFromTheNextFix() throws Throwable {
        // Another replica stored this subject's exclusion zone: the row is there, this replica's memory is not.
        String subject = UUID.randomUUID().toString();
        PutSubjectConditionsRequest zone = PutSubjectConditionsRequest.newBuilder().setSubjectId(subject)
                .setOwningAgencyId(RulesFixtures.AGENCY).setOrderId(UUID.randomUUID().toString()).setTimeZone("Europe/London")
                .setVersion(1).setActive(true).addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString())
                        .setKind(ZoneKind.ZONE_KIND_EXCLUSION).setGeojson(RulesFixtures.SQUARE))
                .build();
        String stored = "insert into subject_conditions (subject_id, owning_agency_id, order_id, version, active, conditions, updated_at)"
                + " values ('%s', '%s', '%s', %d, %s, decode('%s', 'hex'), now())"
                + " on conflict (subject_id) do update set version = excluded.version, active = excluded.active,"
                + " conditions = excluded.conditions, updated_at = excluded.updated_at";
        RulesFixtures.psql(stored.formatted(subject, RulesFixtures.AGENCY, zone.getOrderId(), 1, "true",
                java.util.HexFormat.of().formatHex(zone.toByteArray())));
        // Evaluation reads the stored version of each subject in a batch under the monitors' lock and
        // loads newer conditions first: the zone applies from the next fix, not from the next refresh.
        assertThat(feed(subject, IN_LAT, IN_LON, 8, false, T0, 6)).as("taken up at the next fix, before any refresh").isEqualTo(1);

        // The other replica ends the order (version 2, inactive): taken up too, and an older
        // version read again never brings the zone back.
        PutSubjectConditionsRequest ended = zone.toBuilder().setVersion(2).setActive(false).build();
        RulesFixtures.psql(stored.formatted(subject, RulesFixtures.AGENCY, zone.getOrderId(), 2, "false",
                java.util.HexFormat.of().formatHex(ended.toByteArray())));
        refreshConditions();
        refreshConditions();
        assertThat(feed(subject, IN_LAT, IN_LON, 8, false, T0.plusSeconds(7200), 6)).isZero();
        assertThat(alertsOf(subject)).hasSize(1);
    }

    @Test
    void uncertainFixesNeverOpenAnAlert() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        // Centre of the square, but an accuracy disc of 500 m reaches well outside it: uncertain.
        assertThat(feed(subject, IN_LAT, IN_LON, 500, false, T0, 40)).isZero();
        assertThat(alertsOf(subject)).isEmpty();
    }

    @Test
    void implausibleAndLowAccuracyFixesNeverOpenAnAlert() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        assertThat(feed(subject, IN_LAT, IN_LON, 8, true, T0, 20)).isZero();
        EvaluateFixesRequest.Builder lowAccuracy = EvaluateFixesRequest.newBuilder();
        for (int i = 0; i < 20; i++) {
            lowAccuracy.addFixes(fixAt(nextFixId(), subject, IN_LAT, IN_LON, T0.plusSeconds(600 + 30L * i)).toBuilder().setLowAccuracy(true));
        }
        assertThat(RulesFixtures.fromLocation(channel).evaluateFixes(lowAccuracy.build()).getAlertsOpened()).isZero();
        assertThat(alertsOf(subject)).isEmpty();
    }

    @Test
    void aLastingBreachKeepsOneAlertThatClosesItselfWithItsDurationAndAReturnOpensANewOne() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        // 30 minutes inside, in one batch and then another: one alert.
        assertThat(RulesFixtures.fromLocation(channel).evaluateFixes(RulesGrpcServiceTest.stay(subject, IN_LAT, IN_LON, T0, 30)).getAlertsOpened()).isEqualTo(1);
        assertThat(RulesFixtures.fromLocation(channel).evaluateFixes(RulesGrpcServiceTest.stay(subject, IN_LAT, IN_LON, T0.plusSeconds(900), 30))
                .getAlertsOpened()).isZero();
        assertThat(alertsOf(subject)).hasSize(1);

        // Out again from 10:30 for the clearing dwell (1 min, 2 fixes): the breach lasted 30 min.
        assertThat(feed(subject, OUT_LAT, OUT_LON, 8, false, T0.plusSeconds(1800), 4)).isZero();
        Alert closed = alertsOf(subject).get(0);
        assertThat(closed.hasClosedAt()).isTrue();
        assertThat(closed.getDurationSeconds()).isEqualTo(1800);
        assertThat(closed.getState()).as("closing is not a decision: it still awaits a caseworker").isEqualTo(AlertState.ALERT_STATE_OPEN);

        var feed = RulesFixtures.readFeed(RulesFixtures.caseworker(channel, RulesFixtures.AGENCY), 0,
                e -> e.getAlert().getSubjectId().equals(subject), e -> e.getAlert().getSubjectId().equals(subject)
                        && e.getType() == AlertEventType.ALERT_EVENT_TYPE_CLOSED);
        assertThat(feed).extracting(e -> e.getType())
                .containsExactly(AlertEventType.ALERT_EVENT_TYPE_OPENED, AlertEventType.ALERT_EVENT_TYPE_CLOSED);

        // Going back in is a new breach: a second alert.
        assertThat(feed(subject, IN_LAT, IN_LON, 8, false, T0.plusSeconds(3600), 5)).isEqualTo(1);
        assertThat(alertsOf(subject)).hasSize(2);
    }

    @Test
    void aBreachThatOpensClosesAndReopensWithinOneBatchIsWrittenInOrder() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        // In for 5 min, out for 5 min, in again for 5 min, all in one call: alert writes for the
        // same subject and condition must apply in this order even though they are written set-based.
        EvaluateFixesRequest batch = EvaluateFixesRequest.newBuilder()
                .addAllFixes(RulesGrpcServiceTest.stay(subject, IN_LAT, IN_LON, T0, 10).getFixesList())
                .addAllFixes(RulesGrpcServiceTest.stay(subject, OUT_LAT, OUT_LON, T0.plusSeconds(300), 10).getFixesList())
                .addAllFixes(RulesGrpcServiceTest.stay(subject, IN_LAT, IN_LON, T0.plusSeconds(600), 10).getFixesList())
                .build();
        assertThat(RulesFixtures.fromLocation(channel).evaluateFixes(batch).getAlertsOpened()).isEqualTo(2);

        List<Alert> alerts = alertsOf(subject).stream().sorted(java.util.Comparator.comparing(a -> a.getBreachStartedAt().getSeconds())).toList();
        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0).getBreachStartedAt().getSeconds()).isEqualTo(T0.getEpochSecond());
        assertThat(alerts.get(0).getDurationSeconds()).isEqualTo(300);
        assertThat(alerts.get(1).getBreachStartedAt().getSeconds()).isEqualTo(T0.plusSeconds(600).getEpochSecond());
        assertThat(alerts.get(1).hasClosedAt()).isFalse();
        var feed = RulesFixtures.readFeed(RulesFixtures.caseworker(channel, RulesFixtures.AGENCY), 0,
                e -> e.getAlert().getSubjectId().equals(subject), e -> e.getAlert().getSubjectId().equals(subject)
                        && e.getAlert().getAlertId().equals(alerts.get(1).getAlertId()));
        assertThat(feed).extracting(e -> e.getType()).containsExactly(AlertEventType.ALERT_EVENT_TYPE_OPENED,
                AlertEventType.ALERT_EVENT_TYPE_CLOSED, AlertEventType.ALERT_EVENT_TYPE_OPENED);
    }

    @Test
    void aFixOutsideTheHomeZoneDuringTheCurfewOpensACurfewAlertThatClosesWhenTheCurfewEnds() {
        String subject = UUID.randomUUID().toString();
        String curfew = UUID.randomUUID().toString();
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(PutSubjectConditionsRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(RulesFixtures.AGENCY).setOrderId(UUID.randomUUID().toString())
                .setTimeZone("Europe/London").setVersion(1).setActive(true)
                .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_HOME)
                        .setGeojson(RulesFixtures.SQUARE))
                // Monday 19:00 to Tuesday 07:00 London time (GMT in November).
                .addCurfews(Curfew.newBuilder().setCurfewId(curfew)
                        .addWindows(CurfewWindow.newBuilder().setStartDay(1).setStartTime("19:00").setEndTime("07:00")))
                .build());
        // Away in the afternoon: no curfew, nothing.
        assertThat(feed(subject, OUT_LAT, OUT_LON, 8, false, Instant.parse("2026-11-16T15:00:00Z"), 10)).isZero();
        // Away at 22:00: curfew breach after the dwell.
        assertThat(feed(subject, OUT_LAT, OUT_LON, 8, false, Instant.parse("2026-11-16T22:00:00Z"), 5)).isEqualTo(1);
        Alert open = alertsOf(subject).get(0);
        assertThat(open.getKind()).isEqualTo(AlertKind.ALERT_KIND_CURFEW_BREACH);
        assertThat(open.getConditionId()).isEqualTo(curfew);

        // No fix after the curfew ends at 07:00; the clock closes the breach.
        advanceCurfews(Instant.parse("2026-11-17T06:59:00Z"));
        assertThat(alertsOf(subject).get(0).hasClosedAt()).isFalse();
        advanceCurfews(Instant.parse("2026-11-17T07:00:00Z"));
        Alert closed = alertsOf(subject).get(0);
        assertThat(closed.getClosedAt().getSeconds()).isEqualTo(Instant.parse("2026-11-17T07:00:00Z").getEpochSecond());
        assertThat(closed.getDurationSeconds()).isEqualTo(9 * 3600);
    }

    @Test
    void aWindowWhoseEndEqualsItsStartIsAWholeDayOfCurfew() {
        String subject = UUID.randomUUID().toString();
        String curfew = UUID.randomUUID().toString();
        // Monday 07:00 to Tuesday 07:00: the proto reads equal times as a whole day, and so do both validators.
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(PutSubjectConditionsRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(RulesFixtures.AGENCY).setOrderId(UUID.randomUUID().toString())
                .setTimeZone("Europe/London").setVersion(1).setActive(true)
                .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_HOME)
                        .setGeojson(RulesFixtures.SQUARE))
                .addCurfews(Curfew.newBuilder().setCurfewId(curfew)
                        .addWindows(CurfewWindow.newBuilder().setStartDay(1).setStartTime("07:00").setEndTime("07:00")))
                .build());
        // Monday 06:00, before the window: nothing.
        assertThat(feed(subject, OUT_LAT, OUT_LON, 8, false, Instant.parse("2026-11-16T06:00:00Z"), 10)).isZero();
        // Away on Monday afternoon, inside the whole-day window: a curfew breach.
        assertThat(feed(subject, OUT_LAT, OUT_LON, 8, false, Instant.parse("2026-11-16T15:00:00Z"), 5)).isEqualTo(1);
        assertThat(alertsOf(subject).get(0).getKind()).isEqualTo(AlertKind.ALERT_KIND_CURFEW_BREACH);
        // In force until Tuesday 07:00, not a minute less.
        advanceCurfews(Instant.parse("2026-11-17T06:59:00Z"));
        assertThat(alertsOf(subject).get(0).hasClosedAt()).isFalse();
        advanceCurfews(Instant.parse("2026-11-17T07:00:00Z"));
        Alert closed = alertsOf(subject).get(0);
        assertThat(closed.getClosedAt().getSeconds()).isEqualTo(Instant.parse("2026-11-17T07:00:00Z").getEpochSecond());
        assertThat(closed.getDurationSeconds()).isEqualTo(16 * 3600);
    }

    void advanceCurfews(Instant now) {
        try {
            VertxContextSupport.subscribeAndAwait(() -> evaluation.advanceCurfews(now));
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void rejectsACurfewWithoutAHomeZoneAndABadWindowNamingTheField() {
        PutSubjectConditionsRequest.Builder r = PutSubjectConditionsRequest.newBuilder()
                .setSubjectId(UUID.randomUUID().toString()).setOwningAgencyId(RulesFixtures.AGENCY).setOrderId(UUID.randomUUID().toString())
                .setTimeZone("Europe/London").setVersion(1).setActive(true)
                .addCurfews(Curfew.newBuilder().setCurfewId(UUID.randomUUID().toString())
                        .addWindows(CurfewWindow.newBuilder().setStartDay(1).setStartTime("19:00").setEndTime("07:00")));
        RulesFixtures.assertStatus(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(r.build()), Status.Code.INVALID_ARGUMENT,
                "curfews[0]: a curfew needs a zone of kind HOME among zones");
        r.addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_HOME).setGeojson(RulesFixtures.SQUARE));
        r.setCurfews(0, r.getCurfews(0).toBuilder().setWindows(0, CurfewWindow.newBuilder().setStartDay(8).setStartTime("19:00").setEndTime("07:00")));
        RulesFixtures.assertStatus(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(r.build()), Status.Code.INVALID_ARGUMENT,
                "curfews[0].windows[0].start_day: must be 1 (Monday) to 7 (Sunday), got 8");
        r.setCurfews(0, r.getCurfews(0).toBuilder().setWindows(0, CurfewWindow.newBuilder().setStartDay(1).setStartTime("19:00").setEndTime("07:00")));
        r.setTimeZone("Mars/Olympus");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(r.build()), Status.Code.INVALID_ARGUMENT,
                "time_zone: must be an IANA time zone (e.g. Europe/London), got 'Mars/Olympus'");
    }

    @Test
    void endingMonitoringClosesTheOpenBreach() {
        String subject = UUID.randomUUID().toString();
        PutSubjectConditionsRequest active = PutSubjectConditionsRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(RulesFixtures.AGENCY).setOrderId(UUID.randomUUID().toString())
                .setTimeZone("Europe/London").setVersion(1).setActive(true)
                .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_EXCLUSION)
                        .setGeojson(RulesFixtures.SQUARE))
                .build();
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(active);
        assertThat(feed(subject, IN_LAT, IN_LON, 8, false, T0, 5)).isEqualTo(1);
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(active.toBuilder().setVersion(2).setActive(false).build());
        assertThat(alertsOf(subject).get(0).hasClosedAt()).isTrue();
        // And no further alerts: monitoring has ended.
        assertThat(feed(subject, IN_LAT, IN_LON, 8, false, T0.plusSeconds(3600), 10)).isZero();
    }

    @Test
    void rejectsABadFixOrCurfewExceptionNamingTheFieldAndEvaluatesNothingOfTheBatch() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        EvaluateFixesRequest stay = RulesGrpcServiceTest.stay(subject, IN_LAT, IN_LON, T0, 5);
        EvaluateFixesRequest bad = stay.toBuilder().setFixes(4, stay.getFixes(4).toBuilder().setAccuracyMetres(-3)).build();
        RulesFixtures.assertStatus(() -> RulesFixtures.fromLocation(channel).evaluateFixes(bad), Status.Code.INVALID_ARGUMENT, null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulesFixtures.fromLocation(channel).evaluateFixes(bad))
                .hasMessageContaining("fixes[4].accuracy_metres: must be within [0, ");
        assertThat(alertsOf(subject)).isEmpty();
        // Nothing of the rejected batch was recorded as evaluated: the same fixes, corrected, open the alert.
        assertThat(RulesFixtures.fromLocation(channel).evaluateFixes(stay).getAlertsOpened()).isEqualTo(1);

        PutSubjectConditionsRequest withException = PutSubjectConditionsRequest.newBuilder()
                .setSubjectId(UUID.randomUUID().toString()).setOwningAgencyId(RulesFixtures.AGENCY).setOrderId(UUID.randomUUID().toString())
                .setTimeZone("Europe/London").setVersion(1).setActive(true)
                .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_HOME).setGeojson(RulesFixtures.SQUARE))
                .addCurfews(Curfew.newBuilder().setCurfewId(UUID.randomUUID().toString())
                        .addWindows(CurfewWindow.newBuilder().setStartDay(1).setStartTime("19:00").setEndTime("07:00"))
                        .addExceptions(io.sentinel.api.common.v1.CurfewException.newBuilder()
                                .setStart(io.sentinel.common.util.Timestamps.of(T0.plusSeconds(3600)))
                                .setEnd(io.sentinel.common.util.Timestamps.of(T0))))
                .build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(withException))
                .hasMessageStartingWith("INVALID_ARGUMENT: curfews[0].exceptions[0].end: ");
    }
}
