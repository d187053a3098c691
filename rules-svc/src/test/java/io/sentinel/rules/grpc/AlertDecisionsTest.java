package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
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
import io.sentinel.api.rules.v1.AcknowledgeAlertRequest;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertOutcome;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.api.rules.v1.GetAlertRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.api.rules.v1.ResolveAlertRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.rules.service.AlertLifecycle;

/** OPEN -> ACKNOWLEDGED -> RESOLVED by people, and escalation when nobody acknowledges. */
@QuarkusTest
class AlertDecisionsTest {
    static final String AGENCY = RulesFixtures.AGENCY;

    @Inject
    AlertLifecycle lifecycle;

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    RulesServiceGrpc.RulesServiceBlockingStub alice() {
        return RulesFixtures.as(channel, TestTokens.token("alice", AGENCY, "caseworker"));
    }

    /** A fresh OPEN alert (an overdue review) of a subject of AGENCY; returns its id. */
    String openAlert() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String id = RulesFixtures.fromEnrollment(channel).recordReviewOverdue(RecordReviewOverdueRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setOrderId(UUID.randomUUID().toString())
                .setReviewDueAt(Timestamps.of(Instant.parse("2026-11-01T00:00:00Z"))).build()).getAlertId();
        assertThat(id).isNotEmpty();
        return id;
    }

    @Test
    void aCaseworkerAcknowledgesThenResolvesAndTheFeedCarriesEachChange() {
        String id = openAlert();
        Alert acked = alice().acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(id).build()).getAlert();
        assertThat(acked.getState()).isEqualTo(AlertState.ALERT_STATE_ACKNOWLEDGED);
        assertThat(acked.getAcknowledgedBy()).isEqualTo("alice");
        assertThat(acked.hasAcknowledgedAt()).isTrue();

        Alert resolved = RulesFixtures.as(channel, TestTokens.token("carol", AGENCY, "caseworker"))
                .resolveAlert(ResolveAlertRequest.newBuilder().setAlertId(id).setOutcome(AlertOutcome.ALERT_OUTCOME_FALSE_ALARM)
                        .setNote("GPS drift near the tower blocks; subject was home").build()).getAlert();
        assertThat(resolved.getState()).isEqualTo(AlertState.ALERT_STATE_RESOLVED);
        assertThat(resolved.getResolvedBy()).as("the decider is the token's subject").isEqualTo("carol");
        assertThat(resolved.getOutcome()).isEqualTo(AlertOutcome.ALERT_OUTCOME_FALSE_ALARM);
        assertThat(resolved.getResolutionNote()).isEqualTo("GPS drift near the tower blocks; subject was home");

        var events = RulesFixtures.readFeed(alice(), 0, e -> e.getAlert().getAlertId().equals(id),
                e -> e.getAlert().getAlertId().equals(id) && e.getType() == AlertEventType.ALERT_EVENT_TYPE_RESOLVED);
        assertThat(events).extracting(e -> e.getType()).containsExactly(AlertEventType.ALERT_EVENT_TYPE_OPENED,
                AlertEventType.ALERT_EVENT_TYPE_ACKNOWLEDGED, AlertEventType.ALERT_EVENT_TYPE_RESOLVED);
        assertThat(events).extracting(e -> e.getAlert().getState()).containsExactly(AlertState.ALERT_STATE_OPEN,
                AlertState.ALERT_STATE_ACKNOWLEDGED, AlertState.ALERT_STATE_RESOLVED);
    }

    @Test
    void illegalTransitionsFailThePrecondition() {
        String id = openAlert();
        alice().acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(id).build());
        RulesFixtures.assertStatus(() -> alice().acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(id).build()),
                Status.Code.FAILED_PRECONDITION, "alert_id: alert is ALERT_STATE_ACKNOWLEDGED; only an OPEN alert can be acknowledged");
        ResolveAlertRequest resolve = ResolveAlertRequest.newBuilder().setAlertId(id)
                .setOutcome(AlertOutcome.ALERT_OUTCOME_CONFIRMED_BREACH).setNote("seen on CCTV").build();
        alice().resolveAlert(resolve);
        RulesFixtures.assertStatus(() -> alice().resolveAlert(resolve), Status.Code.FAILED_PRECONDITION,
                "alert_id: alert is already RESOLVED");
        RulesFixtures.assertStatus(() -> alice().acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(id).build()),
                Status.Code.FAILED_PRECONDITION, "alert_id: alert is ALERT_STATE_RESOLVED; only an OPEN alert can be acknowledged");
    }

    @Test
    void resolveNeedsAnOutcomeAndANoteAndChangesNothingWithoutThem() {
        String id = openAlert();
        ResolveAlertRequest.Builder r = ResolveAlertRequest.newBuilder().setAlertId(id).setNote("ok");
        RulesFixtures.assertStatus(() -> alice().resolveAlert(r.build()), Status.Code.INVALID_ARGUMENT,
                "outcome: must be CONFIRMED_BREACH, FALSE_ALARM or DEVICE_FAULT");
        r.setOutcome(AlertOutcome.ALERT_OUTCOME_DEVICE_FAULT).setNote("");
        RulesFixtures.assertStatus(() -> alice().resolveAlert(r.build()), Status.Code.INVALID_ARGUMENT, "note: must be 1 to 1000 characters");
        r.setNote("x".repeat(1001));
        RulesFixtures.assertStatus(() -> alice().resolveAlert(r.build()), Status.Code.INVALID_ARGUMENT, "note: must be 1 to 1000 characters");
        RulesFixtures.assertStatus(() -> alice().resolveAlert(r.setAlertId("nope").build()), Status.Code.INVALID_ARGUMENT, null);
        assertThat(alice().getAlert(GetAlertRequest.newBuilder().setAlertId(id).build()).getAlert().getState())
                .isEqualTo(AlertState.ALERT_STATE_OPEN);
    }

    @Test
    void anotherAgencyCannotDecideAndAReviewerRoleIsRefused() {
        String id = openAlert();
        RulesFixtures.assertStatus(() -> RulesFixtures.caseworker(channel, "agency-b")
                .acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(id).build()), Status.Code.NOT_FOUND, null);
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, TestTokens.token("rita", AGENCY, "reviewer"))
                .acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(id).build()), Status.Code.PERMISSION_DENIED, null);
        assertThat(alice().getAlert(GetAlertRequest.newBuilder().setAlertId(id).build()).getAlert().getState())
                .isEqualTo(AlertState.ALERT_STATE_OPEN);
    }

    @Test
    void anAlertNobodyAcknowledgedEscalatesOnceButAnAcknowledgedOneDoesNot() throws Throwable {
        String ignored = openAlert();
        String acked = openAlert();
        alice().acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(acked).build());
        Instant later = Instant.now().plus(Duration.ofHours(1));
        int escalated = VertxContextSupport.subscribeAndAwait(() -> lifecycle.escalateDue(later));
        assertThat(escalated).isPositive();
        Alert a = alice().getAlert(GetAlertRequest.newBuilder().setAlertId(ignored).build()).getAlert();
        assertThat(a.getEscalated()).isTrue();
        assertThat(a.getEscalatedAt().getSeconds()).isEqualTo(later.getEpochSecond());
        assertThat(a.getState()).isEqualTo(AlertState.ALERT_STATE_OPEN);
        assertThat(alice().getAlert(GetAlertRequest.newBuilder().setAlertId(acked).build()).getAlert().getEscalated()).isFalse();
        // Once only.
        VertxContextSupport.subscribeAndAwait(() -> lifecycle.escalateDue(later.plusSeconds(60)));
        var events = RulesFixtures.readFeed(alice(), 0, e -> e.getAlert().getAlertId().equals(ignored),
                e -> e.getAlert().getAlertId().equals(ignored) && e.getType() == AlertEventType.ALERT_EVENT_TYPE_ESCALATED);
        assertThat(events).extracting(e -> e.getType())
                .containsExactly(AlertEventType.ALERT_EVENT_TYPE_OPENED, AlertEventType.ALERT_EVENT_TYPE_ESCALATED);
        assertThat(alice().getAlert(GetAlertRequest.newBuilder().setAlertId(ignored).build()).getAlert().getEscalatedAt().getSeconds())
                .isEqualTo(later.getEpochSecond());
    }

    @Test
    void aBacklogLargerThanOneTransactionIsEscalatedCompletely() throws Throwable {
        // More than two escalation transactions' worth (they are kept short to let evaluation take the lock).
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 120; i++) {
            ids.add(openAlert());
        }
        Instant later = Instant.now().plus(Duration.ofHours(2));
        int escalated = VertxContextSupport.subscribeAndAwait(() -> lifecycle.escalateDue(later));
        assertThat(escalated).isGreaterThanOrEqualTo(120);
        for (String id : ids) {
            assertThat(alice().getAlert(GetAlertRequest.newBuilder().setAlertId(id).build()).getAlert().getEscalated()).as(id).isTrue();
        }
        assertThat(VertxContextSupport.<Integer> subscribeAndAwait(() -> lifecycle.escalateDue(later.plusSeconds(60)))).isZero();
    }

    @Test
    void aFreshAlertDoesNotEscalateBeforeTheConfiguredTime() throws Throwable {
        String id = openAlert();
        VertxContextSupport.subscribeAndAwait(() -> lifecycle.escalateDue(Instant.now().plus(Duration.ofMinutes(14))));
        assertThat(alice().getAlert(GetAlertRequest.newBuilder().setAlertId(id).build()).getAlert().getEscalated()).isFalse();
    }

    @Test
    void restAcknowledgesResolvesAndFiltersByKindAndState() {
        String id = openAlert();
        String token = TestTokens.token("alice", AGENCY, "caseworker");
        String subject = RulesFixtures.rest(token).get("/api/v1/alerts/" + id).then().statusCode(200).extract().path("subjectId");
        RulesFixtures.rest(token).queryParam("subjectId", subject).queryParam("kind", "order_review_overdue").queryParam("state", "open")
                .get("/api/v1/alerts").then().statusCode(200).body("alerts.size()", equalTo(1));
        RulesFixtures.rest(token).queryParam("subjectId", subject).queryParam("kind", "strap_tamper")
                .get("/api/v1/alerts").then().statusCode(200).body("alerts", org.hamcrest.Matchers.nullValue());
        RulesFixtures.rest(token).queryParam("kind", "teleported").get("/api/v1/alerts").then().statusCode(400)
                .body("field", equalTo("kind"));

        RulesFixtures.rest(token).post("/api/v1/alerts/" + id + "/acknowledge").then().statusCode(200)
                .body("state", equalTo("ALERT_STATE_ACKNOWLEDGED")).body("acknowledgedBy", equalTo("alice"));
        RulesFixtures.rest(token).post("/api/v1/alerts/" + id + "/acknowledge").then().statusCode(422)
                .body("field", equalTo("alert_id"));
        RulesFixtures.rest(token).contentType("application/json").body("{\"outcome\":\"confirmed_breach\"}")
                .post("/api/v1/alerts/" + id + "/resolve").then().statusCode(400).body("field", equalTo("note"));
        RulesFixtures.rest(token).contentType("application/json").body("{\"outcome\":\"CONFIRMED_BREACH\",\"note\":\"admitted\"}")
                .post("/api/v1/alerts/" + id + "/resolve").then().statusCode(200)
                .body("state", equalTo("ALERT_STATE_RESOLVED")).body("outcome", equalTo("ALERT_OUTCOME_CONFIRMED_BREACH"))
                .body("resolvedBy", equalTo("alice"));
        RulesFixtures.rest(token).queryParam("subjectId", subject).queryParam("state", "resolved")
                .get("/api/v1/alerts").then().statusCode(200).body("alerts.size()", equalTo(1));
    }

    @Test
    void everyReadAndDecisionIsAuditedAllowedOrRefusedInTheCommonLogWhichIsAppendOnly() {
        String id = openAlert();
        alice().getAlert(GetAlertRequest.newBuilder().setAlertId(id).build());
        alice().acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(id).build());
        RulesFixtures.assertStatus(() -> RulesFixtures.caseworker(channel, "agency-b").getAlert(GetAlertRequest.newBuilder().setAlertId(id)
                .build()), Status.Code.NOT_FOUND, null);
        String subject = alice().getAlert(GetAlertRequest.newBuilder().setAlertId(id).build()).getAlert().getSubjectId();
        String why = "/" + RulesFixtures.PURPOSE + "/" + RulesFixtures.REFERENCE;
        // The refusal names no subject: agency-b may not learn whose alert it asked for.
        assertThat(RulesFixtures.psql("select string_agg(action || '/' || actor || '/' || agency_id || '/' || roles || '/' || outcome || '/'"
                + " || purpose || '/' || reference || '/' || array_to_string(subject_ids, ','), ' ' order by id) from audit_entry"
                + " where action like 'alert.%' and ('" + subject + "' = any(subject_ids) or detail like '%" + id + "%')"))
                .isEqualTo("alert.read/alice/" + AGENCY + "/caseworker/allowed" + why + "/" + subject
                        + " alert.acknowledge/alice/" + AGENCY + "/caseworker/allowed" + why + "/" + subject
                        + " alert.read/alice@agency-b/agency-b/caseworker/refused" + why + "/"
                        + " alert.read/alice/" + AGENCY + "/caseworker/allowed" + why + "/" + subject);
        assertThat(RulesFixtures.psql("delete from audit_entry where '" + subject + "' = any(subject_ids)")).contains("append-only");
        // The earlier table is read-only for the service now; its rows were carried into audit_entry.
        assertThat(RulesFixtures.psql("select has_table_privilege('sentinel_app', 'audit_log', 'INSERT')")).isEqualTo("f");
    }
}
