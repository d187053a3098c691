package io.sentinel.location.grpc;

import static io.restassured.RestAssured.given;
import static io.sentinel.location.grpc.LocationGrpcServiceTest.batch;
import static io.sentinel.location.grpc.LocationGrpcServiceTest.fix;
import static io.sentinel.location.grpc.LocationGrpcServiceTest.gateway;
import static io.sentinel.location.grpc.LocationGrpcServiceTest.psql;
import static io.sentinel.location.grpc.LocationGrpcServiceTest.storedFixes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.internal.v1.LocationIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.FixBatchAck;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;

/**
 * The order's legal window at location-svc: a fix outside [starts_at, ends_at) is refused with
 * OUT_OF_RANGE naming the device and the window and is not stored; and a refusal is decided on the
 * database, not only on this replica's cache of the assignments.
 */
@QuarkusTest
class OrderWindowIngestTest {
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

    /** A device assigned to a new subject under an order whose window is [starts, ends), bound to gw-1. */
    String deviceInWindow(Instant starts, Instant ends) {
        String device = UUID.randomUUID().toString();
        GrpcTestChannels.asService(LocationIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "location-svc")
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .putDeviceAssignment(PutDeviceAssignmentRequest.newBuilder().setDeviceId(device).setSubjectId(UUID.randomUUID().toString())
                        .setOwningAgencyId(AGENCY).setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL).setVersion(1)
                        .setEffectiveAt(Timestamps.of(starts)).addGatewayIds("gw-1")
                        .setOrderStartsAt(Timestamps.of(starts)).setOrderEndsAt(Timestamps.of(ends)).build());
        return device;
    }

    @Test
    void refusesAFixBeforeTheWindowOpensAndStoresOneAtItsStart() throws Exception {
        Instant starts = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        String device = deviceInWindow(starts, starts.plus(30, ChronoUnit.DAYS));
        FixBatchAck ack = stream(gateway("gw-1"), List.of(batch(fix(device, starts.minusSeconds(1), 51.5, -0.12),
                fix(device, starts, 51.5, -0.12)))).get(0);
        assertThat(ack.getAccepted()).isEqualTo(1);
        assertThat(ack.getRejectionsList()).hasSize(1);
        assertThat(ack.getRejections(0).getIndex()).isZero();
        assertThat(ack.getRejections(0).getCode()).isEqualTo("OUT_OF_RANGE");
        assertThat(ack.getRejections(0).getField()).isEqualTo("device_time");
        assertThat(ack.getRejections(0).getReason()).contains(device).contains("before the order's window [" + starts + ", ");
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void refusesAFixAtOrAfterTheWindowsEndAndStoresOneJustBefore() throws Exception {
        Instant ends = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String device = deviceInWindow(ends.minus(1, ChronoUnit.DAYS), ends);
        FixBatchAck ack = stream(gateway("gw-1"), List.of(batch(fix(device, ends.minusSeconds(1), 51.5, -0.12),
                fix(device, ends, 51.5, -0.12), fix(device, Instant.now().minusSeconds(5), 51.5, -0.12)))).get(0);
        assertThat(ack.getAccepted()).isEqualTo(1);
        assertThat(ack.getRejectionsList()).extracting(r -> r.getIndex() + ":" + r.getCode()).containsExactly("1:OUT_OF_RANGE", "2:OUT_OF_RANGE");
        assertThat(ack.getRejections(0).getReason()).contains("after the order's window").contains(ends.toString() + ")");
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void anHttpProtocolAnswersAFixOutsideTheWindowWith422() {
        Instant ends = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String device = deviceInWindow(ends.minus(1, ChronoUnit.DAYS), ends);
        given().auth().oauth2(gateway("gw-1"))
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + Instant.now().minusSeconds(5).getEpochSecond() + "&lat=51.5&lon=-0.12")
                .then().statusCode(422).contentType("application/problem+json").body(containsString("out-of-range"))
                .body(containsString("after the order's window"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void anAssignmentAnotherReplicaStoredIsFoundInTheDatabaseBeforeAFixIsRefused() throws Exception {
        String device = UUID.randomUUID().toString();
        String subject = UUID.randomUUID().toString();
        // As another replica stores it: in the table, not in this replica's memory (its refresh has not run).
        psql("insert into device_assignment (device_id, subject_id, owning_agency_id, cadence, version, effective_at, updated_at,"
                + " expected_interval_seconds, gateway_ids, order_starts_at, order_ends_at) values ('" + device + "', '" + subject
                + "', '" + AGENCY + "', 'LOCATION_CADENCE_CONTINUOUS_TRAIL', 5, now() - interval '1 hour', now(), 900, 'gw-1',"
                + " now() - interval '1 hour', now() + interval '30 days')");
        FixBatchAck ack = stream(gateway("gw-1"), List.of(batch(fix(device, Instant.now().minusSeconds(5), 51.5, -0.12)))).get(0);
        assertThat(ack.getRejectionsList()).isEmpty();
        assertThat(ack.getAccepted()).isEqualTo(1);
        assertThat(psql("select count(*) from fix where device_id = '" + device + "' and subject_id = '" + subject + "'")).isEqualTo("1");
    }

    @Test
    void anUnknownDeviceIsNotFoundAndAReleasedOneIsAFailedPrecondition() throws Exception {
        String unknown = UUID.randomUUID().toString();
        String registered = UUID.randomUUID().toString();
        // What enrollment-svc sends at RegisterDevice: the device, assigned to nobody.
        GrpcTestChannels.asService(LocationIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "location-svc")
                .putDeviceAssignment(PutDeviceAssignmentRequest.newBuilder().setDeviceId(registered).setOwningAgencyId(AGENCY).setVersion(1)
                        .setEffectiveAt(Timestamps.of(Instant.now())).addGatewayIds("gw-1").build());
        Instant t = Instant.now().minusSeconds(5);
        FixBatchAck ack = stream(gateway("gw-1"), List.of(batch(fix(unknown, t, 51.5, -0.12), fix(registered, t, 51.5, -0.12)))).get(0);
        assertThat(ack.getRejectionsList()).extracting(r -> r.getIndex() + ":" + r.getCode()).containsExactly("0:NOT_FOUND", "1:FAILED_PRECONDITION");
        assertThat(ack.getRejections(0).getReason()).contains("is not a registered device");
        assertThat(ack.getRejections(1).getReason()).contains("is registered, but no assignment is in force here");
    }

    /** Sends batches on one stream and returns the acknowledgements (or throws the stream's failure). */
    List<FixBatchAck> stream(String token, List<FixBatch> batches) throws InterruptedException {
        LinkedBlockingQueue<Object> results = new LinkedBlockingQueue<>();
        StreamObserver<FixBatch> out = LocationServiceGrpc.newStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(20, TimeUnit.SECONDS).ingestFixes(new StreamObserver<>() {
                    @Override
                    public void onNext(FixBatchAck ack) {
                        results.add(ack);
                    }

                    @Override
                    public void onError(Throwable t) {
                        results.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        results.add("done");
                    }
                });
        batches.forEach(out::onNext);
        out.onCompleted();
        List<FixBatchAck> acks = new ArrayList<>();
        while (true) {
            Object r = results.poll(20, TimeUnit.SECONDS);
            if (r instanceof FixBatchAck a) {
                acks.add(a);
            } else if (r instanceof StatusRuntimeException e) {
                throw e;
            } else if (r == null) {
                throw new AssertionError("no answer from the stream within 20 s");
            } else {
                return acks;
            }
        }
    }
}
