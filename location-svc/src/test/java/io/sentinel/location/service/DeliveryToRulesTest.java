package io.sentinel.location.service;

import io.sentinel.api.internal.v1.LocationIntakeServiceGrpc;
import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.psql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import io.sentinel.location.domain.FixReport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.FixBatchAck;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.internal.v1.DeviceEvent;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.Fixtures;

/**
 * Forwarding and device-event delivery against an in-process rules-svc that goes away and comes
 * back. (The end-to-end version with the real rules-svc process belongs to system-tests.)
 */
@QuarkusTest
@TestProfile(FakeRulesProfile.class)
class DeliveryToRulesTest {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    @Inject
    TrailMinimisation minimisation;

    @Inject
    IngestionService ingestion;

    ManagedChannel channel;

    @BeforeEach
    void open() {
        FakeRules.INSTANCE.start();
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        FakeRules.INSTANCE.start();
    }

    @Test
    void batchesArrivingTogetherAreCommittedTogetherAndEachCountsOnlyTheFixesItAddedFirst() {
        String device = Fixtures.assignedDevice();
        io.sentinel.common.security.Caller gateway = new io.sentinel.common.security.Caller(Fixtures.GATEWAY, Fixtures.AGENCY,
                Set.of(io.sentinel.common.security.Roles.DEVICE_GATEWAY));
        Instant t0 = Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // Twelve batches of 40 fixes submitted at once, each overlapping the next by half: 260 distinct fixes.
        java.util.List<io.smallrye.mutiny.Uni<IngestionService.Result>> calls = new java.util.ArrayList<>();
        for (int b = 0; b < 12; b++) {
            java.util.List<FixReport> reports = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Instant t = t0.plusSeconds(20L * b + i);
                reports.add(FixReport.of(device, t, Instant.now(), 51.5 + i * 1e-5, -0.12, 5));
            }
            calls.add(ingestion.ingest(gateway, reports));
        }
        java.util.List<IngestionService.Result> results = io.smallrye.mutiny.Uni.join().all(calls).andFailFast()
                .await().atMost(Duration.ofSeconds(30));

        assertThat(results).allSatisfy(r -> assertThat(r.accepted()).isEqualTo(40));
        assertThat(results.stream().mapToInt(IngestionService.Result::inserted).sum()).isEqualTo(260);
        assertThat(psql("select count(*) from fix where device_id = '" + device + "'")).isEqualTo("260");
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.fixIds.containsAll(storedIds(device)));

        // The same batches again: all accepted, none new, nothing stored twice.
        java.util.List<io.smallrye.mutiny.Uni<IngestionService.Result>> again = new java.util.ArrayList<>();
        for (int b = 0; b < 12; b++) {
            java.util.List<FixReport> reports = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                reports.add(FixReport.of(device, t0.plusSeconds(20L * b + i), Instant.now(), 51.5, -0.12, 5));
            }
            again.add(ingestion.ingest(gateway, reports));
        }
        assertThat(io.smallrye.mutiny.Uni.join().all(again).andFailFast().await().atMost(Duration.ofSeconds(30)))
                .allSatisfy(r -> assertThat(r.inserted()).isZero());
        assertThat(psql("select count(*) from fix where device_id = '" + device + "'")).isEqualTo("260");
    }

    static Set<Long> storedIds(String device) {
        String out = psql("select fix_id from fix where device_id = '" + device + "'");
        return out.isEmpty() ? Set.of() : Arrays.stream(out.split("\n")).map(Long::parseLong).collect(Collectors.toSet());
    }

    static FixBatch batch(long seq, String device, Instant t0, int n) {
        FixBatch.Builder b = FixBatch.newBuilder().setSequence(seq);
        for (int i = 0; i < n; i++) {
            b.addFixes(Fix.newBuilder().setDeviceId(device).setDeviceTime(Timestamps.of(t0.plusSeconds(i)))
                    .setLatitude(51.5 + i * 1e-5).setLongitude(-0.12).setAccuracyMetres(5));
        }
        return b.build();
    }

    @Test
    void restartOfRulesSvcMidStreamLosesNoFix() throws Exception {
        String device = Fixtures.assignedDevice();
        Instant t0 = Instant.now().minus(30, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        LinkedBlockingQueue<Object> acks = new LinkedBlockingQueue<>();
        StreamObserver<FixBatch> stream = LocationServiceGrpc.newStub(channel)
                .withCallCredentials(GrpcTestChannels.bearer(Fixtures.gatewayToken())).withDeadlineAfter(120, TimeUnit.SECONDS)
                .ingestFixes(new StreamObserver<>() {
                    public void onNext(FixBatchAck a) {
                        acks.add(a);
                    }

                    public void onError(Throwable t) {
                        acks.add(t);
                    }

                    public void onCompleted() {
                        acks.add("done");
                    }
                });
        stream.onNext(batch(1, device, t0, 100));
        assertThat(acks.poll(20, TimeUnit.SECONDS)).isInstanceOf(FixBatchAck.class);
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.fixIds.containsAll(storedIds(device)));

        FakeRules.INSTANCE.stop();
        stream.onNext(batch(2, device, t0.plusSeconds(100), 100));
        stream.onNext(batch(3, device, t0.plusSeconds(200), 100));
        assertThat(acks.poll(20, TimeUnit.SECONDS)).isInstanceOf(FixBatchAck.class);
        assertThat(acks.poll(20, TimeUnit.SECONDS)).isInstanceOf(FixBatchAck.class);
        assertThat(storedIds(device)).hasSize(300);
        assertThat(FakeRules.INSTANCE.fixIds).doesNotContainAnyElementsOf(
                storedIds(device).stream().filter(id -> id > maxOf(FakeRules.INSTANCE.fixIds)).toList());

        FakeRules.INSTANCE.start();
        stream.onNext(batch(4, device, t0.plusSeconds(300), 100));
        stream.onCompleted();
        assertThat(acks.poll(20, TimeUnit.SECONDS)).isInstanceOf(FixBatchAck.class);
        assertThat(acks.poll(20, TimeUnit.SECONDS)).isEqualTo("done");

        Set<Long> stored = storedIds(device);
        assertThat(stored).hasSize(400);
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.fixIds.containsAll(stored));
        long cursor = Long.parseLong(psql("select last_fix_id from forward_cursor where target = 'rules-svc'"));
        assertThat(cursor).isGreaterThanOrEqualTo(maxOf(stored));
    }

    static long maxOf(Set<Long> ids) {
        return ids.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    @Test
    void deviceEventsWaitInTheOutboxWhileRulesSvcIsDownAndArriveWhenItReturns() throws Exception {
        String[] ds = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        FakeRules.INSTANCE.stop();
        Instant t = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        // A Traccar-style report: battery 12 %, on charge, strap alarm.
        given().auth().oauth2(Fixtures.gatewayToken())
                .when().get("/api/v1/osmand?id=" + ds[0] + "&timestamp=" + t.getEpochSecond()
                        + "&lat=51.5&lon=-0.12&batt=12&charge=true&alarm=tampering")
                .then().statusCode(200);
        assertThat(psql("select string_agg(kind, ',' order by kind) || '|' || count(delivered_at) from device_event where device_id = '"
                + ds[0] + "'")).isEqualTo("CHARGING_STARTED,LOW_BATTERY,STRAP_TAMPER|0");

        FakeRules.INSTANCE.start();
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.events.stream().filter(e -> e.getDeviceId().equals(ds[0])).count() == 3);
        assertThat(FakeRules.INSTANCE.events.stream().filter(e -> e.getDeviceId().equals(ds[0])))
                .allSatisfy(e -> assertThat(e.getSubjectId()).isEqualTo(ds[1]))
                .extracting(e -> e.getKind().name()).containsExactlyInAnyOrder("DEVICE_EVENT_KIND_LOW_BATTERY",
                        "DEVICE_EVENT_KIND_CHARGING_STARTED", "DEVICE_EVENT_KIND_STRAP_TAMPER");
        await().atMost(DEADLINE).until(() -> psql("select count(*) from device_event where delivered_at is null and device_id = '"
                + ds[0] + "'").equals("0"));

        // The same battery level again is no news: hysteresis keeps it from being raised twice.
        given().auth().oauth2(Fixtures.gatewayToken())
                .when().get("/api/v1/osmand?id=" + ds[0] + "&timestamp=" + t.plusSeconds(30).getEpochSecond()
                        + "&lat=51.5&lon=-0.12&batt=11&charge=true")
                .then().statusCode(200);
        assertThat(psql("select count(*) from device_event where device_id = '" + ds[0] + "'")).isEqualTo("3");
    }

    @Test
    void anEventRulesSvcDefersIsRetriedWithBackoffWithoutHoldingBackTheOthers() {
        String[] waiting = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        String[] known = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        FakeRules.INSTANCE.unknownSubjects.add(waiting[1]);
        try {
            Instant t = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
            // The deferred device's tamper is stored first, so it is ahead in the outbox.
            for (String device : new String[] { waiting[0], known[0] }) {
                given().auth().oauth2(Fixtures.gatewayToken())
                        .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + t.getEpochSecond() + "&lat=51.5&lon=-0.12&alarm=tampering")
                        .then().statusCode(200);
            }
            await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.events.stream().anyMatch(e -> e.getDeviceId().equals(known[0])));
            await().atMost(DEADLINE).until(() -> psql("select (delivered_at is null and next_attempt_at is not null and attempts >= 1)::text"
                    + " from device_event where device_id = '" + waiting[0] + "'").equals("true"));
            assertThat(FakeRules.INSTANCE.events).noneMatch(e -> e.getDeviceId().equals(waiting[0]));
        } finally {
            FakeRules.INSTANCE.unknownSubjects.remove(waiting[1]);
        }
        // Once rules-svc knows the subject, the next attempt after the backoff delivers it.
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.events.stream().anyMatch(e -> e.getDeviceId().equals(waiting[0])));
        await().atMost(DEADLINE).until(() -> psql("select count(*) from device_event where delivered_at is null and device_id = '"
                + waiting[0] + "'").equals("0"));
    }

    @Test
    void silenceLongerThanTheOrdersIntervalRaisesNoSignalAndAReportRestoresIt() {
        String device = UUID.randomUUID().toString();
        String subject = UUID.randomUUID().toString();
        LocationIntakeServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(Fixtures.serviceToken()))
                .putDeviceAssignment(PutDeviceAssignmentRequest.newBuilder().setDeviceId(device).setSubjectId(subject)
                        .setOwningAgencyId(Fixtures.AGENCY).setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL).setVersion(1)
                        .addGatewayIds(Fixtures.GATEWAY)
                        .setEffectiveAt(Timestamps.of(Instant.now().minus(1, ChronoUnit.HOURS)))
                        .setExpectedReportInterval(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build());
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.events.stream()
                .anyMatch(e -> e.getDeviceId().equals(device) && e.getKind().name().equals("DEVICE_EVENT_KIND_NO_SIGNAL")));
        DeviceEvent noSignal = FakeRules.INSTANCE.events.stream().filter(e -> e.getDeviceId().equals(device)).findFirst().orElseThrow();
        assertThat(noSignal.getSubjectId()).isEqualTo(subject);

        given().auth().oauth2(Fixtures.gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + Instant.now().minusSeconds(5).getEpochSecond()
                        + "&lat=51.5&lon=-0.12")
                .then().statusCode(200);
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.events.stream()
                .anyMatch(e -> e.getDeviceId().equals(device) && e.getKind().name().equals("DEVICE_EVENT_KIND_SIGNAL_RESTORED")));
        // Raised once per silence, however many sweeps ran.
        assertThat(psql("select count(*) from device_event where kind = 'NO_SIGNAL' and device_id = '" + device + "'")).isEqualTo("1");
    }

    @Test
    void aDeviceThatAnotherReplicaHeardFromIsNotCalledSilentHere() {
        // Both devices have been monitored for an hour with a 10-minute interval and never reported
        // here; another replica stored a report of the first one just now.
        String heardElsewhere = UUID.randomUUID().toString();
        String silent = UUID.randomUUID().toString();
        psql("insert into device_state (device_id, last_device_time, last_received_at, battery_low, no_signal_raised)"
                + " values ('" + heardElsewhere + "', now(), now(), false, false)");
        for (String device : List.of(heardElsewhere, silent)) {
            LocationIntakeServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(Fixtures.serviceToken()))
                    .putDeviceAssignment(PutDeviceAssignmentRequest.newBuilder().setDeviceId(device).setSubjectId(UUID.randomUUID().toString())
                            .setOwningAgencyId(Fixtures.AGENCY).setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL).setVersion(1)
                            .addGatewayIds(Fixtures.GATEWAY)
                            .setEffectiveAt(Timestamps.of(Instant.now().minus(1, ChronoUnit.HOURS)))
                            .setExpectedReportInterval(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build());
        }
        // The silent one proves sweeps ran over both.
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.events.stream()
                .anyMatch(e -> e.getDeviceId().equals(silent) && e.getKind().name().equals("DEVICE_EVENT_KIND_NO_SIGNAL")));
        assertThat(psql("select count(*) from device_event where device_id = '" + heardElsewhere + "'")).isEqualTo("0");
    }

    @Test
    void minimisationDeletesOnlyEvaluatedFixesOfCurfewAndZonesOnlyOrders() throws Exception {
        String minimised = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CURFEW_AND_ZONES_ONLY)[0];
        String continuous = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)[0];
        Instant t = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        for (String d : new String[] { minimised, continuous }) {
            given().auth().oauth2(Fixtures.gatewayToken())
                    .when().get("/api/v1/osmand?id=" + d + "&timestamp=" + t.getEpochSecond() + "&lat=51.5&lon=-0.12").then().statusCode(200);
        }
        await().atMost(DEADLINE).until(() -> FakeRules.INSTANCE.fixIds.containsAll(storedIds(minimised)));

        // Within the grace period nothing goes.
        minimisation.deleteDue(Instant.now()).await().atMost(Duration.ofSeconds(10));
        assertThat(Fixtures.storedFixes(minimised)).isEqualTo(1);

        // A fix rules-svc has not acknowledged stays, however old.
        FakeRules.INSTANCE.stop();
        given().auth().oauth2(Fixtures.gatewayToken())
                .when().get("/api/v1/osmand?id=" + minimised + "&timestamp=" + t.plusSeconds(60).getEpochSecond() + "&lat=51.5&lon=-0.12")
                .then().statusCode(200);
        int deleted = minimisation.deleteDue(Instant.now().plus(1, ChronoUnit.DAYS)).await().atMost(Duration.ofSeconds(10));
        assertThat(deleted).isGreaterThanOrEqualTo(1);
        assertThat(Fixtures.storedFixes(minimised)).isEqualTo(1);
        assertThat(psql("select device_time from fix where device_id = '" + minimised + "'")).startsWith(
                java.time.LocalDateTime.ofInstant(t.plusSeconds(60), java.time.ZoneOffset.UTC).toLocalDate().toString());
        assertThat(Fixtures.storedFixes(continuous)).isEqualTo(1);
    }
}
