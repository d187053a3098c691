package io.sentinel.location.grpc;

import io.sentinel.api.internal.v1.LocationIntakeServiceGrpc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.FixBatchAck;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestPostgres;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

@QuarkusTest
class LocationGrpcServiceTest {
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

    LocationServiceGrpc.LocationServiceBlockingStub blocking(String token) {
        return LocationServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** A device assigned to a new subject, bound to the gateways this class's tests use ("gw-1", "gw"). */
    String assignedDevice() {
        return assignedDevice("gw-1", "gw");
    }

    /** A device assigned to a new subject of {@link #AGENCY}, bound to {@code gateways}. */
    String assignedDevice(String... gateways) {
        String device = UUID.randomUUID().toString();
        put(device, UUID.randomUUID().toString(), 1, gateways);
        return device;
    }

    /** PutDeviceAssignment as enrollment-svc sends it; {@code subject} null releases the device. */
    void put(String device, String subject, long version, String... gateways) {
        PutDeviceAssignmentRequest.Builder r = PutDeviceAssignmentRequest.newBuilder().setDeviceId(device).setOwningAgencyId(AGENCY)
                .setVersion(version).setEffectiveAt(Timestamps.of(Instant.now())).addAllGatewayIds(List.of(gateways));
        if (subject != null) {
            r.setSubjectId(subject).setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        }
        GrpcTestChannels.asService(LocationIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "location-svc")
                .putDeviceAssignment(r.build());
    }

    static String gateway(String subject) {
        return TestTokens.token(subject, AGENCY, "device-gateway");
    }

    static FixBatch batch(Fix... fixes) {
        return FixBatch.newBuilder().setSequence(1).addAllFixes(List.of(fixes)).build();
    }

    static Fix fix(String device, Instant at, double lat, double lon) {
        return Fix.newBuilder().setDeviceId(device).setDeviceTime(Timestamps.of(at)).setLatitude(lat).setLongitude(lon)
                .setAccuracyMetres(6).build();
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

    static long storedFixes(String device) {
        return Long.parseLong(psql("select count(*) from fix where device_id = '" + device + "'"));
    }

    static String psql(String sql) {
        try {
            Process p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", String.valueOf(TestPostgres.port()), "-U",
                    "postgres", "-d", "location_test", "-tAc", sql).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void acknowledgesEachBatchAfterStoringItAndStoresNoDuplicateOnResend() throws Exception {
        String device = assignedDevice();
        Instant t0 = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        FixBatch b1 = FixBatch.newBuilder().setSequence(1).addFixes(fix(device, t0, 51.50, -0.12))
                .addFixes(fix(device, t0.plusSeconds(30), 51.5001, -0.1201)).build();
        FixBatch b2 = FixBatch.newBuilder().setSequence(2).addFixes(fix(device, t0.plusSeconds(60), 51.5002, -0.1202)).build();
        String gateway = TestTokens.token("gw-1", AGENCY, "device-gateway");

        List<FixBatchAck> acks = stream(gateway, List.of(b1, b2));
        assertThat(acks).extracting(FixBatchAck::getSequence).containsExactly(1L, 2L);
        assertThat(acks).extracting(FixBatchAck::getAccepted).containsExactly(2, 1);
        assertThat(storedFixes(device)).isEqualTo(3);

        // The gateway reconnects and resends everything it had not seen acknowledged.
        List<FixBatchAck> again = stream(gateway, List.of(b1, b2));
        assertThat(again).extracting(FixBatchAck::getSequence).containsExactly(1L, 2L);
        assertThat(storedFixes(device)).isEqualTo(3);
    }

    @Test
    void aFixInsertWaitsForAnotherReplicasCommitSoFixIdsCommitInOrder() throws Exception {
        String device = assignedDevice();
        String gateway = TestTokens.token("gw-1", AGENCY, "device-gateway");
        // Another replica is committing fixes: its transaction holds the order lock.
        Process other = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", String.valueOf(TestPostgres.port()), "-U", "postgres",
                "-d", "location_test", "-qtA").redirectErrorStream(true).start();
        var toOther = new java.io.PrintWriter(other.getOutputStream(), true);
        var fromOther = new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream()));
        try {
            toOther.println("begin; select pg_advisory_xact_lock(" + io.sentinel.location.repository.FixRepository.FIX_ID_ORDER_LOCK
                    + "); select 'held';");
            String line;
            while ((line = fromOther.readLine()) != null && !line.equals("held")) {
                // psql echoes nothing else in quiet mode but an empty result line
            }
            assertThat(line).isEqualTo("held");

            FixBatch batch = FixBatch.newBuilder().setSequence(1)
                    .addFixes(fix(device, Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS), 51.5, -0.12)).build();
            java.util.concurrent.CompletableFuture<List<FixBatchAck>> acks = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return stream(gateway, List.of(batch));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Not committed, so not acknowledged, while the other transaction is open.
            org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.TimeoutException.class, () -> acks.get(1, TimeUnit.SECONDS));
            assertThat(storedFixes(device)).isZero();

            toOther.println("commit;");
            assertThat(acks.get(20, TimeUnit.SECONDS)).extracting(FixBatchAck::getAccepted).containsExactly(1);
            assertThat(storedFixes(device)).isEqualTo(1);
        } finally {
            toOther.println("\\q");
            other.destroy();
        }
    }

    @Test
    void rejectsBadFixesNamingTheFieldAndStoresTheRest() throws Exception {
        String device = assignedDevice();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        FixBatch batch = FixBatch.newBuilder().setSequence(7)
                .addFixes(fix(device, now.minusSeconds(5), 91, 0))
                .addFixes(fix(device, now.minusSeconds(4), Double.NaN, 0))
                .addFixes(fix(device, now.plus(Duration.ofMinutes(7)), 51.5, -0.12))
                .addFixes(fix(UUID.randomUUID().toString(), now.minusSeconds(3), 51.5, -0.12))
                .addFixes(fix(device, now.minusSeconds(2), 51.5, -0.12))
                .build();
        FixBatchAck ack = stream(TestTokens.token("gw-1", AGENCY, "device-gateway"), List.of(batch)).get(0);
        assertThat(ack.getAccepted()).isEqualTo(1);
        assertThat(ack.getRejectionsList()).extracting(r -> r.getIndex() + ":" + r.getField() + ":" + r.getCode())
                .containsExactly("0:latitude:INVALID_ARGUMENT", "1:latitude:INVALID_ARGUMENT", "2:device_time:INVALID_ARGUMENT",
                        "3:device_id:NOT_FOUND");
        assertThat(ack.getRejections(0).getReason()).contains("[-90, 90]");
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void rejectsAZeroAccuracyAHeadingOf360AndNegativeNanosNamingTheFieldAndStoresTheRest() throws Exception {
        String device = assignedDevice();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Fix good = fix(device, now.minusSeconds(1), 51.5, -0.12);
        FixBatch batch = FixBatch.newBuilder().setSequence(3)
                .addFixes(fix(device, now.minusSeconds(5), 51.5, -0.12).toBuilder().setAccuracyMetres(0))
                .addFixes(fix(device, now.minusSeconds(4), 51.5, -0.12).toBuilder().setHeadingDegrees(360))
                .addFixes(fix(device, now.minusSeconds(3), 51.5, -0.12).toBuilder()
                        .setDeviceTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.minusSeconds(3).getEpochSecond()).setNanos(-1)))
                .addFixes(good)
                .build();
        FixBatchAck ack = stream(TestTokens.token("gw-1", AGENCY, "device-gateway"), List.of(batch)).get(0);
        assertThat(ack.getAccepted()).isEqualTo(1);
        assertThat(ack.getRejectionsList()).extracting(r -> r.getIndex() + ":" + r.getField() + ":" + r.getCode() + ":" + r.getReason())
                .containsExactly("0:accuracy_metres:INVALID_ARGUMENT:accuracy_metres must be a finite number > 0, got 0.0",
                        "1:heading_degrees:INVALID_ARGUMENT:heading_degrees must be within [0, 360), got 360.0",
                        "2:device_time:INVALID_ARGUMENT:device_time nanos must be within [0, 999999999], got -1");
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void rejectsAnOversizedBatchWhole() throws Exception {
        String device = assignedDevice();
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        FixBatch.Builder big = FixBatch.newBuilder().setSequence(1);
        for (int i = 0; i < 1001; i++) {
            big.addFixes(fix(device, t0.plusSeconds(i), 51.5, -0.12));
        }
        FixBatchAck ack = stream(TestTokens.token("gw-1", AGENCY, "device-gateway"), List.of(big.build())).get(0);
        assertThat(ack.getAccepted()).isZero();
        assertThat(ack.getRejections(0).getField()).isEqualTo("fixes");
        assertThat(ack.getRejections(0).getIndex()).isEqualTo(-1);
        assertThat(ack.getRejections(0).getCode()).isEqualTo("INVALID_ARGUMENT");
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void treatsAnotherAgencysDeviceAsUnknown() throws Exception {
        String device = assignedDevice();
        FixBatchAck ack = stream(TestTokens.token("gw-b", "agency-b", "device-gateway"),
                List.of(FixBatch.newBuilder().setSequence(1).addFixes(fix(device, Instant.now().minusSeconds(5), 51.5, -0.12)).build())).get(0);
        assertThat(ack.getAccepted()).isZero();
        assertThat(ack.getRejections(0).getField()).isEqualTo("device_id");
        assertThat(ack.getRejections(0).getCode()).isEqualTo("NOT_FOUND");
        assertThat(storedFixes(device)).isZero();
    }

    // ---- gateway binding

    @Test
    void storesAFixFromTheBoundGatewayAndRefusesTheSameFixFromAnotherGatewayOfTheAgency() throws Exception {
        String device = assignedDevice("gw-1");
        FixBatch b = batch(fix(device, Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS), 51.5, -0.12));

        FixBatchAck refused = stream(gateway("gw-2"), List.of(b)).get(0);
        assertThat(refused.getAccepted()).isZero();
        assertThat(refused.getRejectionsList()).hasSize(1);
        assertThat(refused.getRejections(0).getIndex()).isZero();
        assertThat(refused.getRejections(0).getField()).isEqualTo("device_id");
        assertThat(refused.getRejections(0).getCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(refused.getRejections(0).getReason()).isEqualTo("gateway 'gw-2' is not bound to device " + device);
        assertThat(storedFixes(device)).isZero();

        FixBatchAck stored = stream(gateway("gw-1"), List.of(b)).get(0);
        assertThat(stored.getAccepted()).isEqualTo(1);
        assertThat(stored.getRejectionsList()).isEmpty();
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void aGatewayBoundToOneDeviceGetsItsFixesStoredAndEachFixOfAnotherDeviceRefused() throws Exception {
        String a = assignedDevice("gw-a");
        String b = assignedDevice("gw-b");
        Instant t = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
        FixBatchAck ack = stream(gateway("gw-a"), List.of(batch(fix(a, t, 51.5, -0.12), fix(b, t, 51.5, -0.12),
                fix(a, t.plusSeconds(10), 51.5001, -0.12)))).get(0);
        assertThat(ack.getAccepted()).isEqualTo(2);
        assertThat(ack.getRejectionsList()).extracting(r -> r.getIndex() + ":" + r.getField() + ":" + r.getCode() + ":" + r.getReason())
                .containsExactly("1:device_id:PERMISSION_DENIED:gateway 'gw-a' is not bound to device " + b);
        assertThat(storedFixes(a)).isEqualTo(2);
        assertThat(storedFixes(b)).isZero();
    }

    @Test
    void aReassignmentWithANewBindingRefusesTheOldGatewayAndAcceptsTheNewOne() throws Exception {
        String device = UUID.randomUUID().toString();
        String subject = UUID.randomUUID().toString();
        put(device, subject, 1, "gw-old");
        Instant t = Instant.now().minusSeconds(120).truncatedTo(ChronoUnit.SECONDS);
        assertThat(stream(gateway("gw-old"), List.of(batch(fix(device, t, 51.5, -0.12)))).get(0).getAccepted()).isEqualTo(1);

        put(device, subject, 2, "gw-new");
        FixBatchAck old = stream(gateway("gw-old"), List.of(batch(fix(device, t.plusSeconds(10), 51.5, -0.12)))).get(0);
        assertThat(old.getAccepted()).isZero();
        assertThat(old.getRejections(0).getCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(old.getRejections(0).getReason()).isEqualTo("gateway 'gw-old' is not bound to device " + device);
        assertThat(stream(gateway("gw-new"), List.of(batch(fix(device, t.plusSeconds(20), 51.5, -0.12)))).get(0).getAccepted()).isEqualTo(1);

        // An older assignment arriving late does not bring the old binding back.
        put(device, subject, 1, "gw-old");
        assertThat(stream(gateway("gw-old"), List.of(batch(fix(device, t.plusSeconds(30), 51.5, -0.12)))).get(0).getAccepted()).isZero();
        assertThat(storedFixes(device)).isEqualTo(2);
        assertThat(psql("select gateway_ids from device_assignment where device_id = '" + device + "'")).isEqualTo("gw-new");
    }

    @Test
    void anAssignmentBoundToNoGatewayRefusesEveryGateway() throws Exception {
        String device = assignedDevice();
        String unbound = assignedDevice(new String[0]);
        Instant t = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
        for (String gw : new String[] { "gw-1", "gw", "gw-2" }) {
            FixBatchAck ack = stream(gateway(gw), List.of(batch(fix(unbound, t, 51.5, -0.12)))).get(0);
            assertThat(ack.getAccepted()).isZero();
            assertThat(ack.getRejections(0).getCode()).isEqualTo("PERMISSION_DENIED");
            assertThat(ack.getRejections(0).getReason()).isEqualTo("gateway '" + gw + "' is not bound to device " + unbound);
        }
        assertThat(storedFixes(unbound)).isZero();
        assertThat(stream(gateway("gw-1"), List.of(batch(fix(device, t, 51.5, -0.12)))).get(0).getAccepted()).isEqualTo(1);
    }

    @Test
    void aTokenNamedLikeTheMqttDeviceIdentityIsAnOrdinaryUnboundGateway() throws Exception {
        String device = assignedDevice("gw-1");
        FixBatchAck ack = stream(gateway("device:" + device),
                List.of(batch(fix(device, Instant.now().minusSeconds(30), 51.5, -0.12)))).get(0);
        assertThat(ack.getAccepted()).isZero();
        assertThat(ack.getRejections(0).getCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(ack.getRejections(0).getReason()).isEqualTo("gateway 'device:" + device + "' is not bound to device " + device);
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void anUnassignedDeviceIsAFailedPreconditionForItsGatewayAndPermissionDeniedForOthers() throws Exception {
        String device = assignedDevice("gw-1");
        put(device, null, 2, "gw-1");
        FixBatch b = batch(fix(device, Instant.now().minusSeconds(30), 51.5, -0.12));
        FixBatchAck bound = stream(gateway("gw-1"), List.of(b)).get(0);
        assertThat(bound.getRejections(0).getCode()).isEqualTo("FAILED_PRECONDITION");
        assertThat(bound.getRejections(0).getReason()).startsWith("device_id '" + device + "' is not assigned to an active order (the device is registered");
        // A gateway not bound to the device does not learn whether it is assigned.
        FixBatchAck other = stream(gateway("gw-2"), List.of(b)).get(0);
        assertThat(other.getRejections(0).getCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void refusesAnAssignmentWithABadGatewayBindingNamingTheElementAndKeepsTheBindingHeld() throws Exception {
        String device = assignedDevice("gw-1");
        String subject = psql("select subject_id from device_assignment where device_id = '" + device + "'");
        record Case(String[] gateways, String description) {
        }
        List<Case> cases = List.of(
                new Case(new String[] { "gw-1", "gw-1" }, "gateway_ids[1]: repeats 'gw-1'"),
                new Case(new String[] { "gw-1,gw-2" }, "gateway_ids[0]: must be printable ASCII without whitespace or commas, got 'gw-1,gw-2'"),
                new Case(new String[] { "" }, "gateway_ids[0]: must be 1 to 200 characters"),
                new Case(java.util.stream.IntStream.range(0, 17).mapToObj(i -> "gw-" + i).toArray(String[]::new),
                        "gateway_ids: at most 16 gateways, got 17"));
        for (Case c : cases) {
            assertThatThrownBy(() -> put(device, subject, 2, c.gateways())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).isEqualTo(c.description());
            });
        }
        assertThat(psql("select version || ':' || gateway_ids from device_assignment where device_id = '" + device + "'")).isEqualTo("1:gw-1");
        assertThat(stream(gateway("gw-1"), List.of(batch(fix(device, Instant.now().minusSeconds(30), 51.5, -0.12)))).get(0).getAccepted())
                .isEqualTo(1);
    }

    @Test
    void refusesAStreamWithoutAValidTokenAndStoresNothing() {
        String device = assignedDevice();
        FixBatch b = FixBatch.newBuilder().setSequence(1).addFixes(fix(device, Instant.now().minusSeconds(5), 51.5, -0.12)).build();
        for (String token : new String[] { null, TestTokens.expired("gw", AGENCY, "device-gateway"),
                TestTokens.signedByStranger("gw", AGENCY, "device-gateway") }) {
            assertThatThrownBy(() -> stream(token, List.of(b))).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void failsAStreamWhoseSequenceGoesBackwards() {
        String device = assignedDevice();
        Instant t = Instant.now().minusSeconds(60);
        assertThatThrownBy(() -> stream(TestTokens.token("gw", AGENCY, "device-gateway"), List.of(
                FixBatch.newBuilder().setSequence(5).addFixes(fix(device, t, 51.5, -0.12)).build(),
                FixBatch.newBuilder().setSequence(4).addFixes(fix(device, t.plusSeconds(1), 51.5, -0.12)).build())))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("sequence: must increase");
                });
    }
}
