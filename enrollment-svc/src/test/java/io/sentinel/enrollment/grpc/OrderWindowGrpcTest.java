package io.sentinel.enrollment.grpc;

import static io.sentinel.enrollment.grpc.CaseLifecycleGrpcTest.afterRegistration;
import static io.sentinel.enrollment.grpc.CaseLifecycleGrpcTest.assignment;
import static io.sentinel.enrollment.grpc.CaseLifecycleGrpcTest.outbox;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.conditions;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.order;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.person;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.psql;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.enrollment.v1.*;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.Justified;
import io.sentinel.enrollment.service.OrderExpiry;

/**
 * The order's legal window leaves enrollment-svc with every message a peer acts on; orders end at
 * ends_at through EndOrder's path, once, whichever runner gets there; AssignDevice says when
 * location-svc could not confirm the assignment (in this test it is unreachable: port 1).
 */
@QuarkusTest
class OrderWindowGrpcTest {
    @Inject
    OrderExpiry expiry;

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

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub caseworker() {
        return EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(Justified.bearer(TestTokens.token("alice", agency, "caseworker")))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    Subject subject() {
        return caseworker().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(person()).build()).getSubject();
    }

    MonitoringOrder activeOrder(Subject s) {
        return caseworker().createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setOrder(order(s.getSubjectId(), conditions())).build()).getOrder();
    }

    Device device() {
        return caseworker().registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .addGatewayIds("gw-1")).build()).getDevice();
    }

    /** Moves an order's window into the past, as if its ends_at had passed: due for the expiry job. */
    static void windowPassed(String orderId) {
        psql("update monitoring_order set starts_at = now() - interval '2 days', ends_at = now() - interval '1 minute'"
                + " where order_id = '" + orderId + "'");
    }

    static int expire(OrderExpiry expiry) {
        try {
            return VertxContextSupport.subscribeAndAwait(expiry::expireDue);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static <T extends com.google.protobuf.Message> T last(List<byte[]> payloads, com.google.protobuf.Parser<T> parser) throws Exception {
        return parser.parseFrom(payloads.get(payloads.size() - 1));
    }

    @Test
    void theWindowTravelsWithConditionsScheduleAndAssignmentAndAssignDeviceSaysLocationIsPending() throws Exception {
        Subject s = subject();
        MonitoringOrder o = activeOrder(s);
        Device d = device();
        AssignDeviceResponse assigned = caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(d.getDeviceId())
                .setSubjectId(s.getSubjectId()).build());
        // location-svc is unreachable here: the assignment stands, the outbox holds it, the answer says so.
        assertThat(assigned.getDevice().getAssignedSubjectId()).isEqualTo(s.getSubjectId());
        assertThat(assigned.getLocationPending()).isTrue();

        PutSubjectConditionsRequest rules = last(outbox("rules-svc", "PutSubjectConditions", s.getSubjectId()), PutSubjectConditionsRequest.parser());
        assertThat(rules.getOrderStartsAt()).isEqualTo(o.getStartsAt());
        assertThat(rules.getOrderEndsAt()).isEqualTo(o.getEndsAt());
        PutCheckInScheduleRequest schedule = last(outbox("biometric-svc", "PutCheckInSchedule", s.getSubjectId()), PutCheckInScheduleRequest.parser());
        assertThat(schedule.getOrderStartsAt()).isEqualTo(o.getStartsAt());
        assertThat(schedule.getOrderEndsAt()).isEqualTo(o.getEndsAt());
        PutDeviceAssignmentRequest toLocation = assignment(afterRegistration(d.getDeviceId()).get(0));
        assertThat(toLocation.getSubjectId()).isEqualTo(s.getSubjectId());
        assertThat(toLocation.getOrderStartsAt()).isEqualTo(o.getStartsAt());
        assertThat(toLocation.getOrderEndsAt()).isEqualTo(o.getEndsAt());
    }

    @Test
    void endOrderAtAFutureTimeShortensTheWindowForEveryPeerAndKeepsTheOrderActive() throws Exception {
        Subject s = subject();
        MonitoringOrder o = activeOrder(s);
        Device d = device();
        caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(d.getDeviceId()).setSubjectId(s.getSubjectId()).build());
        Instant newEnd = Instant.now().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        MonitoringOrder shortened = caseworker().endOrder(EndOrderRequest.newBuilder().setOrderId(o.getOrderId()).setVersion(1)
                .setEndedAt(Timestamps.of(newEnd)).build()).getOrder();
        assertThat(shortened.getState()).isEqualTo(OrderState.ORDER_STATE_ACTIVE);
        assertThat(shortened.getEndsAt()).isEqualTo(Timestamps.of(newEnd));
        assertThat(shortened.hasEndedAt()).isFalse();
        assertThat(shortened.getVersion()).isEqualTo(2);

        PutSubjectConditionsRequest rules = last(outbox("rules-svc", "PutSubjectConditions", s.getSubjectId()), PutSubjectConditionsRequest.parser());
        assertThat(rules.getActive()).isTrue();
        assertThat(rules.getOrderEndsAt()).isEqualTo(Timestamps.of(newEnd));
        assertThat(last(outbox("biometric-svc", "PutCheckInSchedule", s.getSubjectId()), PutCheckInScheduleRequest.parser()).getOrderEndsAt())
                .isEqualTo(Timestamps.of(newEnd));
        List<byte[]> toLocation = afterRegistration(d.getDeviceId());
        assertThat(toLocation).hasSize(2);
        PutDeviceAssignmentRequest again = assignment(toLocation.get(1));
        assertThat(again.getOrderEndsAt()).isEqualTo(Timestamps.of(newEnd));
        assertThat(again.getSubjectId()).isEqualTo(s.getSubjectId());
        assertThat(again.getVersion()).isGreaterThan(assignment(toLocation.get(0)).getVersion());
    }

    @Test
    void theExpiryJobEndsAnOrderWhoseWindowClosedAsEndOrderDoes() throws Exception {
        Subject s = subject();
        MonitoringOrder o = activeOrder(s);
        Device d = device();
        caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(d.getDeviceId()).setSubjectId(s.getSubjectId()).build());
        windowPassed(o.getOrderId());
        String endsAt = psql("select ends_at from monitoring_order where order_id = '" + o.getOrderId() + "'");

        expire(expiry);

        MonitoringOrder ended = caseworker().getOrder(GetOrderRequest.newBuilder().setOrderId(o.getOrderId()).build()).getOrder();
        assertThat(ended.getState()).isEqualTo(OrderState.ORDER_STATE_ENDED);
        assertThat(ended.getVersion()).isEqualTo(2);
        assertThat(ended.getEndedAt()).isEqualTo(ended.getEndsAt());
        assertThat(psql("select ended_at = ends_at and ends_at = '" + endsAt + "'::timestamptz from monitoring_order where order_id = '"
                + o.getOrderId() + "'")).isEqualTo("t");
        // The peers stop: rules-svc and biometric-svc are told monitoring ended, location-svc that the device reports for nobody.
        assertThat(last(outbox("rules-svc", "PutSubjectConditions", s.getSubjectId()), PutSubjectConditionsRequest.parser()).getActive()).isFalse();
        assertThat(last(outbox("biometric-svc", "PutCheckInSchedule", s.getSubjectId()), PutCheckInScheduleRequest.parser()).getActive()).isFalse();
        assertThat(assignment(afterRegistration(d.getDeviceId()).get(1)).getSubjectId()).isEmpty();
        assertThat(caseworker().getDevice(GetDeviceRequest.newBuilder().setDeviceId(d.getDeviceId()).build()).getDevice().getAssignedSubjectId())
                .isEmpty();
        assertThat(psql("select count(*) from audit_entry where action = 'order.expire' and '" + s.getSubjectId() + "' = any(subject_ids)"))
                .isEqualTo("1");
        // Run again: nothing more to end.
        expire(expiry);
        assertThat(caseworker().getOrder(GetOrderRequest.newBuilder().setOrderId(o.getOrderId()).build()).getOrder().getVersion()).isEqualTo(2);
    }

    @Test
    void aDeviceIsNotAssignedUnderAnOrderWhoseWindowHasClosed() {
        Subject s = subject();
        MonitoringOrder o = activeOrder(s);
        windowPassed(o.getOrderId());
        Device d = device();
        CaseLifecycleGrpcTest.assertStatus(() -> caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(d.getDeviceId())
                .setSubjectId(s.getSubjectId()).build()), Status.Code.FAILED_PRECONDITION, null);
        assertThat(psql("select assigned_subject_id is null from device where device_id = '" + d.getDeviceId() + "'")).isEqualTo("t");
    }

    @Test
    void twoExpiryRunnersAtOnceEndEveryDueOrderExactlyOnce() throws Exception {
        // More than one claim batch, so the runners meet on several.
        List<MonitoringOrder> due = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            MonitoringOrder o = activeOrder(subject());
            windowPassed(o.getOrderId());
            due.add(o);
        }
        // Each runner on its own thread and Vert.x context, as two replicas (the scheduled job may join in: all the better).
        CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> expire(expiry));
        CompletableFuture<Integer> b = CompletableFuture.supplyAsync(() -> expire(expiry));
        int ended = a.get(60, TimeUnit.SECONDS) + b.get(60, TimeUnit.SECONDS);
        assertThat(ended).isLessThanOrEqualTo(due.size());
        for (MonitoringOrder o : due) {
            assertThat(psql("select state || ' ' || version from monitoring_order where order_id = '" + o.getOrderId() + "'"))
                    .isEqualTo("ORDER_STATE_ENDED 2");
            assertThat(psql("select count(*) from audit_entry where action = 'order.expire' and '" + o.getSubjectId() + "' = any(subject_ids)"))
                    .isEqualTo("1");
            // Created, then ended: two messages to rules-svc, never a third.
            assertThat(outbox("rules-svc", "PutSubjectConditions", o.getSubjectId())).hasSize(2);
        }
    }
}
