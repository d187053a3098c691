package io.sentinel.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sentinel.api.enrollment.v1.EnrollmentServiceGrpc;
import io.sentinel.api.enrollment.v1.ListSubjectsRequest;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.internal.v1.RulesIntakeServiceGrpc;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestKeys;
import io.sentinel.common.testing.TestTokens;
import io.smallrye.jwt.build.Jwt;

/**
 * The trust boundary of the running suite, case by case: every link refuses plaintext, internal
 * RPCs need the calling service's own certificate and token, and no token can pass for a person or
 * a service it is not.
 */
class TrustBoundaryIT {
    static final String AGENCY = "agency-trust";
    static Suite suite;
    static ManagedChannel enrollment, rules;

    @BeforeAll
    static void start() throws Exception {
        suite = new Suite(AGENCY);
        suite.startAll();
        enrollment = suite.channel("enrollment-svc");
        rules = suite.channel("rules-svc");
    }

    @AfterAll
    static void stop() throws Exception {
        for (ManagedChannel c : new ManagedChannel[] { enrollment, rules }) {
            if (c != null) {
                c.shutdownNow();
            }
        }
        if (suite != null) {
            suite.close();
        }
    }

    static EnrollmentServiceGrpc.EnrollmentServiceBlockingStub enrollmentAs(String token) {
        return EnrollmentServiceGrpc.newBlockingStub(enrollment).withCallCredentials(Justified.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    static void assertRefused(Runnable call, Status.Code code, String description) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            if (description != null) {
                assertThat(e.getStatus().getDescription()).isEqualTo(description);
            }
        });
    }

    // ---- every link is encrypted

    @Test
    void aPlaintextConnectionToAnyServiceFails() throws Exception {
        String caseworker = TestTokens.token("alice", AGENCY, "caseworker");
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (String service : Suite.SERVICES) {
            ManagedChannel channel = GrpcTestChannels.plaintext(suite.ports.get(service));
            try {
                assertThatThrownBy(() -> RulesServiceGrpc.newBlockingStub(channel).withCallCredentials(Justified.bearer(caseworker))
                        .withDeadlineAfter(5, TimeUnit.SECONDS).listAlerts(ListAlertsRequest.getDefaultInstance()))
                        .as(service + " over plaintext gRPC").isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL));
            } finally {
                channel.shutdownNow();
            }
            URI health = URI.create("http://127.0.0.1:" + suite.ports.get(service) + "/q/health/ready");
            boolean answeredInPlaintext;
            try {
                HttpResponse<String> r = plain.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                answeredInPlaintext = r.statusCode() < 400;
            } catch (IOException e) {
                answeredInPlaintext = false;
            }
            assertThat(answeredInPlaintext).as(service + " answered plain HTTP").isFalse();
        }
    }

    @Test
    void theDatabaseRefusesPlaintextAndServesVerifiedTls() throws Exception {
        String base = "host=127.0.0.1 port=" + suite.pgPort + " user=postgres dbname=postgres ";
        Process plain = new ProcessBuilder("psql", base + "sslmode=disable", "-tAc", "select 1").redirectErrorStream(true).start();
        String plainOut = new String(plain.getInputStream().readAllBytes());
        assertThat(plain.waitFor()).as("psql without TLS: " + plainOut).isNotZero();
        assertThat(plainOut).contains("no encryption");
        Process tls = new ProcessBuilder("psql", base + "sslmode=verify-full sslrootcert=" + suite.ca(), "-tAc",
                "select ssl from pg_stat_ssl where pid = pg_backend_pid()").redirectErrorStream(true).start();
        String tlsOut = new String(tls.getInputStream().readAllBytes()).strip();
        assertThat(tls.waitFor()).as("psql with verified TLS: " + tlsOut).isZero();
        assertThat(tlsOut).isEqualTo("t");
    }

    @Test
    void theBrokerRefusesPlaintextMqtt() throws Exception {
        // A plain MQTT 3.1.1 CONNECT; a broker speaking plaintext would answer CONNACK (0x20).
        byte[] clientId = "plain-probe".getBytes(StandardCharsets.US_ASCII);
        byte[] variable = { 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60 };
        try (Socket s = new Socket("127.0.0.1", suite.mqttPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] { 0x10, (byte) (variable.length + 2 + clientId.length) });
            out.write(variable);
            out.write(new byte[] { 0, (byte) clientId.length });
            out.write(clientId);
            out.flush();
            InputStream in = s.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (IOException e) {
                first = -1;
            }
            assertThat(first).as("first byte the broker answered a plaintext CONNECT with").isNotEqualTo(0x20);
        }
    }

    // ---- internal RPCs: the calling service's own certificate and token

    @Test
    void anInternalRpcNeedsTheCallersOwnClientCertificateAndToken() {
        String fromEnrollment = TestTokens.service("enrollment-svc", "rules-svc", AGENCY);
        PutSubjectConditionsRequest empty = PutSubjectConditionsRequest.getDefaultInstance();
        // No client certificate at all.
        assertRefused(() -> RulesIntakeServiceGrpc.newBlockingStub(rules).withCallCredentials(Justified.bearer(fromEnrollment))
                .withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(empty), Status.Code.UNAUTHENTICATED,
                "sentinel.internal.v1.RulesIntakeService/PutSubjectConditions is internal: the TLS client certificate of enrollment-svc,"
                        + " issued by the agency's CA, is required");
        // Another service's certificate with enrollment-svc's token.
        ManagedChannel asLocation = suite.peerChannel("rules-svc", "location-svc");
        ManagedChannel asEnrollment = suite.peerChannel("rules-svc", "enrollment-svc");
        try {
            assertRefused(() -> RulesIntakeServiceGrpc.newBlockingStub(asLocation).withCallCredentials(Justified.bearer(fromEnrollment))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(empty), Status.Code.PERMISSION_DENIED,
                    "sentinel.internal.v1.RulesIntakeService/PutSubjectConditions: the client certificate names location-svc but the token names enrollment-svc");
            // location-svc's own certificate and token: not a caller PutSubjectConditions allows.
            assertRefused(() -> RulesIntakeServiceGrpc.newBlockingStub(asLocation)
                    .withCallCredentials(Justified.bearer(TestTokens.service("location-svc", "rules-svc", AGENCY)))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(empty), Status.Code.PERMISSION_DENIED,
                    "sentinel.internal.v1.RulesIntakeService/PutSubjectConditions may be called by enrollment-svc only, not by location-svc");
            // enrollment-svc's certificate and token: through the gate (the empty request is then refused for what it lacks).
            assertRefused(() -> RulesIntakeServiceGrpc.newBlockingStub(asEnrollment).withCallCredentials(Justified.bearer(fromEnrollment))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(empty), Status.Code.INVALID_ARGUMENT, null);
            assertThat(SubjectDataServiceGrpc.newBlockingStub(asEnrollment).withCallCredentials(Justified.bearer(fromEnrollment))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).exportSubject(ExportSubjectRequest.newBuilder()
                            .setSubjectId(UUID.randomUUID().toString()).build()).next().getKind()).isEqualTo("subject_id");
        } finally {
            asLocation.shutdownNow();
            asEnrollment.shutdownNow();
        }
    }

    @Test
    void aServiceTokenOfAnotherAgencyIsRefused() {
        ManagedChannel asEnrollment = suite.peerChannel("rules-svc", "enrollment-svc");
        try {
            // Another agency's deployment (its own service issuer), signed even with the right key.
            assertRefused(() -> RulesIntakeServiceGrpc.newBlockingStub(asEnrollment)
                    .withCallCredentials(Justified.bearer(TestTokens.service("enrollment-svc", "rules-svc", "agency-elsewhere")))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(PutSubjectConditionsRequest.getDefaultInstance()),
                    Status.Code.UNAUTHENTICATED, null);
            // This deployment's issuer, but naming another agency.
            Instant now = Instant.now();
            String otherAgency = Jwt.issuer(TestTokens.serviceIssuer(AGENCY)).subject("enrollment-svc").audience("rules-svc")
                    .claim("agency", "agency-elsewhere").issuedAt(now).expiresAt(now.plusSeconds(300)).jws().keyId("enrollment-svc")
                    .sign(TestKeys.service("enrollment-svc"));
            assertRefused(() -> RulesIntakeServiceGrpc.newBlockingStub(asEnrollment).withCallCredentials(Justified.bearer(otherAgency))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(PutSubjectConditionsRequest.getDefaultInstance()),
                    Status.Code.UNAUTHENTICATED, "service token of enrollment-svc is for agency 'agency-elsewhere', not this deployment's");
        } finally {
            asEnrollment.shutdownNow();
        }
    }

    // ---- people's tokens

    @Test
    void aPersonsTokenWithTheServiceRoleIsRefusedEverywhere() {
        String token = TestTokens.token("mallory", AGENCY, "service", "caseworker");
        assertRefused(() -> enrollmentAs(token).listSubjects(ListSubjectsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
                "a person's token may not carry the role 'service'");
        ManagedChannel asEnrollment = suite.peerChannel("rules-svc", "enrollment-svc");
        try {
            assertRefused(() -> RulesIntakeServiceGrpc.newBlockingStub(asEnrollment).withCallCredentials(Justified.bearer(token))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(PutSubjectConditionsRequest.getDefaultInstance()),
                    Status.Code.UNAUTHENTICATED, "a person's token may not carry the role 'service'");
        } finally {
            asEnrollment.shutdownNow();
        }
    }

    @Test
    void aTokenSignedByBiometricSvcsKeyIsNoCaseworkerAtEnrollment() {
        String forged = TestTokens.claims("eve", AGENCY, "caseworker").expiresAt(Instant.now().plusSeconds(600))
                .sign(TestKeys.service("biometric-svc"));
        assertRefused(() -> enrollmentAs(forged).listSubjects(ListSubjectsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED, null);
        // Nor as a service token claiming to be enrollment-svc itself.
        Instant now = Instant.now();
        String claimsEnrollment = Jwt.issuer(TestTokens.serviceIssuer(AGENCY)).subject("enrollment-svc").audience("rules-svc")
                .claim("agency", AGENCY).issuedAt(now).expiresAt(now.plusSeconds(300)).jws().keyId("enrollment-svc")
                .sign(TestKeys.service("biometric-svc"));
        ManagedChannel asEnrollment = suite.peerChannel("rules-svc", "enrollment-svc");
        try {
            assertRefused(() -> RulesIntakeServiceGrpc.newBlockingStub(asEnrollment).withCallCredentials(Justified.bearer(claimsEnrollment))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(PutSubjectConditionsRequest.getDefaultInstance()),
                    Status.Code.UNAUTHENTICATED, null);
        } finally {
            asEnrollment.shutdownNow();
        }
    }

    @Test
    void aTokenIssuedInTheFutureIsRefused() {
        Instant now = Instant.now();
        String future = TestTokens.claims("alice", AGENCY, "caseworker").issuedAt(now.plusSeconds(3600)).expiresAt(now.plusSeconds(7200))
                .sign(TestKeys.trusted());
        assertRefused(() -> enrollmentAs(future).listSubjects(ListSubjectsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
                "the token's 'iat' is in the future");
    }

    @Test
    void aTokenWithoutAudienceIsRefused() {
        String noAudience = Jwt.issuer(TestTokens.ISSUER).subject("alice").groups("caseworker").claim("agency", AGENCY)
                .expiresAt(Instant.now().plusSeconds(600)).sign(TestKeys.trusted());
        assertRefused(() -> enrollmentAs(noAudience).listSubjects(ListSubjectsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
                null);
        String otherAudience = TestTokens.claims("alice", AGENCY, "caseworker").audience("sentinel-elsewhere")
                .expiresAt(Instant.now().plusSeconds(600)).sign(TestKeys.trusted());
        assertRefused(() -> enrollmentAs(otherAudience).listSubjects(ListSubjectsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
                null);
    }

    @Test
    void aTokenOfAnAgencyTheDeploymentDoesNotServeIsRefused() throws Exception {
        assertRefused(() -> enrollmentAs(TestTokens.token("alice", "agency-unregistered", "caseworker"))
                .listSubjects(ListSubjectsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
                "agency 'agency-unregistered' is not served by this deployment");
        HttpClient https = HttpClient.newBuilder().sslContext(io.sentinel.common.testing.TestTls.trusting(suite.ca())).build();
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(suite.url("enrollment-svc", "/api/v1/subjects")))
                .header("Authorization", "Bearer " + TestTokens.token("alice", "agency-unregistered", "caseworker")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
        assertThat(r.body()).contains("agency 'agency-unregistered' is not served by this deployment");
        // A partner agency's person is a partner here, whatever else its token says.
        assertRefused(() -> enrollmentAs(TestTokens.token("pc", Suite.PARTNER, "caseworker", "admin"))
                .listSubjects(ListSubjectsRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED, null);
    }
}
