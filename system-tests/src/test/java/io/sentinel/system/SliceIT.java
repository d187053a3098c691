package io.sentinel.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.GetCheckInRequest;
import io.sentinel.api.biometric.v1.ReviewState;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.enrollment.v1.AssignDeviceRequest;
import io.sentinel.api.enrollment.v1.CheckInPolicy;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.api.enrollment.v1.CreateOrderRequest;
import io.sentinel.api.enrollment.v1.CreateSubjectRequest;
import io.sentinel.api.enrollment.v1.Device;
import io.sentinel.api.enrollment.v1.EnrollmentServiceGrpc;
import io.sentinel.api.enrollment.v1.ExportSubjectDataRequest;
import io.sentinel.api.enrollment.v1.GetSubjectRequest;
import io.sentinel.api.enrollment.v1.ListSubjectsRequest;
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.RegisterDeviceRequest;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.FixBatchAck;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.location.v1.QueryTrailRequest;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/**
 * The thin slice through all four services, as separate processes on a real PostgreSQL:
 * enrol → fixes to location-svc → forwarded to rules-svc → alert → subscribed agency; a
 * check-in recorded by biometric-svc; then readiness following the database down and up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SliceIT {
    static final String AGENCY = "agency-e2e";
    /** The gateway that reports the tags' fixes; devices are registered bound to it. */
    static final String GATEWAY = "gateway-1";
    // Parliament Square, London.
    static final String SQUARE = """
            {"type":"Polygon","coordinates":[[[-0.1290,51.5000],[-0.1250,51.5000],[-0.1250,51.5020],[-0.1290,51.5020],[-0.1290,51.5000]]]}""";

    static Suite suite;
    static ManagedChannel enrollment, location, rules, biometric;

    @BeforeAll
    static void start() throws Exception {
        suite = new Suite();
        suite.startAll();
        enrollment = suite.channel("enrollment-svc");
        location = suite.channel("location-svc");
        rules = suite.channel("rules-svc");
        biometric = suite.channel("biometric-svc");
    }

    @AfterAll
    static void stop() throws Exception {
        for (ManagedChannel c : new ManagedChannel[] { enrollment, location, rules, biometric }) {
            if (c != null) {
                c.shutdownNow();
            }
        }
        if (suite != null) {
            suite.close();
        }
    }

    static EnrollmentServiceGrpc.EnrollmentServiceBlockingStub caseworker() {
        return EnrollmentServiceGrpc.newBlockingStub(enrollment)
                .withCallCredentials(Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker")))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    @Order(1)
    void fixInsideAnExclusionZoneReachesTheSubscribedAgencyAsAnAlert() throws Exception {
        Subject subject = caseworker().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(Subject.newBuilder().setGivenNames("Sam").setFamilyName("Example").setDateOfBirth("1990-04-01")
                        .setNationality("GBR").setPreferredLanguage("cy"))
                .build()).getSubject();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        MonitoringOrder order = caseworker().createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setOrder(MonitoringOrder.newBuilder().setSubjectId(subject.getSubjectId()).setLegalAuthority("Bail decision IA/2026/0042")
                        .setStartsAt(Timestamps.of(now.minus(1, ChronoUnit.DAYS))).setEndsAt(Timestamps.of(now.plus(90, ChronoUnit.DAYS)))
                        .setDeviceType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .setConditions(Conditions.newBuilder().setTimeZone("Europe/London")
                                .addZones(Zone.newBuilder().setName("Victim's street").setKind(ZoneKind.ZONE_KIND_EXCLUSION).setGeojson(SQUARE))
                                .setCheckIns(CheckInPolicy.newBuilder().setPerDay(2).setWindowStart("08:00").setWindowEnd("20:00"))
                                .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)))
                .build()).getOrder();
        String zoneId = order.getConditions().getZones(0).getZoneId();
        assertThat(zoneId).isNotEmpty();
        Device device = caseworker().registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .addGatewayIds(GATEWAY))
                .build()).getDevice();
        caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(device.getDeviceId()).setSubjectId(subject.getSubjectId()).build());

        // The agency subscribes to its alert feed before anything happens.
        AlertFeed feed = AlertFeed.subscribe(rules, TestTokens.token("duty-officer", AGENCY, "caseworker"));
        LinkedBlockingQueue<AlertEvent> alerts = feed.alerts();
        Context.CancellableContext subscription = feed.subscription();
        try {
            // AssignDevice answered once location-svc held the assignment, so the first fix is accepted at once.
            // The tag reports by its own serial, as real trackers do; the alert still names the device's id.
            String reportedAs = device.getSerial();
            Instant outsideAt = now.minusSeconds(600);
            long[] sequence = { 0 };
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                    send(FixBatch.newBuilder().setSequence(++sequence[0]).addFixes(fix(reportedAs, outsideAt, 51.5100, -0.1000)).build())
                            .getAccepted() == 1);
            // A person standing in the zone: fixes every 30 s for 3 minutes, longer than rules-svc's dwell
            // (2 min and 3 certain fixes by default), so the breach is real and not GPS jitter.
            FixBatch.Builder inside = FixBatch.newBuilder().setSequence(++sequence[0]);
            java.util.List<com.google.protobuf.Timestamp> insideTimes = new java.util.ArrayList<>();
            for (int i = 0; i <= 6; i++) {
                Instant at = now.minusSeconds(280 - 30L * i);
                inside.addFixes(fix(reportedAs, at, 51.5010 + i * 0.00001, -0.1270));
                insideTimes.add(Timestamps.of(at));
            }
            FixBatchAck ack = send(inside.build());
            assertThat(ack.getAccepted()).isEqualTo(7);
            assertThat(ack.getSequence()).isEqualTo(sequence[0]);

            AlertEvent event = null;
            Instant deadline = Instant.now().plusSeconds(30);
            while (event == null && Instant.now().isBefore(deadline)) {
                AlertEvent e = alerts.poll(1, TimeUnit.SECONDS);
                if (e != null && e.getAlert().getSubjectId().equals(subject.getSubjectId())) {
                    event = e;
                }
            }
            assertThat(event).as("alert for subject %s on the feed", subject.getSubjectId()).isNotNull();
            assertThat(event.getAlert().getKind()).isEqualTo(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED);
            assertThat(event.getAlert().getConditionId()).isEqualTo(zoneId);
            assertThat(event.getAlert().getDeviceId()).isEqualTo(device.getDeviceId());
            // The alert names the fix that confirmed the breach: one of those inside the zone.
            assertThat(insideTimes).contains(event.getAlert().getFixTime());
            assertThat(event.getAlert().getPosition().getLatitude()).isBetween(51.5010, 51.5011);
            assertThat(event.getAlert().getPosition().getLongitude()).isEqualTo(-0.1270);
            assertThat(event.getAlert().getOwningAgencyId()).isEqualTo(AGENCY);
        } finally {
            subscription.cancel(null);
        }

        // A check-in photo is recorded against the subject once biometric-svc knows the schedule.
        byte[] jpeg = jpeg();
        CheckIn[] recorded = new CheckIn[1];
        var device2 = BiometricServiceGrpc.newBlockingStub(biometric)
                .withCallCredentials(Justified.bearer(TestTokens.token("watch-gateway", AGENCY, "device-gateway")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptionsMatching(
                e -> e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND).until(() -> {
                    recorded[0] = device2.withDeadlineAfter(10, TimeUnit.SECONDS).submitCheckIn(SubmitCheckInRequest.newBuilder()
                            .setSubjectId(subject.getSubjectId()).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(2)))
                            .setImage(ByteString.copyFrom(jpeg)).setContentType("image/jpeg").build()).getCheckIn();
                    return true;
                });
        CheckIn stored = BiometricServiceGrpc.newBlockingStub(biometric)
                .withCallCredentials(Justified.bearer(TestTokens.token("rita", AGENCY, "reviewer")))
                .getCheckIn(GetCheckInRequest.newBuilder().setCheckInId(recorded[0].getCheckInId()).build()).getCheckIn();
        assertThat(stored.getSubjectId()).isEqualTo(subject.getSubjectId());
        assertThat(stored.getReviewState()).isEqualTo(ReviewState.REVIEW_STATE_PENDING);

        // The person sees who looked: one read in each service under a purpose of its own, then the
        // subject-access export lists each of them, with who, agency, purpose and reference.
        String purpose = "e2e: subject access request check " + UUID.randomUUID();
        var why = Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker"), purpose, "SAR-2026-17", null);
        EnrollmentServiceGrpc.newBlockingStub(enrollment).withCallCredentials(why)
                .getSubject(GetSubjectRequest.newBuilder().setSubjectId(subject.getSubjectId()).build());
        LocationServiceGrpc.newBlockingStub(location).withCallCredentials(why)
                .queryTrail(QueryTrailRequest.newBuilder().setSubjectId(subject.getSubjectId())
                        .setFrom(Timestamps.of(Instant.now().minus(1, ChronoUnit.DAYS))).setTo(Timestamps.of(Instant.now().plusSeconds(60))).build());
        RulesServiceGrpc.newBlockingStub(rules).withCallCredentials(why)
                .listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject.getSubjectId()).build());
        BiometricServiceGrpc.newBlockingStub(biometric)
                .withCallCredentials(Justified.bearer(TestTokens.token("rita", AGENCY, "reviewer"), purpose, "SAR-2026-17", null))
                .getCheckIn(GetCheckInRequest.newBuilder().setCheckInId(recorded[0].getCheckInId()).build());
        // The export streams as text pieces; the last one says whether every service's part is whole.
        var pieces = EnrollmentServiceGrpc.newBlockingStub(enrollment).withCallCredentials(why)
                .exportSubjectData(ExportSubjectDataRequest.newBuilder().setSubjectId(subject.getSubjectId()).build());
        StringBuilder document = new StringBuilder();
        io.sentinel.api.enrollment.v1.ExportSubjectDataResponse export = null;
        while (pieces.hasNext()) {
            export = pieces.next();
            document.append(export.getJson());
        }
        assertThat(export.getLast()).isTrue();
        assertThat(export.getComplete()).as("every peer answered: %s", export.getMissingList()).isTrue();
        JsonNode log = new ObjectMapper().readTree(document.toString()).path("access_log");
        java.util.Map<String, String> actorByService = new java.util.HashMap<>();
        for (JsonNode e : log) {
            if (purpose.equals(e.path("purpose").asText())) {
                assertThat(e.path("reference").asText()).isEqualTo("SAR-2026-17");
                assertThat(e.path("agency_id").asText()).isEqualTo(AGENCY);
                assertThat(e.path("outcome").asText()).isEqualTo("allowed");
                actorByService.put(e.path("service").asText(), e.path("actor").asText());
            }
        }
        assertThat(actorByService).containsEntry("enrollment-svc", "alice").containsEntry("location-svc", "alice")
                .containsEntry("rules-svc", "alice").containsEntry("biometric-svc", "rita");
    }

    @Test
    @Order(1)
    void aTagsFirstFixSentTheMillisecondAssignDeviceAnswersIsAccepted() throws Exception {
        Subject subject = caseworker().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(Subject.newBuilder().setGivenNames("Alex").setFamilyName("Example").setDateOfBirth("1985-02-03")
                        .setNationality("GBR").setPreferredLanguage("en"))
                .build()).getSubject();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        caseworker().createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setOrder(MonitoringOrder.newBuilder().setSubjectId(subject.getSubjectId()).setLegalAuthority("Bail decision IA/2026/0043")
                        .setStartsAt(Timestamps.of(now.minus(1, ChronoUnit.HOURS))).setEndsAt(Timestamps.of(now.plus(30, ChronoUnit.DAYS)))
                        .setDeviceType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .setConditions(Conditions.newBuilder().setTimeZone("Europe/London")
                                .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)))
                .build());
        Device device = caseworker().registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .addGatewayIds(GATEWAY))
                .build()).getDevice();

        // The gateway's stream is open before the tag is fitted, so nothing stands between the answer and the fix.
        LinkedBlockingQueue<Object> acks = new LinkedBlockingQueue<>();
        StreamObserver<FixBatch> gateway = LocationServiceGrpc.newStub(location)
                .withCallCredentials(Justified.bearer(TestTokens.token(GATEWAY, AGENCY, "device-gateway")))
                .withDeadlineAfter(20, TimeUnit.SECONDS).ingestFixes(new StreamObserver<>() {
                    @Override
                    public void onNext(FixBatchAck a) {
                        acks.add(a);
                    }

                    @Override
                    public void onError(Throwable t) {
                        acks.add(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        var assigned = caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(device.getDeviceId())
                .setSubjectId(subject.getSubjectId()).build());
        // The fix is taken in the millisecond the answer arrived, and sent at once.
        Instant fitted = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        gateway.onNext(FixBatch.newBuilder().setSequence(1).addFixes(fix(device.getSerial(), fitted, 51.5100, -0.1000)).build());
        gateway.onCompleted();
        assertThat(assigned.getLocationPending()).as("location-svc confirmed the assignment before AssignDevice answered").isFalse();
        Object ack = acks.poll(20, TimeUnit.SECONDS);
        assertThat(ack).isInstanceOf(FixBatchAck.class);
        assertThat(((FixBatchAck) ack).getRejectionsList()).isEmpty();
        assertThat(((FixBatchAck) ack).getAccepted()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void callsWithoutAValidTokenAreRefusedAndChangeNothing() {
        int before = caseworker().listSubjects(ListSubjectsRequest.newBuilder().setPageSize(500).build()).getSubjectsCount();
        CreateSubjectRequest req = CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(Subject.newBuilder().setGivenNames("Eve").setFamilyName("Intruder").setDateOfBirth("1980-01-01")
                        .setNationality("GBR").setPreferredLanguage("en"))
                .build();
        for (String token : new String[] { null, TestTokens.expired("alice", AGENCY, "caseworker"),
                TestTokens.signedByStranger("alice", AGENCY, "caseworker") }) {
            assertThatThrownBy(() -> EnrollmentServiceGrpc.newBlockingStub(enrollment).withCallCredentials(Justified.bearer(token))
                    .createSubject(req)).isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        assertThat(caseworker().listSubjects(ListSubjectsRequest.newBuilder().setPageSize(500).build()).getSubjectsCount()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void conditionsWrittenWhileRulesSvcIsDownReachItWhenItReturns() throws Exception {
        suite.stop("rules-svc");
        Subject subject = caseworker().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(Subject.newBuilder().setGivenNames("Kim").setFamilyName("Example").setDateOfBirth("1985-02-03")
                        .setNationality("IRL").setPreferredLanguage("ga"))
                .build()).getSubject();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        MonitoringOrder order = caseworker().createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setOrder(MonitoringOrder.newBuilder().setSubjectId(subject.getSubjectId()).setLegalAuthority("Court order 2026/301")
                        .setStartsAt(Timestamps.of(now.minus(1, ChronoUnit.DAYS))).setEndsAt(Timestamps.of(now.plus(30, ChronoUnit.DAYS)))
                        .setDeviceType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .setConditions(Conditions.newBuilder().setTimeZone("Europe/London")
                                .addZones(Zone.newBuilder().setName("Shop").setKind(ZoneKind.ZONE_KIND_EXCLUSION).setGeojson(SQUARE))
                                .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)))
                .build()).getOrder();
        Device device = caseworker().registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .addGatewayIds(GATEWAY))
                .build()).getDevice();
        caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(device.getDeviceId()).setSubjectId(subject.getSubjectId()).build());
        // enrollment-svc reports the peer as unreachable while the message waits in its outbox.
        await().atMost(Duration.ofSeconds(30)).until(() -> suite.readinessBody("enrollment-svc").contains("\"rules-svc\": \"UNREACHABLE"));

        suite.start("rules-svc");
        suite.awaitReady("rules-svc", Duration.ofSeconds(120));
        String zoneId = order.getConditions().getZones(0).getZoneId();
        AlertFeed feed = AlertFeed.subscribe(rules, TestTokens.token("duty-officer", AGENCY, "caseworker"));
        LinkedBlockingQueue<AlertEvent> alerts = feed.alerts();
        Context.CancellableContext subscription = feed.subscription();
        try {
            // Fixes inside the zone, one every poll, until the redelivered conditions make one an alert.
            long[] seq = { 0 };
            Instant[] at = { now.minus(60, ChronoUnit.MINUTES) };
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                at[0] = at[0].plusSeconds(30);
                send(FixBatch.newBuilder().setSequence(++seq[0]).addFixes(fix(device.getDeviceId(), at[0], 51.5010, -0.1270)).build());
                return alerts.stream().anyMatch(e -> e.getAlert().getSubjectId().equals(subject.getSubjectId())
                        && e.getAlert().getConditionId().equals(zoneId));
            });
        } finally {
            subscription.cancel(null);
        }
    }

    @Test
    @Order(4)
    void readinessGoesDownWithTheDatabaseAndComesBackWithIt() throws Exception {
        for (String s : Suite.SERVICES) {
            assertThat(suite.readiness(s)).as(s).isEqualTo(200);
        }
        suite.postgres("stop");
        for (String s : Suite.SERVICES) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> suite.readiness(s) == 503);
        }
        suite.postgres("start");
        for (String s : Suite.SERVICES) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> suite.readiness(s) == 200);
        }
    }

    static FixBatchAck send(FixBatch batch) throws InterruptedException {
        return send(location, TestTokens.token(GATEWAY, AGENCY, "device-gateway"), batch);
    }

    static FixBatchAck send(ManagedChannel location, String token, FixBatch batch) throws InterruptedException {
        LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
        StreamObserver<FixBatch> stream = LocationServiceGrpc.newStub(location)
                .withCallCredentials(Justified.bearer(token))
                .withDeadlineAfter(20, TimeUnit.SECONDS).ingestFixes(new StreamObserver<>() {
                    @Override
                    public void onNext(FixBatchAck a) {
                        out.add(a);
                    }

                    @Override
                    public void onError(Throwable t) {
                        out.add(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        stream.onNext(batch);
        stream.onCompleted();
        Object r = out.poll(20, TimeUnit.SECONDS);
        if (r instanceof FixBatchAck a) {
            return a;
        }
        throw new AssertionError("no acknowledgement: " + r);
    }

    static Fix fix(String device, Instant at, double lat, double lon) {
        return Fix.newBuilder().setDeviceId(device).setDeviceTime(Timestamps.of(at)).setLatitude(lat).setLongitude(lon)
                .setAccuracyMetres(5).build();
    }

    static byte[] jpeg() throws Exception {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", bytes);
        return bytes.toByteArray();
    }
}
