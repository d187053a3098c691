package io.sentinel.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.GetCheckInRequest;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.common.v1.DataCategory;
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
import io.sentinel.api.enrollment.v1.EndOrderRequest;
import io.sentinel.api.enrollment.v1.EnrollmentServiceGrpc;
import io.sentinel.api.enrollment.v1.GetOrderRequest;
import io.sentinel.api.enrollment.v1.GetPurgeReportRequest;
import io.sentinel.api.enrollment.v1.GetSubjectRequest;
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.PurgeReport;
import io.sentinel.api.enrollment.v1.RegisterDeviceRequest;
import io.sentinel.api.enrollment.v1.RetentionPeriod;
import io.sentinel.api.enrollment.v1.RunRetentionPurgeRequest;
import io.sentinel.api.enrollment.v1.SetRetentionPolicyRequest;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.location.v1.QueryTrailRequest;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/**
 * Retention across the suite: a subject whose order ended long ago has data in all four services
 * (identity, conditions, trail, an alert, a check-in); the purge removes it from every one of
 * them, and the report counts a peer only once that peer confirmed.
 */
class PurgeIT {
    static final String AGENCY = "agency-purge";
    static Suite suite;
    static ManagedChannel enrollment, location, rules, biometric;

    @BeforeAll
    static void start() throws Exception {
        suite = new Suite(AGENCY);
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

    static EnrollmentServiceGrpc.EnrollmentServiceBlockingStub enrollmentAs(String sub, String role) {
        return EnrollmentServiceGrpc.newBlockingStub(enrollment).withCallCredentials(Justified.bearer(TestTokens.token(sub, AGENCY, role)))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static RetentionPeriod period(DataCategory c, int days) {
        return RetentionPeriod.newBuilder().setCategory(c).setDays(days).build();
    }

    @Test
    void aPurgeRemovesTheSubjectFromAllFourServices() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        var caseworker = enrollmentAs("alice", "caseworker");
        Subject subject = caseworker.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(Subject.newBuilder().setGivenNames("Lee").setFamilyName("Example").setDateOfBirth("1979-06-30")
                        .setNationality("ROU").setPreferredLanguage("ro")).build()).getSubject();
        // An order in force now (fixes, alerts and check-ins count only inside its window); once its data
        // is in every service it is ended, and two years are then made to pass for it (below).
        MonitoringOrder order = caseworker.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setOrder(MonitoringOrder.newBuilder().setSubjectId(subject.getSubjectId()).setLegalAuthority("Court order 2023/7")
                        .setStartsAt(Timestamps.of(now.minus(1, ChronoUnit.HOURS))).setEndsAt(Timestamps.of(now.plus(1, ChronoUnit.HOURS)))
                        .setDeviceType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .setConditions(Conditions.newBuilder().setTimeZone("Europe/London")
                                .addZones(Zone.newBuilder().setName("Street").setKind(ZoneKind.ZONE_KIND_EXCLUSION).setGeojson(SliceIT.SQUARE))
                                .setCheckIns(CheckInPolicy.newBuilder().setPerDay(1).setWindowStart("09:00").setWindowEnd("18:00"))
                                .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)))
                .build()).getOrder();
        Device device = caseworker.registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .addGatewayIds("gw")).build())
                .getDevice();
        caseworker.assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(device.getDeviceId()).setSubjectId(subject.getSubjectId()).build());

        // Data in every service: a trail with a breach long enough to raise an alert, and a check-in.
        String gateway = TestTokens.token("gw", AGENCY, "device-gateway");
        long[] seq = { 0 };
        Instant[] at = { now.minus(30, ChronoUnit.MINUTES) };
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            at[0] = at[0].plusSeconds(30);
            SliceIT.send(location, gateway, FixBatch.newBuilder().setSequence(++seq[0])
                    .addFixes(Fix.newBuilder().setDeviceId(device.getDeviceId()).setDeviceTime(Timestamps.of(at[0])).setLatitude(51.5010)
                            .setLongitude(-0.1270).setAccuracyMetres(5)).build());
            return RulesServiceGrpc.newBlockingStub(rules)
                    .withCallCredentials(Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker")))
                    .listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject.getSubjectId()).build()).getAlertsCount() > 0;
        });
        var watch = BiometricServiceGrpc.newBlockingStub(biometric).withCallCredentials(Justified.bearer(TestTokens.token("watch", AGENCY, "device-gateway")));
        CheckIn[] checkIn = new CheckIn[1];
        await().atMost(Duration.ofSeconds(30)).ignoreExceptionsMatching(
                e -> e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND).until(() -> {
                    checkIn[0] = watch.submitCheckIn(SubmitCheckInRequest.newBuilder().setSubjectId(subject.getSubjectId())
                            .setCapturedAt(Timestamps.of(now)).setImage(ByteString.copyFrom(SliceIT.jpeg())).setContentType("image/jpeg").build())
                            .getCheckIn();
                    return true;
                });
        assertThat(trail(subject.getSubjectId())).isPositive();

        // The order ends (EndOrder, as a caseworker would), then two years pass for it: the only clock a
        // purge reads is enrollment-svc's record of when monitoring ended, moved back in its database.
        MonitoringOrder current = caseworker.getOrder(GetOrderRequest.newBuilder().setOrderId(order.getOrderId()).build()).getOrder();
        caseworker.endOrder(EndOrderRequest.newBuilder().setOrderId(order.getOrderId()).setVersion(current.getVersion()).build());
        suite.sql("e2e_enrollment", "update monitoring_order set starts_at = starts_at - interval '730 days', ends_at = ends_at - interval '730 days',"
                + " ended_at = ended_at - interval '730 days' where order_id = '" + order.getOrderId() + "'");

        var admin = enrollmentAs("root", "admin");
        admin.setRetentionPolicy(SetRetentionPolicyRequest.newBuilder()
                .addPeriods(period(DataCategory.DATA_CATEGORY_IDENTITY, 400)).addPeriods(period(DataCategory.DATA_CATEGORY_CONDITIONS, 400))
                .addPeriods(period(DataCategory.DATA_CATEGORY_LOCATION_TRAIL, 100)).addPeriods(period(DataCategory.DATA_CATEGORY_ALERTS, 100))
                .addPeriods(period(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS, 100)).build());
        PurgeReport report = admin.runRetentionPurge(RunRetentionPurgeRequest.getDefaultInstance()).getReport();
        assertThat(report.getSubjects()).isEqualTo(1);

        // The peers confirm through the outbox; the report says complete only when all three have.
        PurgeReport[] done = new PurgeReport[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            done[0] = admin.getPurgeReport(GetPurgeReportRequest.newBuilder().setPurgeId(report.getPurgeId()).build()).getReport();
            return done[0].getComplete();
        });
        assertThat(done[0].getPeersList()).allSatisfy(p -> assertThat(p.getConfirmed()).isEqualTo(p.getRequested()));

        assertThatThrownBy(() -> caseworker.getSubject(GetSubjectRequest.newBuilder().setSubjectId(subject.getSubjectId()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThat(RulesServiceGrpc.newBlockingStub(rules).withCallCredentials(Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker")))
                .listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject.getSubjectId()).build()).getAlertsCount()).isZero();
        // location-svc holds nothing of the subject any more, not even whose it was: the trail is empty, or
        // the read is refused because no agency owns the subject there.
        try {
            assertThat(trail(subject.getSubjectId())).isZero();
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isIn(Status.Code.NOT_FOUND, Status.Code.PERMISSION_DENIED);
        }
        assertThatThrownBy(() -> BiometricServiceGrpc.newBlockingStub(biometric)
                .withCallCredentials(Justified.bearer(TestTokens.token("rita", AGENCY, "reviewer")))
                .getCheckIn(GetCheckInRequest.newBuilder().setCheckInId(checkIn[0].getCheckInId()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThat(order.getOrderId()).isNotEmpty();
    }

    static int trail(String subjectId) {
        Instant now = Instant.now();
        return LocationServiceGrpc.newBlockingStub(location)
                .withCallCredentials(Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker"), "retention verification", "purge test", null))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .queryTrail(QueryTrailRequest.newBuilder().setSubjectId(subjectId).setFrom(Timestamps.of(now.minus(1, ChronoUnit.DAYS)))
                        .setTo(Timestamps.of(now.plusSeconds(60))).build())
                .getPointsCount();
    }
}
