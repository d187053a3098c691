package io.sentinel.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
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
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.EnrolReferenceRequest;
import io.sentinel.api.biometric.v1.GetCheckInRequest;
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
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.RegisterDeviceRequest;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/**
 * The chart's workloads as a platform would run them: the images of scripts/images.sh, the pods
 * Helm renders for an agency played by Podman (see {@link PodmanDeployment}), each Ready through
 * the chart's own probes, then the enrol → fix → alert slice through the containers over gRPC
 * and TLS, and the runtime promises the chart makes: UID 185, read-only root, writes to /tmp
 * only, Secrets read as files, the face models the image carries.
 *
 * <p>Needs rootful Podman (as on these machines); elsewhere it is skipped, saying why.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodmanDeploymentIT {
    static final String AGENCY = PodmanDeployment.AGENCY;
    static final String GATEWAY = "gateway-podman";
    // Parliament Square, London.
    static final String SQUARE = """
            {"type":"Polygon","coordinates":[[[-0.1290,51.5000],[-0.1250,51.5000],[-0.1250,51.5020],[-0.1290,51.5020],[-0.1290,51.5000]]]}""";

    static PodmanDeployment cluster;
    static ManagedChannel enrollment, location, rules, biometric;

    @BeforeAll
    static void deploy() throws Exception {
        String why = PodmanDeployment.unusableBecause();
        Assumptions.assumeTrue(why == null, () -> "PodmanDeploymentIT skipped: " + why);
        cluster = new PodmanDeployment();
        Instant t0 = Instant.now();
        cluster.start();
        System.out.printf("PodmanDeploymentIT: images, PostgreSQL and four pods Ready in %d s; ready after container start: %s%n",
                Duration.between(t0, Instant.now()).toSeconds(), cluster.readyAfter);
        enrollment = cluster.channel("enrollment-svc");
        location = cluster.channel("location-svc");
        rules = cluster.channel("rules-svc");
        biometric = cluster.channel("biometric-svc");
    }

    @AfterAll
    static void remove() {
        for (ManagedChannel c : new ManagedChannel[] { enrollment, location, rules, biometric }) {
            if (c != null) {
                c.shutdownNow();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void everyContainerRunsTheRecordedImageAsTheNonRootUserOnAReadOnlyRoot() throws Exception {
        for (String s : PodmanDeployment.SERVICES) {
            String container = cluster.container(s);
            assertThat(cluster.readyAfter).as("%s passed its readiness probe", s).containsKey(s);
            String image = cluster.podman("inspect", "--format", "{{.Image}}", container).strip();
            assertThat(image).as("%s runs the image recorded by digest", s)
                    .isEqualTo(cluster.podman("image", "inspect", "--format", "{{.Id}}", cluster.images.get(s)).strip());
            assertThat(cluster.podman("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", container).strip()).as(s).isEqualTo("true");
            // The JVM's real and effective IDs, read by the host from the kernel.
            String pid = cluster.podman("inspect", "--format", "{{.State.Pid}}", container).strip();
            String status = Files.readString(Path.of("/proc", pid, "status"));
            assertThat(status).as(s).containsPattern("(?m)^Uid:\\s+185\\s+185\\s+185\\s+185$").containsPattern("(?m)^Gid:\\s+185\\s+185");
            assertThat(status).as("%s: all capabilities dropped", s).containsPattern("(?m)^CapEff:\\s+0+$");
            var onRoot = cluster.exec(s, "/usr/bin/touch", "/deployments/written-at-runtime");
            assertThat(onRoot.exitCode()).as(s).isNotZero();
            assertThat(onRoot.output()).as(s).contains("Read-only file system");
            assertThat(cluster.exec(s, "/usr/bin/touch", "/tmp/written-at-runtime").exitCode()).as("%s writes /tmp", s).isZero();
            // Nothing to run a script with, should someone get in.
            assertThat(cluster.exec(s, "/bin/sh", "-c", "true").exitCode()).as("%s has no /bin/sh", s).isNotZero();
        }
    }

    @Test
    @Order(2)
    void servicesReadTheirSecretsAsFilesAndNotFromTheEnvironment() throws Exception {
        for (String s : PodmanDeployment.SERVICES) {
            // The certificate the pod serves is the one in its TLS Secret, mounted as a file.
            X509Certificate served = servedCertificate(s);
            X509Certificate issued = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(cluster.pki.resolve(s + ".pem")));
            assertThat(served).as(s).isEqualTo(issued);
            var key = cluster.exec(s, "/usr/bin/stat", "-L", "-c", "%s", "/etc/sentinel/tls/tls.key", "/etc/sentinel/service-token/private-key.pem",
                    "/etc/sentinel/audit-key/audit.key");
            assertThat(key.exitCode()).as("%s: %s", s, key.output()).isZero();
            String env = cluster.podman("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", cluster.container(s));
            assertThat(env).as(s).doesNotContain("PRIVATE KEY").contains("TLS_KEY_FILE=/etc/sentinel/tls/tls.key");
        }
    }

    @Test
    @Order(3)
    void biometricLoadsTheFaceModelsItsImageCarries() throws Exception {
        // The models at FACE_MODELS_DIR are the image's own; their hashes are the SBOM's.
        JsonNode sbom = new ObjectMapper().readTree(cluster.work.resolve("images/sbom/biometric-svc.cdx.json").toFile());
        Map<String, String> expected = new HashMap<>();
        for (JsonNode c : sbom.path("components")) {
            if (c.path("type").asText().equals("machine-learning-model")) {
                expected.put(c.path("name").asText(), c.path("hashes").get(0).path("content").asText());
            }
        }
        assertThat(expected).containsOnlyKeys("fr_detect.onnx", "fr_feature.onnx", "fr_landmark.onnx", "fr_liveness.onnx");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/sha256sum"));
        expected.keySet().forEach(n -> cmd.add("/opt/sentinel/face-models/" + n));
        var sums = cluster.exec("biometric-svc", cmd.toArray(String[]::new));
        assertThat(sums.exitCode()).as(sums.output()).isZero();
        expected.forEach((name, sha) -> assertThat(sums.output()).contains(sha + "  /opt/sentinel/face-models/" + name));
        // With models loaded, a photo without a face is refused for its content; without them the
        // service would refuse every enrolment as FAILED_PRECONDITION.
        Subject subject = caseworker().createSubject(subjectRequest("Robin")).getSubject();
        assertThatThrownBy(() -> BiometricServiceGrpc.newBlockingStub(biometric)
                .withCallCredentials(Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker"))).withDeadlineAfter(30, TimeUnit.SECONDS)
                .enrolReference(EnrolReferenceRequest.newBuilder().setSubjectId(subject.getSubjectId())
                        .setImage(ByteString.copyFrom(SliceIT.jpeg())).setContentType("image/jpeg").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("no face found");
                });
    }

    @Test
    @Order(4)
    void fixInsideAnExclusionZoneBecomesAnAlertThroughTheContainers() throws Exception {
        Subject subject = caseworker().createSubject(subjectRequest("Sam")).getSubject();
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
        Device device = caseworker().registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .addGatewayIds(GATEWAY))
                .build()).getDevice();
        caseworker().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(device.getDeviceId()).setSubjectId(subject.getSubjectId()).build());

        AlertFeed feed = AlertFeed.subscribe(rules, TestTokens.token("duty-officer", AGENCY, "caseworker"));
        LinkedBlockingQueue<AlertEvent> alerts = feed.alerts();
        Context.CancellableContext subscription = feed.subscription();
        try {
            // The assignment travels enrollment-svc → location-svc and rules-svc pod to pod, by the
            // Service names the chart puts in the environment, over mutual TLS.
            String token = TestTokens.token(GATEWAY, AGENCY, "device-gateway");
            long[] sequence = { 0 };
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> SliceIT.send(location, token,
                    FixBatch.newBuilder().setSequence(++sequence[0])
                            .addFixes(SliceIT.fix(device.getSerial(), now.minusSeconds(600), 51.5100, -0.1000)).build())
                    .getAccepted() == 1);
            FixBatch.Builder inside = FixBatch.newBuilder().setSequence(++sequence[0]);
            for (int i = 0; i <= 6; i++) {
                inside.addFixes(SliceIT.fix(device.getSerial(), now.minusSeconds(280 - 30L * i), 51.5010 + i * 0.00001, -0.1270));
            }
            assertThat(SliceIT.send(location, token, inside.build()).getAccepted()).isEqualTo(7);
            AlertEvent event = null;
            Instant deadline = Instant.now().plusSeconds(60);
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
            assertThat(event.getAlert().getOwningAgencyId()).isEqualTo(AGENCY);
        } finally {
            subscription.cancel(null);
        }

        // A check-in reaches biometric-svc once the schedule has travelled there from enrollment-svc.
        CheckIn[] recorded = new CheckIn[1];
        var gateway = BiometricServiceGrpc.newBlockingStub(biometric)
                .withCallCredentials(Justified.bearer(TestTokens.token("watch-gateway", AGENCY, "device-gateway")));
        byte[] jpeg = SliceIT.jpeg();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptionsMatching(
                e -> e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND).until(() -> {
                    recorded[0] = gateway.withDeadlineAfter(20, TimeUnit.SECONDS).submitCheckIn(SubmitCheckInRequest.newBuilder()
                            .setSubjectId(subject.getSubjectId()).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(2)))
                            .setImage(ByteString.copyFrom(jpeg)).setContentType("image/jpeg").build()).getCheckIn();
                    return true;
                });
        CheckIn stored = BiometricServiceGrpc.newBlockingStub(biometric)
                .withCallCredentials(Justified.bearer(TestTokens.token("rita", AGENCY, "reviewer")))
                .getCheckIn(GetCheckInRequest.newBuilder().setCheckInId(recorded[0].getCheckInId()).build()).getCheckIn();
        assertThat(stored.getSubjectId()).isEqualTo(subject.getSubjectId());
    }

    /**
     * bench/container-startup.sh: with -Dsentinel.podman.startup.runs=N, restarts each service's
     * container N times and prints start-up to readiness and RSS. Prints numbers, asserts nothing
     * about them; skipped otherwise.
     */
    @Test
    @Order(5)
    void startupInsideTheContainers() throws Exception {
        int runs = Integer.getInteger("sentinel.podman.startup.runs", 0);
        Assumptions.assumeTrue(runs > 0, "start-up measurement: set -Dsentinel.podman.startup.runs=N (bench/container-startup.sh)");
        StringBuilder table = new StringBuilder("| service | run | podman start → ready (ms) | Quarkus \"started in\" | JVM RSS at ready (MiB) |\n|---|---|---|---|---|\n");
        for (String s : PodmanDeployment.SERVICES) {
            for (int i = 1; i <= runs; i++) {
                PodmanDeployment.Startup r = cluster.restartAndMeasure(s);
                table.append(String.format("| %s | %d | %,d | %s | %d |%n", s, i, r.toReadyMillis(), r.quarkusStartedIn(), r.rssKib() / 1024));
            }
        }
        System.out.println("Start-up inside the containers:\n" + table);
        Files.writeString(cluster.work.resolve("startup.md"), table);
    }

    static EnrollmentServiceGrpc.EnrollmentServiceBlockingStub caseworker() {
        return EnrollmentServiceGrpc.newBlockingStub(enrollment)
                .withCallCredentials(Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker")))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static CreateSubjectRequest subjectRequest(String givenNames) {
        return CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(Subject.newBuilder().setGivenNames(givenNames).setFamilyName("Example").setDateOfBirth("1990-04-01")
                        .setNationality("GBR").setPreferredLanguage("en"))
                .build();
    }

    /** The leaf certificate the service's pod presents, verified against the test CA. */
    static X509Certificate servedCertificate(String service) throws Exception {
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(cluster.ca())));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket(cluster.podIps.get(service), 8080)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
