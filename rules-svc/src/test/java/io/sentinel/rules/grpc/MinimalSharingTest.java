package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.internal.v1.CheckInEventKind;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertSeverity;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.api.rules.v1.GetAlertRequest;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.ListAlertsResponse;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/**
 * Minimal sharing: a grant for alerts alone shares alerts without what locates the subject, a
 * location-trail grant as well shares them in full, the owning agency always sees them in full; a
 * reviewer reads check-in alerts only. Through the real gRPC channel, REST and the live feed.
 */
@QuarkusTest
class MinimalSharingTest {
    static final String AGENCY = RulesFixtures.AGENCY;
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static String police() {
        return "police-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String partnerToken(String police) {
        return TestTokens.token("pc-1", police, "partner");
    }

    static String aliceToken() {
        return TestTokens.token("alice", AGENCY, "caseworker");
    }

    static String ritaToken() {
        return TestTokens.token("rita", AGENCY, "reviewer");
    }

    /** Stays inside the subject's exclusion zone past the dwell: one EXCLUSION_ZONE_ENTERED alert, which the owning agency reads. */
    Alert zoneAlert(String subject) {
        assertThat(RulesFixtures.fromLocation(channel).evaluateFixes(RulesGrpcServiceTest.stay(subject, RulesFixtures.IN_LAT,
                RulesFixtures.IN_LON, T0, 5)).getAlertsOpened()).isEqualTo(1);
        List<Alert> alerts = RulesFixtures.as(channel, aliceToken()).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject)
                .setKind(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED).build()).getAlertsList();
        assertThat(alerts).hasSize(1);
        return alerts.get(0);
    }

    /** Leaves the zone for the clearing dwell: the breach closes. */
    void leaveZone(String subject) {
        RulesFixtures.fromLocation(channel).evaluateFixes(RulesGrpcServiceTest.stay(subject, RulesFixtures.OUT_LAT, RulesFixtures.OUT_LON,
                T0.plusSeconds(150), 4));
    }

    String overdue(String subject) {
        return RulesFixtures.fromEnrollment(channel).recordReviewOverdue(RecordReviewOverdueRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setOrderId(UUID.randomUUID().toString())
                .setReviewDueAt(Timestamps.of(T0)).build()).getAlertId();
    }

    String checkIn(String subject, CheckInEventKind kind) {
        RecordCheckInEventRequest.Builder r = RecordCheckInEventRequest.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSubjectId(subject).setKind(kind).setOccurredAt(Timestamps.of(T0)).setCheckInId(UUID.randomUUID().toString());
        if (kind == CheckInEventKind.CHECK_IN_EVENT_KIND_FAILED_CONFIRMED) {
            r.setReviewedBy("rita");
        }
        return RulesFixtures.fromBiometric(channel).recordCheckInEvent(r.build()).getAlertId();
    }

    static PutSharingGrantsRequest.Builder grant(PutSharingGrantsRequest.Builder b, String agency, Instant until, DataCategory... categories) {
        return b.addGrants(SharingGrant.newBuilder().setGrantId(UUID.randomUUID().toString()).setAgencyId(agency)
                .addAllCategories(List.of(categories)).setPurpose("joint public-protection case 2026/118").setValidUntil(Timestamps.of(until)));
    }

    static PutSharingGrantsRequest.Builder grants(String subject, long version) {
        return PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(AGENCY).setVersion(version);
    }

    /** Nothing that locates the subject: no triggering fix, and no breach times or detail of a zone breach. */
    static void assertWithoutLocation(Alert a) {
        assertThat(a.hasPosition()).as("position").isFalse();
        assertThat(a.getAccuracyMetres()).as("accuracy_metres").isZero();
        assertThat(a.hasFixTime()).as("fix_time").isFalse();
        assertThat(a.getFixId()).as("fix_id").isZero();
        assertThat(a.getDeviceId()).as("device_id").isEmpty();
        assertThat(a.hasBreachStartedAt()).as("breach_started_at").isFalse();
        assertThat(a.hasClosedAt()).as("closed_at").isFalse();
        assertThat(a.getDurationSeconds()).as("duration_seconds").isZero();
        assertThat(a.getDetail()).as("detail").isEmpty();
    }

    /** The same alert as the owning agency sees it, with what minimal sharing keeps. */
    static void assertKeeps(Alert shown, Alert full) {
        assertThat(shown.getAlertId()).isEqualTo(full.getAlertId());
        assertThat(shown.getSubjectId()).isEqualTo(full.getSubjectId());
        assertThat(shown.getOwningAgencyId()).isEqualTo(AGENCY);
        assertThat(shown.getKind()).isEqualTo(full.getKind());
        assertThat(shown.getConditionId()).isEqualTo(full.getConditionId());
        assertThat(shown.getState()).isEqualTo(full.getState());
        assertThat(shown.getOpenedAt()).isEqualTo(full.getOpenedAt());
        assertThat(shown.getSeverity()).isEqualTo(full.getSeverity());
    }

    /** The zone alert as its owner sees it: the triggering fix and the breach's start are there. */
    static void assertFull(Alert a) {
        assertThat(a.getPosition().getLatitude()).isEqualTo(RulesFixtures.IN_LAT);
        assertThat(a.getPosition().getLongitude()).isEqualTo(RulesFixtures.IN_LON);
        assertThat(a.getAccuracyMetres()).isEqualTo(8);
        assertThat(a.hasFixTime()).isTrue();
        assertThat(a.getFixId()).isPositive();
        assertThat(a.getDeviceId()).isNotEmpty();
        assertThat(a.getBreachStartedAt()).isEqualTo(Timestamps.of(T0));
        assertThat(a.getDetail()).startsWith("evidence_fixes=");
    }

    static Alert onlyAlert(ListAlertsResponse r) {
        assertThat(r.getAlertsList()).hasSize(1);
        return r.getAlerts(0);
    }

    static ListAlertsResponse restList(String token, String query) {
        return restList(token, null, query);
    }

    /** GET /api/v1/alerts as the token's caller, stating a purpose and reference, under {@code grantId} when not null. */
    static ListAlertsResponse restList(String token, String grantId, String query) {
        String body = RulesFixtures.rest(token, grantId).get("/api/v1/alerts?" + query).then().statusCode(200).extract().asString();
        return ProtoJson.parse(body, ListAlertsResponse.newBuilder()).build();
    }

    static String restGetBody(String token, String alertId) {
        return restGetBody(token, null, alertId);
    }

    static String restGetBody(String token, String grantId, String alertId) {
        return RulesFixtures.rest(token, grantId).get("/api/v1/alerts/" + alertId).then().statusCode(200).extract().asString();
    }

    static Alert restGet(String token, String alertId) {
        return restGet(token, null, alertId);
    }

    static Alert restGet(String token, String grantId, String alertId) {
        return ProtoJson.parse(restGetBody(token, grantId, alertId), Alert.newBuilder()).build();
    }

    /** Puts the grants; returns the id of the first, the one the tests' partner cites. */
    String share(PutSharingGrantsRequest grants) {
        RulesFixtures.subjectData(channel).putSharingGrants(grants);
        return grants.getGrants(0).getGrantId();
    }

    /** A live subscription to the feed, as the token's caller, collecting events. */
    final class LiveFeed implements AutoCloseable {
        final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final Context.CancellableContext context = Context.current().withCancellation();

        LiveFeed(String token, String grantId, long afterCursor) {
            context.run(() -> RulesFixtures.justified(RulesServiceGrpc.newStub(channel).withCallCredentials(GrpcTestChannels.bearer(token)),
                    RulesFixtures.PURPOSE, RulesFixtures.REFERENCE, grantId)
                    .subscribeAlerts(SubscribeAlertsRequest.newBuilder().setAfterCursor(afterCursor).build(), new StreamObserver<AlertEvent>() {
                        @Override
                        public void onNext(AlertEvent value) {
                            events.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            events.add(t);
                        }

                        @Override
                        public void onCompleted() {
                            events.add("completed");
                        }
                    }));
        }

        /** The events that {@code keep} accepts, up to and including the first that {@code until} accepts. */
        List<AlertEvent> until(Predicate<AlertEvent> keep, Predicate<AlertEvent> until) throws InterruptedException {
            List<AlertEvent> kept = new ArrayList<>();
            while (true) {
                Object o = events.poll(20, TimeUnit.SECONDS);
                assertThat(o).as("the awaited event arrives").isInstanceOf(AlertEvent.class);
                AlertEvent e = (AlertEvent) o;
                if (keep.test(e)) {
                    kept.add(e);
                }
                if (until.test(e)) {
                    return kept;
                }
            }
        }

        @Override
        public void close() {
            context.cancel(null);
        }
    }

    @Test
    void aPartnerHoldingOnlyAlertsReceivesNoPositionsThroughListGetRestAndTheLiveFeed() throws Exception {
        String police = police();
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String grantId = share(grant(grants(subject, 1), police, Instant.now().plus(Duration.ofDays(30)),
                DataCategory.DATA_CATEGORY_ALERTS).build());
        try (LiveFeed feed = new LiveFeed(partnerToken(police), grantId, 0)) {
            // The alert opens while the partner's feed is open: it arrives live, without locations.
            Alert full = zoneAlert(subject);
            assertFull(full);
            AlertEvent opened = feed.until(e -> true, e -> e.getAlert().getAlertId().equals(full.getAlertId())).get(0);
            assertThat(opened.getType()).isEqualTo(AlertEventType.ALERT_EVENT_TYPE_OPENED);
            assertWithoutLocation(opened.getAlert());
            assertKeeps(opened.getAlert(), full);
            assertThat(opened.getAlert().getSeverity()).isEqualTo(AlertSeverity.ALERT_SEVERITY_HIGH);

            // The breach ends: its CLOSED event would tell when the subject left, so it never comes;
            // the next shared alert does. The owning agency's feed carries both, in full.
            leaveZone(subject);
            String marker = overdue(subject);
            List<AlertEvent> seen = feed.until(e -> true, e -> e.getAlert().getAlertId().equals(marker));
            assertThat(seen).extracting(AlertEvent::getType).containsExactly(AlertEventType.ALERT_EVENT_TYPE_OPENED);
            List<AlertEvent> owners = RulesFixtures.readFeed(RulesFixtures.as(channel, aliceToken()), opened.getCursor() - 1,
                    e -> e.getAlert().getSubjectId().equals(subject), e -> e.getAlert().getAlertId().equals(marker));
            assertThat(owners).extracting(AlertEvent::getType).containsExactly(AlertEventType.ALERT_EVENT_TYPE_OPENED,
                    AlertEventType.ALERT_EVENT_TYPE_CLOSED, AlertEventType.ALERT_EVENT_TYPE_OPENED);
            assertFull(owners.get(0).getAlert());
            assertThat(owners.get(1).getAlert().getDurationSeconds()).isPositive();
            assertThat(owners.get(1).getAlert().hasClosedAt()).isTrue();

            // A feed reopened from the start replays the same: the alert without locations, no CLOSED.
            List<AlertEvent> replayed = RulesFixtures.readFeed(RulesFixtures.asPartner(channel, partnerToken(police), grantId), 0, e -> true,
                    e -> e.getAlert().getAlertId().equals(marker));
            assertThat(replayed).extracting(AlertEvent::getType).containsExactly(AlertEventType.ALERT_EVENT_TYPE_OPENED,
                    AlertEventType.ALERT_EVENT_TYPE_OPENED);
            assertWithoutLocation(replayed.get(0).getAlert());
        }

        // List and get, over gRPC and REST: the alert (closed by now) without locations.
        Alert closed = RulesFixtures.as(channel, aliceToken()).getAlert(GetAlertRequest.newBuilder()
                .setAlertId(zoneAlertId(subject)).build()).getAlert();
        assertThat(closed.hasClosedAt()).as("the owning agency sees the breach's end").isTrue();
        assertFull(closed);
        RulesServiceGrpc.RulesServiceBlockingStub partner = RulesFixtures.asPartner(channel, partnerToken(police), grantId);
        Alert listed = onlyAlert(partner.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject)
                .setKind(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED).build()));
        assertWithoutLocation(listed);
        assertKeeps(listed, closed);
        Alert got = partner.getAlert(GetAlertRequest.newBuilder().setAlertId(closed.getAlertId()).build()).getAlert();
        assertWithoutLocation(got);
        assertKeeps(got, closed);
        Alert restListed = onlyAlert(restList(partnerToken(police), grantId, "subjectId=" + subject + "&kind=exclusion_zone_entered"));
        assertWithoutLocation(restListed);
        assertKeeps(restListed, closed);
        String body = restGetBody(partnerToken(police), grantId, closed.getAlertId());
        assertThat(body).doesNotContain("position", "latitude", "fixTime", "fixId", "deviceId", "accuracyMetres", "breachStartedAt",
                "closedAt", "durationSeconds", "detail");
        assertKeeps(restGet(partnerToken(police), grantId, closed.getAlertId()), closed);
        // The owning agency's REST read carries them.
        assertFull(restGet(aliceToken(), closed.getAlertId()));
        assertThat(restGetBody(aliceToken(), closed.getAlertId())).contains("\"position\"", "\"closedAt\"");
    }

    String zoneAlertId(String subject) {
        return onlyAlert(RulesFixtures.as(channel, aliceToken()).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject)
                .setKind(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED).build())).getAlertId();
    }

    @Test
    void aPartnerThatAlsoHoldsAnUnexpiredLocationTrailGrantGetsTheFullAlert() throws Exception {
        String police = police();
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        Instant month = Instant.now().plus(Duration.ofDays(30));
        // One grant naming both categories.
        String grantId = share(grant(grants(subject, 1), police, month,
                DataCategory.DATA_CATEGORY_ALERTS, DataCategory.DATA_CATEGORY_LOCATION_TRAIL).build());
        RulesServiceGrpc.RulesServiceBlockingStub partner = RulesFixtures.asPartner(channel, partnerToken(police), grantId);
        Alert full;
        try (LiveFeed feed = new LiveFeed(partnerToken(police), grantId, 0)) {
            full = zoneAlert(subject);
            AlertEvent opened = feed.until(e -> true, e -> e.getAlert().getAlertId().equals(full.getAlertId())).get(0);
            assertThat(opened.getAlert()).isEqualTo(full);
            // It sees the breach end too.
            leaveZone(subject);
            AlertEvent closedEvent = feed.until(e -> e.getType() == AlertEventType.ALERT_EVENT_TYPE_CLOSED,
                    e -> e.getType() == AlertEventType.ALERT_EVENT_TYPE_CLOSED).get(0);
            assertThat(closedEvent.getAlert().getAlertId()).isEqualTo(full.getAlertId());
            assertThat(closedEvent.getAlert().hasClosedAt()).isTrue();
        }
        Alert closed = RulesFixtures.as(channel, aliceToken()).getAlert(GetAlertRequest.newBuilder().setAlertId(full.getAlertId()).build())
                .getAlert();
        assertThat(onlyAlert(partner.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build()))).isEqualTo(closed);
        assertThat(partner.getAlert(GetAlertRequest.newBuilder().setAlertId(full.getAlertId()).build()).getAlert()).isEqualTo(closed);
        assertThat(onlyAlert(restList(partnerToken(police), grantId, "subjectId=" + subject))).isEqualTo(closed);
        assertThat(restGet(partnerToken(police), grantId, full.getAlertId())).isEqualTo(closed);

        // Two grants, one per category, both in force: still in full.
        String v2 = share(grant(grant(grants(subject, 2), police, month, DataCategory.DATA_CATEGORY_ALERTS),
                police, month, DataCategory.DATA_CATEGORY_LOCATION_TRAIL).build());
        partner = RulesFixtures.asPartner(channel, partnerToken(police), v2);
        assertThat(partner.getAlert(GetAlertRequest.newBuilder().setAlertId(full.getAlertId()).build()).getAlert()).isEqualTo(closed);

        // The location-trail grant expired, the alerts grant in force: the alert without locations again.
        String v3 = share(grant(grant(grants(subject, 3), police, month, DataCategory.DATA_CATEGORY_ALERTS),
                police, Instant.now().minusSeconds(60), DataCategory.DATA_CATEGORY_LOCATION_TRAIL).build());
        partner = RulesFixtures.asPartner(channel, partnerToken(police), v3);
        assertWithoutLocation(partner.getAlert(GetAlertRequest.newBuilder().setAlertId(full.getAlertId()).build()).getAlert());
        assertWithoutLocation(onlyAlert(partner.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build())));
        List<AlertEvent> replayed = RulesFixtures.readFeed(partner, 0, e -> true, e -> e.getAlert().getAlertId().equals(full.getAlertId()));
        assertWithoutLocation(replayed.get(replayed.size() - 1).getAlert());

        // A location-trail grant for another agency gives this one nothing.
        String v4 = share(grant(grant(grants(subject, 4), police, month, DataCategory.DATA_CATEGORY_ALERTS),
                police(), month, DataCategory.DATA_CATEGORY_LOCATION_TRAIL).build());
        partner = RulesFixtures.asPartner(channel, partnerToken(police), v4);
        assertWithoutLocation(partner.getAlert(GetAlertRequest.newBuilder().setAlertId(full.getAlertId()).build()).getAlert());
    }

    @Test
    void eventsHiddenFromASubscriberDoNotMakeItsFeedSkipWhatFollowsThem() {
        String police = police();
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String grantId = share(grant(grants(subject, 1), police, Instant.now().plus(Duration.ofDays(30)),
                DataCategory.DATA_CATEGORY_ALERTS).build());
        String zone = zoneAlert(subject).getAlertId();
        // More CLOSED events of the zone breach than one feed read holds (500), none of them for the partner's eyes...
        RulesFixtures.psql("insert into alert_event (alert_id, owning_agency_id, state, at, type) select '" + zone + "', '" + AGENCY
                + "', 'ALERT_STATE_OPEN', now(), 'ALERT_EVENT_TYPE_CLOSED' from generate_series(1, 600)");
        // ...and then one it may see: a read of hidden events only is still a full read, and the next one follows at once.
        String marker = overdue(subject);
        List<AlertEvent> seen = RulesFixtures.readFeed(RulesFixtures.asPartner(channel, partnerToken(police), grantId), 0, e -> true,
                e -> e.getAlert().getAlertId().equals(marker));
        assertThat(seen).extracting(e -> e.getAlert().getAlertId()).containsExactly(zone, marker);
    }

    @Test
    void aReviewerReadsCheckInAlertsOnlyAndWithoutLocations() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String zone = zoneAlert(subject).getAlertId();
        String missed = checkIn(subject, CheckInEventKind.CHECK_IN_EVENT_KIND_MISSED);
        String failed = checkIn(subject, CheckInEventKind.CHECK_IN_EVENT_KIND_FAILED_CONFIRMED);
        String review = overdue(subject);
        RulesServiceGrpc.RulesServiceBlockingStub rita = RulesFixtures.as(channel, ritaToken());

        // List: the check-in alerts only, each without locations (they carry none anyway), with their times and detail.
        List<Alert> listed = rita.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build()).getAlertsList();
        assertThat(listed).extracting(Alert::getAlertId).containsExactlyInAnyOrder(missed, failed);
        for (Alert a : listed) {
            assertThat(a.hasPosition()).isFalse();
            assertThat(a.hasFixTime()).isFalse();
            assertThat(a.getFixId()).isZero();
            assertThat(a.getDeviceId()).isEmpty();
            assertThat(a.getBreachStartedAt()).isEqualTo(Timestamps.of(T0));
        }
        assertThat(listed).filteredOn(a -> a.getAlertId().equals(failed)).singleElement()
                .satisfies(a -> assertThat(a.getDetail()).isEqualTo("confirmed_by=rita"));
        // Pages hold check-in alerts only too.
        ListAlertsResponse first = rita.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).setPageSize(1).build());
        ListAlertsResponse second = rita.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).setPageSize(1)
                .setPageToken(first.getNextPageToken()).build());
        assertThat(List.of(onlyAlert(first).getAlertId(), onlyAlert(second).getAlertId())).containsExactlyInAnyOrder(missed, failed);
        assertThat(rita.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).setPageSize(1)
                .setPageToken(second.getNextPageToken()).build()).getAlertsList()).isEmpty();
        assertThat(onlyAlert(rita.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject)
                .setKind(AlertKind.ALERT_KIND_CHECK_IN_MISSED).build())).getAlertId()).isEqualTo(missed);

        // Another kind asked for by name is refused, naming the reason.
        RulesFixtures.assertStatus(() -> rita.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject)
                .setKind(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED).build()), Status.Code.PERMISSION_DENIED,
                "a reviewer may read check-in alerts only, not ALERT_KIND_EXCLUSION_ZONE_ENTERED");
        for (String other : List.of(zone, review)) {
            RulesFixtures.assertStatus(() -> rita.getAlert(GetAlertRequest.newBuilder().setAlertId(other).build()),
                    Status.Code.PERMISSION_DENIED, "a reviewer may read check-in alerts only");
        }
        Alert got = rita.getAlert(GetAlertRequest.newBuilder().setAlertId(missed).build()).getAlert();
        assertThat(got.getKind()).isEqualTo(AlertKind.ALERT_KIND_CHECK_IN_MISSED);
        assertThat(got.hasPosition()).isFalse();
        assertThat(got.getState()).isEqualTo(AlertState.ALERT_STATE_OPEN);
        // Each refusal is audited, naming the subject and why.
        assertThat(RulesFixtures.psql("select count(*) from audit_entry where action = 'alert.read' and actor = 'rita' and outcome = 'refused'"
                + " and '" + subject + "' = any(subject_ids) and detail = 'a reviewer may read check-in alerts only'")).isEqualTo("2");

        // The same over REST.
        assertThat(restList(ritaToken(), "subjectId=" + subject).getAlertsList()).extracting(Alert::getAlertId)
                .containsExactlyInAnyOrder(missed, failed);
        RulesFixtures.rest(ritaToken()).get("/api/v1/alerts/" + zone).then().statusCode(403)
                .body("detail", equalTo("a reviewer may read check-in alerts only"));
        RulesFixtures.rest(ritaToken()).get("/api/v1/alerts?subjectId=" + subject + "&kind=curfew_breach").then()
                .statusCode(403).body("detail", equalTo("a reviewer may read check-in alerts only, not ALERT_KIND_CURFEW_BREACH"));
        assertThat(restGet(ritaToken(), failed).getDetail()).isEqualTo("confirmed_by=rita");

        // A reviewer of another agency sees none of it; the feed stays closed to reviewers.
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, TestTokens.token("rob", "agency-b", "reviewer"))
                .getAlert(GetAlertRequest.newBuilder().setAlertId(missed).build()), Status.Code.NOT_FOUND, null);
        RulesFixtures.assertStatus(() -> rita.withDeadlineAfter(5, TimeUnit.SECONDS)
                .subscribeAlerts(SubscribeAlertsRequest.getDefaultInstance()).hasNext(), Status.Code.PERMISSION_DENIED, null);
    }

    @Test
    void aCaseworkerSeesEveryKindInFullEvenWhenAlsoAReviewer() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String zone = zoneAlert(subject).getAlertId();
        String missed = checkIn(subject, CheckInEventKind.CHECK_IN_EVENT_KIND_MISSED);
        String review = overdue(subject);
        for (String token : List.of(aliceToken(), TestTokens.token("carol", AGENCY, "caseworker", "reviewer"))) {
            RulesServiceGrpc.RulesServiceBlockingStub reader = RulesFixtures.as(channel, token);
            List<Alert> listed = reader.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build()).getAlertsList();
            assertThat(listed).extracting(Alert::getAlertId).containsExactlyInAnyOrder(zone, missed, review);
            assertFull(listed.stream().filter(a -> a.getAlertId().equals(zone)).findFirst().orElseThrow());
            assertFull(reader.getAlert(GetAlertRequest.newBuilder().setAlertId(zone).build()).getAlert());
            assertThat(restList(token, "subjectId=" + subject).getAlertsList()).hasSize(3);
        }
    }
}
