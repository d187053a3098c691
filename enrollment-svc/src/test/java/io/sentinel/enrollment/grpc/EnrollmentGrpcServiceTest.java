package io.sentinel.enrollment.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.CurfewWindow;
import io.sentinel.api.common.v1.Curfew;
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
import io.sentinel.api.enrollment.v1.GetSubjectRequest;
import io.sentinel.api.enrollment.v1.ListSubjectsRequest;
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.RegisterDeviceRequest;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestPostgres;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.Justified;

@QuarkusTest
class EnrollmentGrpcServiceTest {
    static final String SQUARE = """
            {"type":"Polygon","coordinates":[[[-0.1290,51.5000],[-0.1250,51.5000],[-0.1250,51.5020],[-0.1290,51.5020],[-0.1290,51.5000]]]}""";

    ManagedChannel channel;
    String agency;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub as(String token) {
        return EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(Justified.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub caseworker() {
        return as(TestTokens.token("alice", agency, "caseworker"));
    }

    static Subject.Builder person() {
        return Subject.newBuilder().setGivenNames("Sam").setFamilyName("Example").setDateOfBirth("1990-04-01").setNationality("GBR")
                .setPreferredLanguage("pl");
    }

    Subject createSubject() {
        return caseworker().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(person()).build()).getSubject();
    }

    static MonitoringOrder.Builder order(String subjectId, Conditions.Builder conditions) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return MonitoringOrder.newBuilder().setSubjectId(subjectId).setLegalAuthority("Court order 2026/17")
                .setStartsAt(Timestamps.of(now)).setEndsAt(Timestamps.of(now.plus(60, ChronoUnit.DAYS)))
                .setDeviceType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG).setConditions(conditions);
    }

    static Conditions.Builder conditions() {
        return Conditions.newBuilder().setTimeZone("Europe/London").setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)
                .addZones(Zone.newBuilder().setKind(ZoneKind.ZONE_KIND_EXCLUSION).setName("Street").setGeojson(SQUARE))
                .setCheckIns(CheckInPolicy.newBuilder().setPerDay(3).setWindowStart("08:00").setWindowEnd("20:00"));
    }

    static void assertInvalid(Runnable call, String description) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).isEqualTo(description);
        });
    }

    int subjectCount() {
        return caseworker().listSubjects(ListSubjectsRequest.newBuilder().setPageSize(500).build()).getSubjectsCount();
    }

    static long outboxRows(String subjectId) {
        return Long.parseLong(psql("select count(*) from outbox_message where encode(payload, 'escape') like '%" + subjectId + "%'"));
    }

    static String psql(String sql) {
        try {
            Process p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", String.valueOf(TestPostgres.port()), "-U", "postgres", "-d",
                    "enrollment_test", "-tAc", sql).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void createsASubjectOncePerIdempotencyKey() {
        String key = UUID.randomUUID().toString();
        Subject first = caseworker().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(key).setSubject(person()).build()).getSubject();
        Subject retry = caseworker().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(key).setSubject(person()).build()).getSubject();
        assertThat(retry).isEqualTo(first);
        assertThat(first.getOwningAgencyId()).isEqualTo(agency);
        assertThat(subjectCount()).isEqualTo(1);
    }

    @Test
    void rejectsImplausibleIdentityNamingTheFieldAndStoresNothing() {
        var cw = caseworker();
        assertInvalid(() -> cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("a")
                .setSubject(person().setDateOfBirth("1850-01-01")).build()), "subject.date_of_birth: implausible: the person would be older than 120");
        assertInvalid(() -> cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("b")
                .setSubject(person().setDateOfBirth("01/04/1990")).build()), "subject.date_of_birth: must be an ISO-8601 date YYYY-MM-DD, got '01/04/1990'");
        assertInvalid(() -> cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("c")
                .setSubject(person().setNationality("UK")).build()), "subject.nationality: must be an ISO 3166-1 alpha-3 code (e.g. GBR), got 'UK'");
        assertInvalid(() -> cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("d")
                .setSubject(person().setPreferredLanguage("qq")).build()), "subject.preferred_language: unknown language 'qq' in BCP 47 tag 'qq'");
        assertInvalid(() -> cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("")
                .setSubject(person()).build()), "idempotency_key: must be 1 to 100 characters");
        assertThat(subjectCount()).isZero();
    }

    @Test
    void anotherAgencyCannotSeeTheSubject() {
        Subject s = createSubject();
        assertThatThrownBy(() -> as(TestTokens.token("bob", "agency-other", "caseworker"))
                .getSubject(GetSubjectRequest.newBuilder().setSubjectId(s.getSubjectId()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void refusesCallsWithoutAValidTokenAndStoresNothing() {
        CreateSubjectRequest r = CreateSubjectRequest.newBuilder().setIdempotencyKey("x").setSubject(person()).build();
        for (String token : new String[] { null, TestTokens.expired("alice", agency, "caseworker"),
                TestTokens.signedByStranger("alice", agency, "caseworker") }) {
            assertThatThrownBy(() -> as(token).createSubject(r)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        assertThatThrownBy(() -> as(TestTokens.token("gw", agency, "device-gateway")).createSubject(r))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThat(subjectCount()).isZero();
    }

    @Test
    void anOrderAssignsZoneIdsAndQueuesItsConditionsForThePeersInTheSameTransaction() {
        Subject s = createSubject();
        MonitoringOrder o = caseworker().createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setOrder(order(s.getSubjectId(), conditions())).build()).getOrder();
        assertThat(o.getConditions().getZones(0).getZoneId()).isNotEmpty();
        // Review defaults to four months after the start.
        assertThat(o.getReviewDueAt().getSeconds()).isEqualTo(Instant.ofEpochSecond(o.getStartsAt().getSeconds())
                .atOffset(java.time.ZoneOffset.UTC).plusMonths(4).toEpochSecond());
        // One message for rules-svc, one for biometric-svc (peers are not running in this test: they wait in the outbox).
        assertThat(outboxRows(s.getSubjectId())).isEqualTo(2);
    }

    @Test
    void rejectsBadConditionsNamingTheFieldAndStoresNoOrder() {
        Subject s = createSubject();
        var cw = caseworker();
        String open = SQUARE.replace("[-0.1290,51.5000]]]", "[-0.1291,51.5000]]]");
        assertInvalid(() -> cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o1")
                .setOrder(order(s.getSubjectId(), conditions().setZones(0, Zone.newBuilder().setKind(ZoneKind.ZONE_KIND_EXCLUSION).setGeojson(open))))
                .build()), "order.conditions.zones[0].geojson.coordinates[0]: ring is not closed: first position [-0.129, 51.5] differs from last [-0.1291, 51.5]");
        assertInvalid(() -> cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o2")
                .setOrder(order(s.getSubjectId(), conditions().setCheckIns(CheckInPolicy.newBuilder().setPerDay(6).setWindowStart("08:00").setWindowEnd("20:00"))))
                .build()), "order.conditions.check_ins.per_day: must be 0 to 5, got 6");
        assertInvalid(() -> cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o3")
                .setOrder(order(s.getSubjectId(), conditions()).setEndsAt(Timestamps.of(Instant.now().minus(1, ChronoUnit.DAYS)))).build()),
                "order.ends_at: must be after starts_at");
        Curfew overlapping = Curfew.newBuilder()
                .addWindows(CurfewWindow.newBuilder().setStartDay(1).setStartTime("21:00").setEndTime("07:00"))
                .addWindows(CurfewWindow.newBuilder().setStartDay(2).setStartTime("06:00").setEndTime("08:00")).build();
        assertInvalid(() -> cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o4")
                .setOrder(order(s.getSubjectId(), conditions()
                        .addZones(Zone.newBuilder().setKind(ZoneKind.ZONE_KIND_HOME).setGeojson(SQUARE)).addCurfews(overlapping))).build()),
                "order.conditions.curfews[0].windows[1]: (Tue 06:00-08:00) overlaps curfews[0].windows[0] (Mon 21:00-07:00 (next day))");
        assertInvalid(() -> cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o5")
                .setOrder(order(s.getSubjectId(), conditions().setTimeZone("Mars/Olympus"))).build()),
                "order.conditions.time_zone: must be an IANA time zone (e.g. Europe/London), got 'Mars/Olympus'");
        assertThat(outboxRows(s.getSubjectId())).isZero();
        assertThat(Long.parseLong(psql("select count(*) from monitoring_order where subject_id = '" + s.getSubjectId() + "'"))).isZero();
    }

    @Test
    void aDeviceServesOneSubjectAtATime() {
        Subject a = createSubject();
        Subject b = createSubject();
        var cw = caseworker();
        cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString()).setOrder(order(a.getSubjectId(), conditions())).build());
        cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString()).setOrder(order(b.getSubjectId(), conditions())).build());
        Device d = cw.registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG).addGatewayIds("gw-1")).build()).getDevice();
        Device assigned = cw.assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(d.getDeviceId()).setSubjectId(a.getSubjectId()).build()).getDevice();
        assertThat(assigned.getAssignedSubjectId()).isEqualTo(a.getSubjectId());
        assertThatThrownBy(() -> cw.assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(d.getDeviceId()).setSubjectId(b.getSubjectId()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).isEqualTo("device_id: device is already assigned to another subject");
                });
        assertThatThrownBy(() -> cw.registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial(d.getSerial()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG).addGatewayIds("gw-1")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
    }
}
