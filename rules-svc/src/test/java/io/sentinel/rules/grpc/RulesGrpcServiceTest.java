package io.sentinel.rules.grpc;

import io.sentinel.api.internal.v1.RulesIntakeServiceGrpc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.Circle;
import io.sentinel.api.common.v1.GeoPoint;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.EvaluateFixesResponse;
import io.sentinel.api.internal.v1.EvaluatedFix;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

@QuarkusTest
class RulesGrpcServiceTest {
    // A square around Parliament Square, London (lon/lat).
    static final String SQUARE = """
            {"type":"Polygon","coordinates":[[[-0.1290,51.5000],[-0.1250,51.5000],[-0.1250,51.5020],[-0.1290,51.5020],[-0.1290,51.5000]]]}""";
    static final String AGENCY = "agency-a";

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    RulesServiceGrpc.RulesServiceBlockingStub as(String token) {
        return RulesFixtures.as(channel, token);
    }


    static PutSubjectConditionsRequest conditions(String subjectId, String zoneId, long version, String geojson) {
        return PutSubjectConditionsRequest.newBuilder()
                .setSubjectId(subjectId).setOwningAgencyId(AGENCY).setOrderId(UUID.randomUUID().toString())
                .setTimeZone("Europe/London").setVersion(version).setActive(true)
                .addZones(Zone.newBuilder().setZoneId(zoneId).setName("Victim's street").setKind(ZoneKind.ZONE_KIND_EXCLUSION)
                        .setGeojson(geojson))
                .build();
    }

    static EvaluatedFix fix(long id, String subjectId, double lat, double lon) {
        return EvaluatedFix.newBuilder().setFixId(id).setSubjectId(subjectId).setDeviceId(UUID.randomUUID().toString())
                .setDeviceTime(Timestamps.of(Instant.parse("2026-11-20T10:00:00Z").plusSeconds(id % 86_400)))
                .setPosition(GeoPoint.newBuilder().setLatitude(lat).setLongitude(lon)).setAccuracyMetres(8).build();
    }

    static EvaluatedFix fixAt(long id, String subjectId, double lat, double lon, Instant at) {
        return fix(id, subjectId, lat, lon).toBuilder().setDeviceTime(Timestamps.of(at)).build();
    }

    /** Fixes every 30 s for {@code count} fixes from {@code from}, with fresh ids: enough to satisfy the default dwell with 5. */
    static EvaluateFixesRequest stay(String subjectId, double lat, double lon, Instant from, int count) {
        EvaluateFixesRequest.Builder b = EvaluateFixesRequest.newBuilder();
        for (int i = 0; i < count; i++) {
            b.addFixes(fixAt(nextFixId(), subjectId, lat, lon, from.plusSeconds(30L * i)));
        }
        return b.build();
    }

    /** Opens StreamFixes as the token's caller; each answer, the failure or "completed" goes to {@code answers}. */
    io.grpc.stub.StreamObserver<EvaluateFixesRequest> streamFixes(String token, java.util.concurrent.BlockingQueue<Object> answers) {
        return RulesIntakeServiceGrpc.newStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .streamFixes(new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(EvaluateFixesResponse r) {
                        answers.add(r);
                    }
        
                    @Override
                    public void onError(Throwable t) {
                        answers.add(t);
                    }
        
                    @Override
                    public void onCompleted() {
                        answers.add("completed");
                    }
                });
    }

    @Test
    void theForwardingStreamAnswersEachBatchInOrderAndARedeliveredBatchOpensNothingTwice() throws Exception {
        String subject = UUID.randomUUID().toString();
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, UUID.randomUUID().toString(), 1, SQUARE));
        Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
        EvaluateFixesRequest first = stay(subject, 51.5010, -0.1270, t0, 3);
        EvaluateFixesRequest second = stay(subject, 51.5010, -0.1270, t0.plusSeconds(90), 3);

        java.util.concurrent.BlockingQueue<Object> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        var out = streamFixes(TestTokens.service("location-svc", "rules-svc"), answers);
        // All three sent before any answer: the stream keeps them in order; the third repeats the second.
        out.onNext(first);
        out.onNext(second);
        out.onNext(second);
        out.onCompleted();
        EvaluateFixesResponse a1 = (EvaluateFixesResponse) answers.poll(20, TimeUnit.SECONDS);
        EvaluateFixesResponse a2 = (EvaluateFixesResponse) answers.poll(20, TimeUnit.SECONDS);
        EvaluateFixesResponse a3 = (EvaluateFixesResponse) answers.poll(20, TimeUnit.SECONDS);
        assertThat(answers.poll(20, TimeUnit.SECONDS)).isEqualTo("completed");
        assertThat(a1.getLastFixId()).isEqualTo(first.getFixes(2).getFixId());
        assertThat(a2.getLastFixId()).isEqualTo(second.getFixes(2).getFixId());
        // Six fixes over 2.5 min inside the exclusion zone complete the dwell: one alert, not two.
        assertThat(a1.getAlertsOpened() + a2.getAlertsOpened()).isEqualTo(1);
        assertThat(a3.getLastFixId()).isEqualTo(a2.getLastFixId());
        assertThat(a3.getAlertsOpened()).isZero();
        assertThat(as(TestTokens.token("alice", AGENCY, "caseworker")).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build())
                .getAlertsCount()).isEqualTo(1);
    }

    @Test
    void theForwardingStreamEvaluatesBatchesOfManyMonitoredSubjects() throws Exception {
        java.util.List<String> subjects = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String subject = UUID.randomUUID().toString();
            RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, UUID.randomUUID().toString(), 1, SQUARE));
            subjects.add(subject);
        }
        Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
        java.util.concurrent.BlockingQueue<Object> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        var out = streamFixes(TestTokens.service("location-svc", "rules-svc"), answers);
        // Six batches, each one fix per subject 30 s after the previous: the fifth completes the dwell for all 40.
        // All are sent before any answer, so rules-svc evaluates several in one transaction; each is
        // still answered on its own, with its own last fix id and the alerts its own fixes opened.
        java.util.List<EvaluateFixesRequest> sent = new java.util.ArrayList<>();
        for (int b = 0; b < 6; b++) {
            EvaluateFixesRequest.Builder batch = EvaluateFixesRequest.newBuilder();
            for (String subject : subjects) {
                batch.addFixes(fixAt(nextFixId(), subject, 51.5010, -0.1270, t0.plusSeconds(30L * b)));
            }
            sent.add(batch.build());
            out.onNext(sent.get(b));
        }
        out.onCompleted();
        for (int b = 0; b < 6; b++) {
            Object a = answers.poll(30, TimeUnit.SECONDS);
            assertThat(a).isInstanceOf(EvaluateFixesResponse.class);
            EvaluateFixesResponse answer = (EvaluateFixesResponse) a;
            assertThat(answer.getLastFixId()).as("batch %d", b).isEqualTo(sent.get(b).getFixes(39).getFixId());
            assertThat(answer.getAlertsOpened()).as("batch %d", b).isEqualTo(b == 4 ? 40 : 0);
        }
        assertThat(answers.poll(20, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void theForwardingStreamIsForServicesOnly() throws Exception {
        java.util.concurrent.BlockingQueue<Object> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        var out = streamFixes(TestTokens.token("alice", AGENCY, "caseworker"), answers);
        out.onNext(stay(UUID.randomUUID().toString(), 51.5010, -0.1270, Instant.parse("2026-11-21T10:00:00Z"), 1));
        out.onCompleted();
        assertThat(answers.poll(20, TimeUnit.SECONDS)).isInstanceOfSatisfying(Throwable.class,
                t -> assertThat(Status.fromThrowable(t).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void rejectsCallsWithoutAValidToken() {
        PutSubjectConditionsRequest r = conditions(UUID.randomUUID().toString(), UUID.randomUUID().toString(), 1, SQUARE);
        for (String token : new String[] { null, TestTokens.expired("svc", AGENCY, "service"),
                TestTokens.signedByStranger("svc", AGENCY, "service"), "not-a-jwt" }) {
            assertThatThrownBy(() -> RulesFixtures.intakeAs(channel, token).putSubjectConditions(r))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        // Nothing was stored: a fix inside the zone raises nothing for that subject.
        EvaluateFixesResponse resp = RulesFixtures.fromLocation(channel).evaluateFixes(EvaluateFixesRequest.newBuilder()
                .addFixes(fix(nextFixId(), r.getSubjectId(), 51.5010, -0.1270)).build());
        assertThat(resp.getAlertsOpened()).isZero();
    }

    @Test
    void rejectsACaseworkerCallingAnInternalRpc() {
        PutSubjectConditionsRequest r = conditions(UUID.randomUUID().toString(), UUID.randomUUID().toString(), 1, SQUARE);
        assertThatThrownBy(() -> RulesFixtures.intakeAs(channel, TestTokens.token("alice", AGENCY, "caseworker")).putSubjectConditions(r))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void rejectsUnclosedRingNamingTheFieldAndKeepsPreviousConditions() {
        String subject = UUID.randomUUID().toString();
        String zone = UUID.randomUUID().toString();
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, zone, 1, SQUARE));
        String open = SQUARE.replace("[-0.1290,51.5000]]]", "[-0.1291,51.5000]]]");
        assertThatThrownBy(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, zone, 2, open)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("zones[0].geojson.coordinates[0]: ring is not closed: first position "
                            + "[-0.129, 51.5] differs from last [-0.1291, 51.5]");
                });
        // Version 1 still holds: staying inside the original square past the dwell opens an alert.
        assertThat(RulesFixtures.fromLocation(channel).evaluateFixes(stay(subject, 51.5010, -0.1270, Instant.parse("2026-11-20T10:00:00Z"), 5))
                .getAlertsOpened()).isEqualTo(1);
    }

    @Test
    void opensOneAlertForAFixInsideAnExclusionZoneAndDeliversItToTheSubscribedAgency() {
        String subject = UUID.randomUUID().toString();
        String zone = UUID.randomUUID().toString();
        assertThat(RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, zone, 3, SQUARE)).getVersion()).isEqualTo(3);

        Instant t0 = Instant.parse("2026-11-20T10:00:00Z");
        EvaluateFixesRequest.Builder batch = EvaluateFixesRequest.newBuilder()
                .addFixes(fixAt(nextFixId(), subject, 51.5100, -0.1000, t0));
        // Five fixes 30 s apart inside: the fifth completes the default dwell (2 min, 3 fixes).
        for (int i = 1; i <= 5; i++) {
            batch.addFixes(fixAt(nextFixId(), subject, 51.5010 + i * 0.00001, -0.1270, t0.plusSeconds(30L * i)));
        }
        EvaluateFixesRequest request = batch.build();
        long inside = request.getFixes(5).getFixId();
        EvaluateFixesResponse resp = RulesFixtures.fromLocation(channel).evaluateFixes(request);
        assertThat(resp.getAlertsOpened()).isEqualTo(1);
        assertThat(resp.getLastFixId()).isEqualTo(inside);

        // Redelivery of the same fixes (at-least-once) opens nothing more.
        EvaluateFixesResponse again = RulesFixtures.fromLocation(channel).evaluateFixes(request);
        assertThat(again.getAlertsOpened()).isZero();

        var caseworker = as(TestTokens.token("alice", AGENCY, "caseworker"));
        var alerts = caseworker.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build()).getAlertsList();
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).getKind()).isEqualTo(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED);
        assertThat(alerts.get(0).getConditionId()).isEqualTo(zone);
        assertThat(alerts.get(0).getFixId()).isEqualTo(inside);
        assertThat(alerts.get(0).getState()).isEqualTo(AlertState.ALERT_STATE_OPEN);

        // Another agency sees nothing of it.
        assertThat(as(TestTokens.token("bob", "agency-b", "caseworker"))
                .listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build()).getAlertsList()).isEmpty();

        // The subscribed agency receives it from the feed.
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            AlertEvent found = ctx.call(() -> {
                Iterator<AlertEvent> it = caseworker.withDeadlineAfter(20, TimeUnit.SECONDS)
                        .subscribeAlerts(SubscribeAlertsRequest.newBuilder().setAfterCursor(0).build());
                while (it.hasNext()) {
                    AlertEvent e = it.next();
                    if (e.getAlert().getSubjectId().equals(subject)) {
                        return e;
                    }
                }
                return null;
            });
            assertThat(found).isNotNull();
            assertThat(found.getCursor()).isPositive();
            assertThat(found.getAlert().getConditionId()).isEqualTo(zone);
            assertThat(found.getAlert().getFixTime()).isEqualTo(request.getFixes(5).getDeviceTime());
            assertThat(found.getAlert().getBreachStartedAt()).isEqualTo(request.getFixes(1).getDeviceTime());
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            ctx.cancel(null);
        }
    }

    @Test
    void olderConditionsVersionIsIgnored() {
        String subject = UUID.randomUUID().toString();
        assertThat(RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, UUID.randomUUID().toString(), 5, SQUARE)).getVersion()).isEqualTo(5);
        assertThat(RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, UUID.randomUUID().toString(), 4, SQUARE)).getVersion()).isEqualTo(5);
    }

    @Test
    void rejectsACircleWithANegativeRadius() {
        PutSubjectConditionsRequest r = conditions(UUID.randomUUID().toString(), UUID.randomUUID().toString(), 1, SQUARE).toBuilder()
                .setZones(0, Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_EXCLUSION)
                        .setCircle(Circle.newBuilder().setCentre(GeoPoint.newBuilder().setLatitude(51.5).setLongitude(-0.12)).setRadiusMetres(-5)))
                .build();
        assertThatThrownBy(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(r))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).isEqualTo("zones[0].circle.radius_metres: must be within [1, 20000], got -5.0"));
    }

    private static long counter = System.currentTimeMillis() * 10;

    /** Fix ids only grow, across tests and runs of the same database, as location-svc's do. */
    static synchronized long nextFixId() {
        return ++counter;
    }

}
