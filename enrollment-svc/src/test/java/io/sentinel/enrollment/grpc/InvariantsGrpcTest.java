package io.sentinel.enrollment.grpc;

import static io.sentinel.enrollment.grpc.CaseLifecycleGrpcTest.outbox;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.conditions;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.order;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.person;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.psql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.Curfew;
import io.sentinel.api.common.v1.CurfewWindow;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.enrollment.v1.*;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.common.grpc.GrpcErrorMapping;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.Justified;

/**
 * What the database holds against concurrency and what a purge leaves: one active order per
 * subject, idempotent creates that stay idempotent under parallel retries, unique violations as
 * answers (never INTERNAL), and a purged subject's id refused for anything new. Concurrency is real:
 * eight calls released together against the real database.
 */
@QuarkusTest
class InvariantsGrpcTest {
    static final int PARALLEL = 8;

    ManagedChannel channel;
    String agency;
    ExecutorService pool;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        pool = Executors.newFixedThreadPool(PARALLEL);
    }

    @AfterEach
    void close() throws InterruptedException {
        pool.shutdownNow();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub as(String sub, String... roles) {
        return EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(Justified.bearer(TestTokens.token(sub, agency, roles)))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub caseworker() {
        return as("alice", "caseworker");
    }

    Subject subject() {
        return caseworker().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString()).setSubject(person())
                .build()).getSubject();
    }

    /** Runs {@code call} {@link #PARALLEL} times at once (released by one latch); each result or the status it failed with. */
    <T> List<Object> together(java.util.function.IntFunction<Callable<T>> call) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> futures = new ArrayList<>();
        for (int i = 0; i < PARALLEL; i++) {
            Callable<T> c = call.apply(i);
            futures.add(pool.submit(() -> {
                go.await();
                try {
                    return (Object) c.call();
                } catch (StatusRuntimeException e) {
                    return e.getStatus();
                }
            }));
        }
        go.countDown();
        List<Object> out = new ArrayList<>();
        for (Future<Object> f : futures) {
            out.add(f.get(120, TimeUnit.SECONDS));
        }
        return out;
    }

    static List<Status> failures(List<Object> results) {
        return results.stream().filter(Status.class::isInstance).map(Status.class::cast).toList();
    }

    @Test
    void eightParallelRetriesOfOneCreateOrderAllReturnTheFirstOrder() throws Exception {
        Subject s = subject();
        CreateOrderRequest r = CreateOrderRequest.newBuilder().setIdempotencyKey("court-2026-17").setOrder(order(s.getSubjectId(), conditions()))
                .build();
        List<Object> results = together(i -> () -> caseworker().createOrder(r).getOrder());
        assertThat(failures(results)).as("no retry fails, none with INTERNAL").isEmpty();
        assertThat(results).extracting(o -> ((MonitoringOrder) o).getOrderId()).containsOnly(((MonitoringOrder) results.get(0)).getOrderId());
        assertThat(psql("select count(*) from monitoring_order where subject_id = '" + s.getSubjectId() + "'")).isEqualTo("1");
        assertThat(outbox("rules-svc", "PutSubjectConditions", s.getSubjectId())).hasSize(1);
        assertThat(psql("select resource_id from idempotency_key where agency_id = '" + agency + "' and key = 'court-2026-17'"))
                .isEqualTo(((MonitoringOrder) results.get(0)).getOrderId());
    }

    @Test
    void eightParallelOrdersForOneSubjectLeaveOneActiveAndTheOthersAreToldWhy() throws Exception {
        Subject s = subject();
        List<Object> results = together(i -> () -> caseworker().createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("order-" + i)
                .setOrder(order(s.getSubjectId(), conditions())).build()).getOrder());
        List<Status> refused = failures(results);
        assertThat(results.size() - refused.size()).as("orders created").isEqualTo(1);
        assertThat(refused).hasSize(PARALLEL - 1).allSatisfy(st -> {
            assertThat(st.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(st.getDescription()).startsWith("order.subject_id: subject already has an active order");
        });
        assertThat(psql("select count(*) from monitoring_order where subject_id = '" + s.getSubjectId() + "' and state = 'ORDER_STATE_ACTIVE'"))
                .isEqualTo("1");
        // The losers left nothing behind: no outbox message, no idempotency key.
        assertThat(outbox("rules-svc", "PutSubjectConditions", s.getSubjectId())).hasSize(1);
        assertThat(psql("select count(*) from idempotency_key where agency_id = '" + agency + "' and operation = 'CreateOrder'")).isEqualTo("1");
    }

    @Test
    void theDatabaseRefusesASecondActiveOrderWhateverTheService() {
        Subject s = subject();
        MonitoringOrder o = caseworker().createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o").setOrder(order(s.getSubjectId(),
                conditions())).build()).getOrder();
        String refused = psql("insert into monitoring_order (order_id, subject_id, owning_agency_id, legal_authority, starts_at, "
                + "ends_at, review_due_at, device_type, state, conditions, version, created_at) select gen_random_uuid(), subject_id, "
                + "owning_agency_id, legal_authority, starts_at, ends_at, review_due_at, device_type, state, conditions, 1, now() "
                + "from monitoring_order where order_id = '" + o.getOrderId() + "'");
        assertThat(refused).contains("ERROR").contains("monitoring_order_one_active");
        assertThat(psql("select count(*) from monitoring_order where subject_id = '" + s.getSubjectId() + "'")).isEqualTo("1");
    }

    @Test
    void eightParallelRetriesOfOneCreateSubjectMakeOneSubject() throws Exception {
        CreateSubjectRequest r = CreateSubjectRequest.newBuilder().setIdempotencyKey("intake-7").setSubject(person()).build();
        List<Object> results = together(i -> () -> caseworker().createSubject(r).getSubject());
        assertThat(failures(results)).isEmpty();
        assertThat(results).extracting(x -> ((Subject) x).getSubjectId()).containsOnly(((Subject) results.get(0)).getSubjectId());
        assertThat(psql("select count(*) from subject where owning_agency_id = '" + agency + "'")).isEqualTo("1");
    }

    @Test
    void eightParallelRegistrationsOfOneSerialLeaveOneDeviceAndTheRestAlreadyExist() throws Exception {
        String serial = "TAG-" + UUID.randomUUID();
        List<Object> results = together(i -> () -> caseworker().registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey("reg-" + i)
                .setDevice(Device.newBuilder().setSerial(serial).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG).addGatewayIds("gw-1")).build())
                .getDevice());
        List<Status> refused = failures(results);
        assertThat(results.size() - refused.size()).isEqualTo(1);
        // Those that passed the service's own check lose on the unique constraint: ALREADY_EXISTS either way.
        assertThat(refused).hasSize(PARALLEL - 1).extracting(Status::getCode).containsOnly(Status.Code.ALREADY_EXISTS);
        assertThat(psql("select count(*) from device where serial = '" + serial + "'")).isEqualTo("1");
    }

    @Test
    void aCurfewWindowWhoseEndEqualsItsStartIsAcceptedAsAWholeDay() throws Exception {
        Subject s = subject();
        MonitoringOrder o = caseworker().createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o").setOrder(order(s.getSubjectId(),
                conditions().addZones(Zone.newBuilder().setKind(ZoneKind.ZONE_KIND_HOME).setGeojson(EnrollmentGrpcServiceTest.SQUARE))
                        .addCurfews(Curfew.newBuilder().addWindows(CurfewWindow.newBuilder().setStartDay(6).setStartTime("00:00").setEndTime("00:00")))))
                .build()).getOrder();
        assertThat(o.getConditions().getCurfews(0).getWindows(0).getEndTime()).isEqualTo("00:00");
        PutSubjectConditionsRequest sent = PutSubjectConditionsRequest.parseFrom(outbox("rules-svc", "PutSubjectConditions", s.getSubjectId()).get(0));
        assertThat(sent.getCurfews(0).getWindows(0).getStartTime()).isEqualTo(sent.getCurfews(0).getWindows(0).getEndTime());
        // Until rules-svc acknowledges it, the order says its conditions are pending, for the version sent.
        assertThat(o.getConditionsStatus().getState()).isEqualTo(ConditionsState.CONDITIONS_STATE_PENDING);
        assertThat(o.getConditionsStatus().getVersion()).isEqualTo(sent.getVersion());
    }

    @Test
    void aPurgedSubjectsIdTakesNothingNewAndAnotherAgencyLearnsNothing() throws Exception {
        var admin = as("root", "admin");
        admin.setRetentionPolicy(SetRetentionPolicyRequest.newBuilder()
                .addPeriods(RetentionPurgeGrpcTest.period(DataCategory.DATA_CATEGORY_IDENTITY, 30))
                .addPeriods(RetentionPurgeGrpcTest.period(DataCategory.DATA_CATEGORY_CONDITIONS, 30))
                .addPeriods(RetentionPurgeGrpcTest.period(DataCategory.DATA_CATEGORY_LOCATION_TRAIL, 30))
                .addPeriods(RetentionPurgeGrpcTest.period(DataCategory.DATA_CATEGORY_ALERTS, 30))
                .addPeriods(RetentionPurgeGrpcTest.period(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS, 30)).build());
        Subject s = subject();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        CreateOrderRequest old = CreateOrderRequest.newBuilder().setIdempotencyKey("court-2024-3").setOrder(order(s.getSubjectId(), conditions())
                .setStartsAt(Timestamps.of(now.minus(400, ChronoUnit.DAYS))).setEndsAt(Timestamps.of(now.minus(100, ChronoUnit.DAYS)))).build();
        caseworker().createOrder(old);
        Device d = caseworker().registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey("d").setDevice(Device.newBuilder()
                .setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG).addGatewayIds("gw-1")).build()).getDevice();
        PurgeReport report = admin.runRetentionPurge(RunRetentionPurgeRequest.getDefaultInstance()).getReport();
        assertThat(report.getSubjects()).isEqualTo(1);
        assertThat(psql("select owning_agency_id || '|' || purge_id from purged_subject where subject_id = '" + s.getSubjectId() + "'"))
                .isEqualTo(agency + "|" + report.getPurgeId());

        // A late retry of the order's creation (its idempotency key went with the purge), a new order, a device, a grant: all refused.
        String purged = "subject " + s.getSubjectId() + " was purged (" + report.getPurgeId() + " at ";
        refusedAsPurged(() -> caseworker().createOrder(old), "order.subject_id: " + purged);
        refusedAsPurged(() -> caseworker().createOrder(old.toBuilder().setIdempotencyKey("new").setOrder(order(s.getSubjectId(), conditions()))
                .build()), "order.subject_id: " + purged);
        refusedAsPurged(() -> caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(d.getDeviceId())
                .setSubjectId(s.getSubjectId()).build()), "subject_id: " + purged);
        refusedAsPurged(() -> caseworker().grantSharing(GrantSharingRequest.newBuilder().setIdempotencyKey("g").setSubjectId(s.getSubjectId())
                .setGrant(SharingGrant.newBuilder().setAgencyId("police-x").addCategories(DataCategory.DATA_CATEGORY_ALERTS).setPurpose("case")
                        .setValidUntil(Timestamps.of(now.plus(5, ChronoUnit.DAYS)))).build()), "subject_id: " + purged);
        assertThat(psql("select count(*) from monitoring_order where subject_id = '" + s.getSubjectId() + "'")).isEqualTo("0");

        // Another agency is told what it is told of any id it does not own.
        String mine = agency;
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        assertThatThrownBy(() -> caseworker().createOrder(old.toBuilder().setIdempotencyKey("x").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("subject " + s.getSubjectId() + " not found");
                });
        agency = mine;
    }

    static void refusedAsPurged(Runnable call, String descriptionStart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
            assertThat(e.getTrailers().get(GrpcErrorMapping.REASON_KEY)).isEqualTo("SUBJECT_PURGED");
        });
    }
}
