package io.sentinel.system;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sentinel.common.testing.SentinelTestResource;
import io.sentinel.common.testing.TestPostgres;
import io.sentinel.common.testing.TestKeys;
import io.sentinel.common.testing.TestTokens;

/**
 * The four packaged services as separate processes, each with its own database in a PostgreSQL
 * cluster of its own (so a test may stop it without disturbing any other test), an MQTT broker of
 * its own, and every link over TLS with certificates of a development CA made for the suite: as
 * in production, each service has its own certificate and its own token-signing key.
 *
 * <p>With {@code replicas} above one, every service runs that many times on the same database, as
 * a Deployment's pods do: replica 1 is named after its service, replica r is
 * {@code <service>-r<r>} (its port, process and log go by that name), and replica r calls replica r
 * of each peer, so every replica both sends and receives.
 */
final class Suite implements AutoCloseable {
    static final List<String> SERVICES = List.of("enrollment-svc", "biometric-svc", "location-svc", "rules-svc");

    final Path root = TestPostgres.repoRoot();
    final Path work = Path.of(System.getProperty("user.dir"), "target", "suite");
    final int pgPort = freePort();
    final Path pgDir = Path.of("/var/tmp", "sentinel-e2e-pg-" + pgPort);
    final int mqttPort = freePort();
    final Path mqttDir = Path.of("/var/tmp", "sentinel-e2e-mqtt-" + mqttPort);
    /** The suite's development CA and certificates (scripts/pki.sh). */
    final Path pki = work.resolve("pki");
    /** Where the services append their signed audit checkpoints. */
    final Path auditCheckpoints = work.resolve("audit-checkpoints");
    /** The agencies whose users may read here as partners. */
    static final String PARTNER = "police-e2e";
    /** Port of each instance: a service's name for replica 1, {@link #instance} for the others. */
    final Map<String, Integer> ports = new LinkedHashMap<>();
    final Map<String, Process> processes = new LinkedHashMap<>();
    /** Environment added to every instance a later {@link #start} starts (test-specific settings). */
    final Map<String, String> env = new LinkedHashMap<>();
    private HttpClient http;

    final String agency;
    final int replicas;

    Suite() throws IOException {
        this("agency-e2e");
    }

    Suite(String agency) throws IOException {
        this(agency, 1);
    }

    Suite(String agency, int replicas) throws IOException {
        this.agency = agency;
        this.replicas = replicas;
        Files.createDirectories(work);
        for (String s : SERVICES) {
            for (int r = 1; r <= replicas; r++) {
                ports.put(instance(s, r), freePort());
            }
        }
        List<String> names = new ArrayList<>(List.of("pki.sh", "--dir", pki.toString(), "ensure"));
        names.addAll(SERVICES);
        script(names.toArray(String[]::new));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(io.sentinel.common.testing.TestTls.trusting(ca()))
                .build();
    }

    Path ca() {
        return pki.resolve("ca.pem");
    }

    /** A TLS channel to a service as a person or partner system connects: server verified, no client certificate. */
    io.grpc.ManagedChannel channel(String service) {
        return io.sentinel.common.testing.GrpcTestChannels.tls(ports.get(service), ca());
    }

    /** A TLS channel presenting {@code asService}'s client certificate, as that peer connects. */
    io.grpc.ManagedChannel peerChannel(String service, String asService) {
        return io.sentinel.common.testing.GrpcTestChannels.tls(ports.get(service), ca(), pki.resolve(asService + ".pem"),
                pki.resolve(asService + "-key.pem"));
    }

    void startAll() throws Exception {
        postgres("start");
        postgres("createdb", "e2e_enrollment", "e2e_biometric", "e2e_location", "e2e_rules");
        mosquitto("start");
        mosquitto("service-credentials");
        // One replica of each service at a time: eight JVMs starting at once on two cores only thrash.
        // The wait is a hang guard, not a timing: a loaded shared machine takes minutes.
        for (int r = 1; r <= replicas; r++) {
            for (String s : SERVICES) {
                start(instance(s, r));
            }
            for (String s : SERVICES) {
                awaitStarted(instance(s, r), Duration.ofSeconds(r == 1 && replicas == 1 ? 120 : 600));
            }
        }
    }

    private static final java.util.regex.Pattern REPLICA = java.util.regex.Pattern.compile("(.+)-r(\\d+)");

    /** The name of a service's replica (1-based): the service's own name for the first. */
    static String instance(String service, int replica) {
        return replica == 1 ? service : service + "-r" + replica;
    }

    /** Starts an instance: a service's name (replica 1) or {@link #instance}'s name of another replica. */
    void start(String instance) throws IOException {
        java.util.regex.Matcher m = REPLICA.matcher(instance);
        String service = m.matches() ? m.group(1) : instance;
        int replica = m.matches() ? Integer.parseInt(m.group(2)) : 1;
        Path jar = root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build the services first (./mvnw verify builds them before this module)");
        }
        ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString());
        Map<String, String> env = pb.environment();
        String db = "e2e_" + service.replace("-svc", "");
        env.put("QUARKUS_HTTP_PORT", String.valueOf(ports.get(instance)));
        env.put("DB_URL", "postgresql://127.0.0.1:" + pgPort + "/" + db);
        env.put("DB_USERNAME", SentinelTestResource.APP_ROLE);
        env.put("DB_PASSWORD", "unused-with-local-trust");
        env.put("DB_MIGRATION_USERNAME", "postgres");
        env.put("DB_MIGRATION_PASSWORD", "unused-with-local-trust");
        env.put("AUDIT_KEY_FILE", TestKeys.auditKey().toString());
        env.put("AUDIT_CHECKPOINT_DIR", auditCheckpoints.toString());
        env.put("DB_CA_FILE", ca().toString());
        env.put("JWT_VERIFY_KEY_LOCATION", TestKeys.trustedPublicKey().toString());
        env.put("JWT_ISSUER", TestTokens.ISSUER);
        env.put("JWT_AUDIENCE", TestTokens.AUDIENCE);
        env.put("SERVICE_TOKEN_KEY_LOCATION", TestKeys.servicePrivateKey(service).toString());
        env.put("SERVICE_TOKEN_PEER_KEYS_DIR", TestKeys.peerKeysDir().toString());
        env.put("TLS_CERT_FILE", pki.resolve(service + ".pem").toString());
        env.put("TLS_KEY_FILE", pki.resolve(service + "-key.pem").toString());
        env.put("TLS_CA_FILE", ca().toString());
        env.put("SENTINEL_AGENCY_ID", agency);
        env.put("SENTINEL_AGENCY_PARTNERS", PARTNER);
        env.put("SENTINEL_MQTT_ENABLED", "true");
        env.put("MQTT_HOST", "127.0.0.1");
        env.put("MQTT_PORT", String.valueOf(mqttPort));
        env.put("MQTT_USERNAME", "location-svc");
        env.put("MQTT_PASSWORD", Files.readString(mqttDir.resolve("location-svc.password")).strip());
        env.put("MQTT_CA_FILE", ca().toString());
        env.put("ENROLLMENT_GRPC_HOST", "127.0.0.1");
        env.put("ENROLLMENT_GRPC_PORT", String.valueOf(ports.get(instance("enrollment-svc", replica))));
        env.put("RULES_GRPC_HOST", "127.0.0.1");
        env.put("RULES_GRPC_PORT", String.valueOf(ports.get(instance("rules-svc", replica))));
        env.put("LOCATION_GRPC_HOST", "127.0.0.1");
        env.put("LOCATION_GRPC_PORT", String.valueOf(ports.get(instance("location-svc", replica))));
        env.put("BIOMETRIC_GRPC_HOST", "127.0.0.1");
        env.put("BIOMETRIC_GRPC_PORT", String.valueOf(ports.get(instance("biometric-svc", replica))));
        // Quick health reactions for the test; the defaults suit production.
        env.put("QUARKUS_DATASOURCE_REACTIVE_IDLE_TIMEOUT", "PT5S");
        env.put("SENTINEL_OUTBOX_MAX_BACKOFF", "PT2S");
        env.put("BIOMETRIC_TEMPLATE_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
        env.putAll(this.env);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve(instance + ".log").toFile()));
        processes.put(instance, pb.start());
    }

    void stop(String service) throws InterruptedException {
        Process p = processes.remove(service);
        if (p != null) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    String url(String service, String path) {
        return "https://127.0.0.1:" + ports.get(service) + path;
    }

    /** HTTP status of the readiness endpoint, or -1 if the service does not answer. */
    int readiness(String service) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(service, "/q/health/ready")))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String readinessBody(String service) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(service, "/q/health/ready"))).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /**
     * Waits until an instance is ready; one that exits while starting (a start-up check timing out on
     * an overloaded machine) is started again, twice at most, as a Deployment restarts its pod.
     */
    void awaitStarted(String instance, Duration timeout) throws Exception {
        for (int attempt = 0;; attempt++) {
            try {
                awaitReady(instance, timeout);
                return;
            } catch (IllegalStateException e) {
                Process p = processes.get(instance);
                if (attempt >= 2 || p == null || p.isAlive()) {
                    throw e;
                }
                processes.remove(instance);
                start(instance);
            }
        }
    }

    void awaitReady(String service, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Process p = processes.get(service);
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(service + " exited with " + p.exitValue() + "; see " + work.resolve(service + ".log"));
            }
            if (readiness(service) == 200) {
                return;
            }
            Thread.sleep(250); // polling a process we do not control, with a deadline
        }
        throw new IllegalStateException(service + " not ready within " + timeout + "; see " + work.resolve(service + ".log"));
    }

    /**
     * Runs one statement in a service's database as the cluster's superuser, over verified TLS (the
     * only way the cluster accepts). For what no API may do, such as letting time pass for a record.
     */
    void sql(String database, String statement) throws Exception {
        Process p = new ProcessBuilder("psql", "host=127.0.0.1 port=" + pgPort + " user=postgres dbname=" + database
                + " sslmode=verify-full sslrootcert=" + ca(), "-v", "ON_ERROR_STOP=1", "-tAc", statement).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql in " + database + " failed: " + out);
        }
    }

    void postgres(String... args) {
        List<String> cmd = new ArrayList<>(List.of("postgres.sh"));
        cmd.addAll(List.of(args));
        script(cmd.toArray(String[]::new));
    }

    /** Runs scripts/mosquitto.sh on the suite's own broker; answers its standard output. */
    String mosquitto(String... args) {
        List<String> cmd = new ArrayList<>(List.of("mosquitto.sh"));
        cmd.addAll(List.of(args));
        return script(cmd.toArray(String[]::new));
    }

    /** Runs one of the project's scripts with the suite's cluster, broker and PKI; answers its standard output. */
    String script(String... args) {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("scripts").resolve(args[0]).toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        try {
            Path errors = Files.createTempFile(work, "script", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(errors.toFile());
            pb.environment().put("SENTINEL_PG_PORT", String.valueOf(pgPort));
            pb.environment().put("SENTINEL_PG_DIR", pgDir.toString());
            pb.environment().put("SENTINEL_MQTT_PORT", String.valueOf(mqttPort));
            pb.environment().put("SENTINEL_MQTT_DIR", mqttDir.toString());
            pb.environment().put("SENTINEL_PKI_DIR", pki.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", args) + " failed: " + out + Files.readString(errors));
            }
            Files.deleteIfExists(errors);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        for (String s : new ArrayList<>(processes.keySet())) {
            stop(s);
        }
        postgres("stop");
        mosquitto("stop");
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
