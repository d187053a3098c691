package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestKeys;
import io.sentinel.common.testing.TestTokens;
import io.smallrye.jwt.build.Jwt;

/**
 * rules-svc's side of the trust boundary: who may call its internal intake, which tokens it takes
 * as a person's, and what a partner agency's user may do. Each refusal names its reason.
 */
@QuarkusTest
class TrustBoundaryTest {
    static final String AGENCY = RulesFixtures.AGENCY;
    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static PutSubjectConditionsRequest conditions(String owningAgency) {
        return PutSubjectConditionsRequest.newBuilder().setSubjectId(UUID.randomUUID().toString()).setOwningAgencyId(owningAgency)
                .setOrderId(UUID.randomUUID().toString()).setTimeZone("Europe/London").setVersion(1).setActive(true)
                .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_EXCLUSION)
                        .setGeojson(RulesFixtures.SQUARE))
                .build();
    }

    static String serviceToken(String subject, String audience, String agency, java.security.PrivateKey key) {
        Instant now = Instant.now();
        return Jwt.issuer(TestTokens.serviceIssuer(TestTokens.OWN_AGENCY)).subject(subject).audience(audience).claim("agency", agency)
                .issuedAt(now).expiresAt(now.plusSeconds(300)).jws().keyId(subject).sign(key);
    }

    @Test
    void eachInternalRpcAcceptsOnlyThePeersItNames() {
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(AGENCY));
        RulesFixtures.assertStatus(() -> RulesFixtures.fromLocation(channel).putSubjectConditions(conditions(AGENCY)),
                Status.Code.PERMISSION_DENIED,
                "sentinel.internal.v1.RulesIntakeService/PutSubjectConditions may be called by enrollment-svc only, not by location-svc");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromEnrollment(channel).evaluateFixes(EvaluateFixesRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED,
                "sentinel.internal.v1.RulesIntakeService/EvaluateFixes may be called by location-svc only, not by enrollment-svc");
        RulesFixtures.assertStatus(() -> RulesFixtures.fromBiometric(channel).evaluateFixes(EvaluateFixesRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED, null);
        RulesFixtures.fromLocation(channel).evaluateFixes(EvaluateFixesRequest.getDefaultInstance());
    }

    @Test
    void aPersonsTokenIsRefusedOnInternalRpcsWhateverItsRoles() {
        RulesFixtures.assertStatus(() -> RulesFixtures.intakeAs(channel, TestTokens.token("root", AGENCY, "admin", "caseworker"))
                .putSubjectConditions(conditions(AGENCY)), Status.Code.PERMISSION_DENIED,
                "sentinel.internal.v1.RulesIntakeService/PutSubjectConditions is internal: it accepts the service tokens of enrollment-svc only, never a person's token");
        // A token of the identity provider that claims the service role is refused outright, everywhere.
        String claimsService = TestTokens.token("mallory", AGENCY, "service", "caseworker");
        RulesFixtures.assertStatus(() -> RulesFixtures.intakeAs(channel, claimsService).putSubjectConditions(conditions(AGENCY)),
                Status.Code.UNAUTHENTICATED, "a person's token may not carry the role 'service'");
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, claimsService).listAlerts(ListAlertsRequest.getDefaultInstance()),
                Status.Code.UNAUTHENTICATED, "a person's token may not carry the role 'service'");
    }

    @Test
    void aServiceTokenIsRefusedOnThePublicApi() {
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, TestTokens.service("enrollment-svc", "rules-svc"))
                .listAlerts(ListAlertsRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED, null);
        RestAssured.given().auth().oauth2(TestTokens.service("enrollment-svc", "rules-svc")).get("/api/v1/alerts").then().statusCode(403);
    }

    @Test
    void aServiceKeySpeaksOnlyForItsOwnService() {
        // biometric-svc's key signing a token that claims to be enrollment-svc.
        String forged = serviceToken("enrollment-svc", "rules-svc", TestTokens.OWN_AGENCY, TestKeys.service("biometric-svc"));
        RulesFixtures.assertStatus(() -> RulesFixtures.intakeAs(channel, forged).putSubjectConditions(conditions(AGENCY)),
                Status.Code.UNAUTHENTICATED, null);
        // The same key signing a person's token (a caseworker of the deployment's agency).
        String person = TestTokens.claims("eve", AGENCY, "caseworker").expiresAt(Instant.now().plusSeconds(600)).sign(TestKeys.service("biometric-svc"));
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, person).listAlerts(ListAlertsRequest.getDefaultInstance()),
                Status.Code.UNAUTHENTICATED, null);
    }

    @Test
    void aServiceTokenMustBeAddressedToThisServiceAndThisDeploymentsAgency() {
        RulesFixtures.assertStatus(() -> RulesFixtures.intakeAs(channel, TestTokens.service("enrollment-svc", "location-svc"))
                .putSubjectConditions(conditions(AGENCY)), Status.Code.UNAUTHENTICATED, null);
        String otherAgency = serviceToken("enrollment-svc", "rules-svc", "agency-elsewhere", TestKeys.service("enrollment-svc"));
        RulesFixtures.assertStatus(() -> RulesFixtures.intakeAs(channel, otherAgency).putSubjectConditions(conditions(AGENCY)),
                Status.Code.UNAUTHENTICATED, "service token of enrollment-svc is for agency 'agency-elsewhere', not this deployment's");
        // A whole deployment of another agency (its own service issuer) is a stranger here.
        RulesFixtures.assertStatus(() -> RulesFixtures.intakeAs(channel, TestTokens.service("enrollment-svc", "rules-svc", "nowhere-agency"))
                .putSubjectConditions(conditions(AGENCY)), Status.Code.UNAUTHENTICATED, null);
        // Long-lived service tokens are refused.
        Instant now = Instant.now();
        String longLived = Jwt.issuer(TestTokens.serviceIssuer(TestTokens.OWN_AGENCY)).subject("enrollment-svc").audience("rules-svc")
                .claim("agency", TestTokens.OWN_AGENCY).issuedAt(now).expiresAt(now.plusSeconds(3600)).jws().keyId("enrollment-svc")
                .sign(TestKeys.service("enrollment-svc"));
        RulesFixtures.assertStatus(() -> RulesFixtures.intakeAs(channel, longLived).putSubjectConditions(conditions(AGENCY)),
                Status.Code.UNAUTHENTICATED, null);
    }

    @Test
    void internalRequestsNameOnlyAgenciesThisDeploymentServes() {
        RulesFixtures.assertStatus(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions("nowhere-agency")),
                Status.Code.PERMISSION_DENIED, "owning_agency_id: agency 'nowhere-agency' is not served by this deployment");
    }

    @Test
    void aPersonsTokenNeedsAudiencePastIssueTimeAndAServedAgency() {
        Instant now = Instant.now();
        String future = TestTokens.claims("alice", AGENCY, "caseworker").issuedAt(now.plusSeconds(3600)).expiresAt(now.plusSeconds(7200))
                .sign(TestKeys.trusted());
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, future).listAlerts(ListAlertsRequest.getDefaultInstance()),
                Status.Code.UNAUTHENTICATED, "the token's 'iat' is in the future");
        String old = TestTokens.claims("alice", AGENCY, "caseworker").issuedAt(now.minusSeconds(13 * 3600)).expiresAt(now.plusSeconds(600))
                .sign(TestKeys.trusted());
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, old).listAlerts(ListAlertsRequest.getDefaultInstance()),
                Status.Code.UNAUTHENTICATED, "the token was issued more than 12 h ago; sign in again");
        String noAudience = Jwt.issuer(TestTokens.ISSUER).subject("alice").groups("caseworker").claim("agency", AGENCY)
                .expiresAt(now.plusSeconds(600)).sign(TestKeys.trusted());
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, noAudience).listAlerts(ListAlertsRequest.getDefaultInstance()),
                Status.Code.UNAUTHENTICATED, null);
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, TestTokens.token("alice", "nowhere-agency", "caseworker"))
                .listAlerts(ListAlertsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
                "agency 'nowhere-agency' is not served by this deployment");
        RestAssured.given().auth().oauth2(TestTokens.token("alice", "nowhere-agency", "caseworker")).get("/api/v1/alerts").then()
                .statusCode(401).body("detail", org.hamcrest.Matchers.equalTo("agency 'nowhere-agency' is not served by this deployment"));
    }

    @Test
    void aPartnerAgencysUserIsOnlyAPartnerHere() {
        String police = TestTokens.token("pc-1", "police-met", "caseworker", "partner");
        // As a partner it reads only under a sharing grant it cites...
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, police).listAlerts(ListAlertsRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT, "x-sentinel-grant: a partner agency reads under a sharing grant: send x-sentinel-grant"
                        + " (the grant's id) as gRPC metadata or an HTTP header");
        // ...one in force for its agency (none is yet)...
        String unknown = UUID.randomUUID().toString();
        RulesFixtures.assertStatus(() -> RulesFixtures.asPartner(channel, police, unknown).listAlerts(ListAlertsRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED, "x-sentinel-grant '" + unknown + "' is not a sharing grant in force for agency police-met"
                        + " that covers DATA_CATEGORY_ALERTS");
        // ...and its caseworker role does not hold here.
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, police).acknowledgeAlert(
                io.sentinel.api.rules.v1.AcknowledgeAlertRequest.newBuilder().setAlertId(UUID.randomUUID().toString()).build()),
                Status.Code.PERMISSION_DENIED, null);
    }

    String overdueAlert(String subject) {
        return RulesFixtures.fromEnrollment(channel).recordReviewOverdue(io.sentinel.api.internal.v1.RecordReviewOverdueRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setOrderId(UUID.randomUUID().toString())
                .setReviewDueAt(io.sentinel.common.util.Timestamps.of(Instant.parse("2026-11-01T00:00:00Z"))).build()).getAlertId();
    }

    /** A partner's feed under {@code grantId}; events, then the failure that ends it, go to {@code into}. */
    io.grpc.Context.CancellableContext partnerFeed(String partner, String grantId, LinkedBlockingQueue<Object> into) {
        io.grpc.Context.CancellableContext open = io.grpc.Context.current().withCancellation();
        open.run(() -> RulesFixtures.justified(RulesServiceGrpc.newStub(channel)
                .withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("pc-1", partner, "partner"))),
                RulesFixtures.PURPOSE, RulesFixtures.REFERENCE, grantId)
                .subscribeAlerts(SubscribeAlertsRequest.newBuilder().build(), new StreamObserver<AlertEvent>() {
                    @Override
                    public void onNext(AlertEvent value) {
                        into.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        into.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        into.add("completed");
                    }
                }));
        return open;
    }

    @Test
    void aRevokedGrantEndsTheFeedOpenedUnderItBeforeAnythingElseIsDelivered() throws InterruptedException {
        String partner = "police-" + UUID.randomUUID().toString().substring(0, 8);
        String revoked = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String kept = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        Instant until = Instant.now().plusSeconds(3600);
        var revokedGrants = RulesFixtures.grants(revoked, 1, partner, until, io.sentinel.api.common.v1.DataCategory.DATA_CATEGORY_ALERTS);
        var keptGrants = RulesFixtures.grants(kept, 1, partner, until, io.sentinel.api.common.v1.DataCategory.DATA_CATEGORY_ALERTS);
        RulesFixtures.subjectData(channel).putSharingGrants(revokedGrants);
        RulesFixtures.subjectData(channel).putSharingGrants(keptGrants);
        LinkedBlockingQueue<Object> underRevoked = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> underKept = new LinkedBlockingQueue<>();
        io.grpc.Context.CancellableContext first = partnerFeed(partner, revokedGrants.getGrants(0).getGrantId(), underRevoked);
        io.grpc.Context.CancellableContext second = partnerFeed(partner, keptGrants.getGrants(0).getGrantId(), underKept);
        try {
            String shared = overdueAlert(revoked);
            assertThat(nextFor(underRevoked, shared)).as("the shared alert arrives").isNotNull();

            // The grant is revoked (enrollment-svc sends the grants in force: none) while the feed stays open.
            RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(revoked, 2, null, until));
            String hidden = overdueAlert(revoked);
            String shown = overdueAlert(kept);
            // The feed under the revoked grant ends, refused, and the alert opened after the revocation never came.
            Object o;
            List<String> seen = new java.util.ArrayList<>();
            while ((o = underRevoked.poll(20, TimeUnit.SECONDS)) instanceof AlertEvent e) {
                seen.add(e.getAlert().getAlertId());
            }
            assertThat(seen).doesNotContain(hidden);
            assertThat(o).isInstanceOfSatisfying(Throwable.class, t -> {
                assertThat(Status.fromThrowable(t).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(Status.fromThrowable(t).getDescription()).contains("is no longer in force");
            });
            // The feed under the other grant goes on, with that grant's subject only.
            AlertEvent e = nextFor(underKept, shown);
            assertThat(e).as("the alert under the grant still in force arrives").isNotNull();
            assertThat(e.getAlert().getSubjectId()).isEqualTo(kept);
        } finally {
            first.cancel(null);
            second.cancel(null);
        }
    }

    static AlertEvent nextFor(LinkedBlockingQueue<Object> feed, String alertId) throws InterruptedException {
        Object o;
        while ((o = feed.poll(20, TimeUnit.SECONDS)) instanceof AlertEvent e) {
            if (e.getAlert().getAlertId().equals(alertId)) {
                return e;
            }
        }
        return null;
    }

    @Test
    void theAlertFeedEndsWhenItsTokenExpires() throws InterruptedException {
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        RulesFixtures.justified(RulesServiceGrpc.newStub(channel)
                .withCallCredentials(GrpcTestChannels.bearer(TestTokens.expiringIn(3, "alice", AGENCY, "caseworker"))),
                RulesFixtures.PURPOSE, RulesFixtures.REFERENCE, null)
                .subscribeAlerts(SubscribeAlertsRequest.newBuilder().setAfterCursor(Long.MAX_VALUE - 1).build(), new StreamObserver<AlertEvent>() {
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
                });
        Object end = events.poll(20, TimeUnit.SECONDS);
        assertThat(end).isInstanceOfSatisfying(Throwable.class, t -> {
            Status s = Status.fromThrowable(t);
            assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(s.getDescription()).contains("reopen the stream with a fresh token");
        });
    }
}
