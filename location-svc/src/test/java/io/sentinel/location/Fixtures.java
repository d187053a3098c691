package io.sentinel.location;

import io.sentinel.api.internal.v1.LocationIntakeServiceGrpc;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestPostgres;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/** Test helpers shared by this module's service tests: assignments through the real API, psql checks. */
public final class Fixtures {
    public static final String AGENCY = "agency-a";
    /** The gateway of {@link #gatewayToken()}; the devices made here are bound to it. */
    public static final String GATEWAY = "gw-1";

    private Fixtures() {
    }

    public static String gatewayToken() {
        return TestTokens.token(GATEWAY, AGENCY, "device-gateway");
    }

    /** A device-gateway token of {@link #AGENCY} for the gateway named {@code subject}. */
    public static String gatewayToken(String subject) {
        return TestTokens.token(subject, AGENCY, "device-gateway");
    }

    public static String serviceToken() {
        return TestTokens.service("enrollment-svc", "location-svc");
    }

    /** A new device assigned to a new subject of {@link #AGENCY}; returns {deviceId, subjectId}. */
    public static String[] assignedDevice(LocationCadence cadence) {
        return assignedDevice(cadence, AGENCY);
    }

    /** A new device assigned to a new subject of the given agency, bound to {@link #GATEWAY}; returns {deviceId, subjectId}. */
    public static String[] assignedDevice(LocationCadence cadence, String agency) {
        String device = UUID.randomUUID().toString();
        String subject = UUID.randomUUID().toString();
        ManagedChannel channel = GrpcTestChannels.plaintext(RestAssured.port);
        try {
            LocationIntakeServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(serviceToken()))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .putDeviceAssignment(PutDeviceAssignmentRequest.newBuilder().setDeviceId(device).setSubjectId(subject)
                            .setOwningAgencyId(agency).setCadence(cadence).setVersion(1).addGatewayIds(GATEWAY)
                            .setEffectiveAt(Timestamps.of(Instant.now())).build());
        } finally {
            channel.shutdownNow();
        }
        return new String[] { device, subject };
    }

    /** A new device of {@code agency}, registered with {@code serial} and assigned to a new subject; returns its id. */
    public static String assignedDeviceWithSerial(String serial, String agency) {
        String device = UUID.randomUUID().toString();
        assign(device, UUID.randomUUID().toString(), agency, serial, 1);
        return device;
    }

    /**
     * PutDeviceAssignment through the real gRPC API, bound to {@link #GATEWAY}: {@code subject} null
     * releases the device, {@code serial} null registers none. Failures propagate as StatusRuntimeException.
     */
    public static long assign(String device, String subject, String agency, String serial, long version) {
        return assign(device, subject, agency, serial, version, java.util.List.of(GATEWAY));
    }

    /** Like {@link #assign(String, String, String, String, long)}, bound to {@code gateways} (empty: to none). */
    public static long assign(String device, String subject, String agency, String serial, long version, java.util.List<String> gateways) {
        PutDeviceAssignmentRequest.Builder r = PutDeviceAssignmentRequest.newBuilder().setDeviceId(device).setOwningAgencyId(agency)
                .setVersion(version).setEffectiveAt(Timestamps.of(Instant.now())).addAllGatewayIds(gateways);
        if (subject != null) {
            r.setSubjectId(subject).setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        }
        if (serial != null) {
            r.setSerial(serial);
        }
        ManagedChannel channel = GrpcTestChannels.plaintext(RestAssured.port);
        try {
            return LocationIntakeServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(serviceToken()))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).putDeviceAssignment(r.build()).getVersion();
        } finally {
            channel.shutdownNow();
        }
    }

    public static String assignedDevice() {
        return assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)[0];
    }

    public static long storedFixes(String device) {
        return Long.parseLong(psql("select count(*) from fix where device_id = '" + device + "'"));
    }

    public static String psql(String sql) {
        return psqlAs("postgres", sql);
    }

    private static String ca;

    private static synchronized String ca() {
        if (ca == null) {
            ca = TestPostgres.caCertificate();
        }
        return ca;
    }

    /** Runs {@code sql} in location_test as database role {@code role}, over verified TLS; answers the output, errors included. */
    public static String psqlAs(String role, String sql) {
        try {
            Process p = new ProcessBuilder("psql", "host=127.0.0.1 port=" + TestPostgres.port() + " dbname=location_test user=" + role
                    + " sslmode=verify-full sslrootcert=" + ca(), "-tAc", sql).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The audit records of {@code action} naming {@code subject}, oldest first, each as
     * "agency|actor|roles|outcome|purpose|reference|grant|subjects|detail".
     */
    public static List<String> audit(String action, String subject) {
        String out = psql("select agency_id || '|' || actor || '|' || roles || '|' || outcome || '|' || purpose || '|' || reference"
                + " || '|' || grant_id || '|' || array_to_string(subject_ids, ',') || '|' || detail from audit_entry"
                + " where action = '" + action + "' and '" + subject + "' = any(subject_ids) order by id");
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    /**
     * {@code stub} calling with {@code token} and the justification as gRPC metadata; a null or empty
     * value is not sent.
     */
    public static <S extends AbstractStub<S>> S justified(S stub, String token, String purpose, String reference, String grant) {
        Metadata headers = new Metadata();
        put(headers, "x-sentinel-purpose", purpose);
        put(headers, "x-sentinel-reference", reference);
        put(headers, "x-sentinel-grant", grant);
        return stub.withCallCredentials(GrpcTestChannels.bearer(token)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static void put(Metadata headers, String key, String value) {
        if (value != null && !value.isEmpty()) {
            headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
        }
    }
}
