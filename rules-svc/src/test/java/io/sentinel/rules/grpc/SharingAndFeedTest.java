package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import io.sentinel.common.testing.TestTokens;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.GetAlertRequest;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;

/** Who sees which alerts (sharing grants) and resuming the feed from a cursor. */
@QuarkusTest
class SharingAndFeedTest {
    static final String AGENCY = RulesFixtures.AGENCY;
    static final String PARTNER = "agency-partner";

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    String overdue(String subject) {
        return RulesFixtures.fromEnrollment(channel).recordReviewOverdue(RecordReviewOverdueRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setOrderId(UUID.randomUUID().toString())
                .setReviewDueAt(Timestamps.of(Instant.parse("2026-11-01T00:00:00Z"))).build()).getAlertId();
    }

    List<String> partnerSees(String subject) {
        return RulesFixtures.caseworker(channel, PARTNER).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build())
                .getAlertsList().stream().map(a -> a.getAlertId()).toList();
    }

    @Test
    void anotherAgencySeesASubjectsAlertsOnlyWhileItHoldsAnUnexpiredGrantForAlerts() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String alert = overdue(subject);
        RulesServiceGrpc.RulesServiceBlockingStub partner = RulesFixtures.caseworker(channel, PARTNER);

        // No grant: nothing in list, get or feed. The feed is read up to a marker alert of the partner's own subject.
        assertThat(partnerSees(subject)).isEmpty();
        RulesFixtures.assertStatus(() -> partner.getAlert(GetAlertRequest.newBuilder().setAlertId(alert).build()), Status.Code.NOT_FOUND, null);
        String marker = overdue(RulesFixtures.subjectWithExclusionZone(channel, PARTNER));
        assertThat(RulesFixtures.readFeed(partner, 0, e -> e.getAlert().getSubjectId().equals(subject),
                e -> e.getAlert().getAlertId().equals(marker))).isEmpty();

        // A grant for other categories only: still nothing.
        RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 1, PARTNER, Instant.now().plus(Duration.ofDays(30)),
                DataCategory.DATA_CATEGORY_CONDITIONS, DataCategory.DATA_CATEGORY_LOCATION_TRAIL));
        assertThat(partnerSees(subject)).isEmpty();

        // A grant covering alerts: list, get and feed show it.
        assertThat(RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 2, PARTNER,
                Instant.now().plus(Duration.ofDays(30)), DataCategory.DATA_CATEGORY_ALERTS)).getVersion()).isEqualTo(2);
        assertThat(partnerSees(subject)).containsExactly(alert);
        assertThat(partner.getAlert(GetAlertRequest.newBuilder().setAlertId(alert).build()).getAlert().getAlertId()).isEqualTo(alert);
        assertThat(RulesFixtures.readFeed(partner, 0, e -> e.getAlert().getSubjectId().equals(subject),
                e -> e.getAlert().getAlertId().equals(alert))).hasSize(1);

        // An older version changes nothing.
        assertThat(RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 1, null, null)).getVersion()).isEqualTo(2);
        assertThat(partnerSees(subject)).containsExactly(alert);

        // An expired grant: nothing again.
        RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 3, PARTNER, Instant.now().minusSeconds(60),
                DataCategory.DATA_CATEGORY_ALERTS));
        assertThat(partnerSees(subject)).isEmpty();
        RulesFixtures.assertStatus(() -> partner.getAlert(GetAlertRequest.newBuilder().setAlertId(alert).build()), Status.Code.NOT_FOUND, null);
    }

    @Test
    void aReconnectingSubscriberResumesFromItsCursorWithoutGapsOrRepeats() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        List<String> alerts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            alerts.add(overdue(subject));
        }
        RulesServiceGrpc.RulesServiceBlockingStub alice = RulesFixtures.caseworker(channel, AGENCY);
        String last = alerts.get(alerts.size() - 1);
        List<AlertEvent> all = RulesFixtures.readFeed(alice, 0, e -> true, e -> e.getAlert().getAlertId().equals(last));
        List<AlertEvent> mine = all.stream().filter(e -> e.getAlert().getSubjectId().equals(subject)).toList();
        assertThat(mine).extracting(e -> e.getAlert().getAlertId()).containsExactlyElementsOf(alerts);

        // Disconnect after the third of ours; reconnect with its cursor.
        long cursor = mine.get(2).getCursor();
        List<AlertEvent> resumed = RulesFixtures.readFeed(alice, cursor, e -> true, e -> e.getAlert().getAlertId().equals(last));
        List<AlertEvent> expected = all.stream().filter(e -> e.getCursor() > cursor).toList();
        assertThat(resumed).extracting(AlertEvent::getCursor).containsExactlyElementsOf(expected.stream().map(AlertEvent::getCursor).toList());
        assertThat(resumed).extracting(e -> e.getAlert().getAlertId()).containsSubsequence(alerts.subList(3, 6));
        // Cursors strictly increase.
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).getCursor()).isGreaterThan(all.get(i - 1).getCursor());
        }

        // New events after resuming arrive on the live stream too.
        String later = overdue(subject);
        long lastCursor = resumed.get(resumed.size() - 1).getCursor();
        List<AlertEvent> live = RulesFixtures.readFeed(alice, lastCursor, e -> true, e -> e.getAlert().getAlertId().equals(later));
        assertThat(live.get(0).getCursor()).isGreaterThan(lastCursor);
        assertThat(live).extracting(e -> e.getAlert().getAlertId()).contains(later);
    }

    @Test
    void anEventCommittedAfterALaterOneIsDeliveredAfterIt() throws Exception {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String slowAlert = overdue(subject);
        RulesServiceGrpc.RulesServiceBlockingStub alice = RulesFixtures.caseworker(channel, AGENCY);
        // A slow writer (another replica, say) adds a feed event first and commits three seconds later.
        Process slow = RulesFixtures.psqlInBackground("begin; insert into alert_event (alert_id, owning_agency_id, state, at, type)"
                + " values ('" + slowAlert + "', '" + AGENCY + "', 'ALERT_STATE_OPEN', now(), 'ALERT_EVENT_TYPE_ESCALATED');"
                + " select pg_sleep(3); commit;", "PgSleep");
        // Meanwhile a fast writer's event commits, and a subscriber reads past it.
        String fastAlert = overdue(subject);
        List<AlertEvent> seen = RulesFixtures.readFeed(alice, 0, e -> true, e -> e.getAlert().getAlertId().equals(fastAlert));
        long cursor = seen.get(seen.size() - 1).getCursor();
        assertThat(slow.isAlive()).as("the slow writer had not committed yet").isTrue();
        assertThat(slow.waitFor(10, TimeUnit.SECONDS)).isTrue();

        // Resuming after the fast event still delivers the slow one: it is numbered when it commits.
        List<AlertEvent> resumed = RulesFixtures.readFeed(alice, cursor, e -> e.getAlert().getSubjectId().equals(subject),
                e -> e.getAlert().getAlertId().equals(slowAlert));
        assertThat(resumed).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo(AlertEventType.ALERT_EVENT_TYPE_ESCALATED);
            assertThat(e.getCursor()).isGreaterThan(cursor);
        });
    }

    @Test
    void rejectsBadGrantsNamingTheFieldAndKeepsThePreviousOnes() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String alert = overdue(subject);
        RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 1, PARTNER, Instant.now().plus(Duration.ofDays(1)),
                DataCategory.DATA_CATEGORY_ALERTS));
        PutSharingGrantsRequest good = RulesFixtures.grants(subject, 2, PARTNER, Instant.now().plus(Duration.ofDays(1)),
                DataCategory.DATA_CATEGORY_ALERTS);
        SharingGrant g = good.getGrants(0);
        var svc = RulesFixtures.subjectData(channel);
        RulesFixtures.assertStatus(() -> svc.putSharingGrants(good.toBuilder().setSubjectId("x").build()), Status.Code.INVALID_ARGUMENT, null);
        RulesFixtures.assertStatus(() -> svc.putSharingGrants(good.toBuilder().setGrants(0, g.toBuilder().setPurpose("")).build()),
                Status.Code.INVALID_ARGUMENT, "grants[0].purpose: must be 1 to 500 characters");
        RulesFixtures.assertStatus(() -> svc.putSharingGrants(good.toBuilder().setGrants(0, g.toBuilder().clearCategories()).build()),
                Status.Code.INVALID_ARGUMENT, "grants[0].categories: must name at least one category");
        RulesFixtures.assertStatus(() -> svc.putSharingGrants(good.toBuilder().setGrants(0, g.toBuilder().clearValidUntil()).build()),
                Status.Code.INVALID_ARGUMENT, "grants[0].valid_until: is required");
        RulesFixtures.assertStatus(() -> svc.putSharingGrants(good.toBuilder().setGrants(0, g.toBuilder().setAgencyId("")).build()),
                Status.Code.INVALID_ARGUMENT, null);
        RulesFixtures.assertStatus(() -> svc.putSharingGrants(good.toBuilder().addGrants(g).build()),
                Status.Code.INVALID_ARGUMENT, "grants[1].grant_id: '" + g.getGrantId() + "' appears twice");
        RulesFixtures.assertStatus(() -> RulesFixtures.subjectDataAs(channel, TestTokens.token("alice@" + AGENCY, AGENCY, "caseworker")).putSharingGrants(good), Status.Code.PERMISSION_DENIED, null);
        // Version 1 still holds.
        assertThat(partnerSees(subject)).containsExactly(alert);
    }
}
