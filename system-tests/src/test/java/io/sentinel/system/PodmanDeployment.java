package io.sentinel.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.marcnuri.helm.Helm;

import io.grpc.ManagedChannel;
import io.sentinel.common.testing.TestKeys;
import io.sentinel.common.testing.TestTokens;

/**
 * The chart's workloads running for real under Podman: the service images of scripts/images.sh,
 * the chart rendered by Helm for a test agency, each rendered Deployment played as a pod with
 * {@code podman kube play} (its security context, volumes, Secrets mounted as files and
 * environment exactly as rendered), on a Podman network of its own, and a PostgreSQL on the host
 * that the pods reach over TLS at the network's gateway, as they would reach a managed database.
 *
 * <p>What the test changes in the rendered objects, and why: each Deployment becomes one Pod named
 * after the Deployment (a Service's DNS name is how peers find it; here the pod's name is), and
 * each image reference is pinned to the digest scripts/images.sh recorded (the chart takes one
 * digest for all images). Everything else is played as Helm rendered it. Kubernetes' probes are
 * not run by Podman 4.3, so this class runs each container's startup and readiness probes as the
 * kubelet would: HTTPS GET, certificate not verified, the probe's period, timeout and threshold.
 */
final class PodmanDeployment implements AutoCloseable {
    static final String AGENCY = "podman-it";
    static final List<String> SERVICES = List.of("enrollment-svc", "biometric-svc", "location-svc", "rules-svc");
    static final String APP_ROLE = "sentinel_app";

    final Path root = io.sentinel.common.testing.TestPostgres.repoRoot();
    final Path work = Path.of(System.getProperty("user.dir"), "target", "podman");
    final Path pki = work.resolve("pki");
    final String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    final String network = "sentinel-it-" + suffix;
    final int pgPort = freePort();
    final Path pgDir = Path.of("/var/tmp", "sentinel-podman-pg-" + pgPort);
    final String appPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    final String adminPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    /** service → image reference pinned by digest. */
    final Map<String, String> images = new LinkedHashMap<>();
    /** service → the rendered Pod that was played. */
    final Map<String, Map<String, Object>> pods = new LinkedHashMap<>();
    final Map<String, String> podIps = new LinkedHashMap<>();
    /** service → seconds from the container's start to its first successful readiness probe. */
    final Map<String, Double> readyAfter = new LinkedHashMap<>();
    String gateway;
    String subnet;
    private boolean postgresStarted;
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** Why this machine cannot run the test, or null when it can: Podman needs root here. */
    static String unusableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root: the images and pods need rootful Podman (run ./mvnw verify as root)";
        }
        try {
            Process p = new ProcessBuilder("podman", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "podman --version failed: " + out;
            }
        } catch (IOException e) {
            // scripts/images.sh installs podman with apt when it is missing.
            if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
                return "podman is not installed and apt-get is not there to install it";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    PodmanDeployment() throws IOException {
        Files.createDirectories(work);
    }

    void start() throws Exception {
        buildImages();
        issueCertificates();
        podman("network", "create", network);
        List<?> inspected = yaml.readValue(podman("network", "inspect", network), List.class);
        Map<String, Object> sub = castMap(((List<?>) castMap(inspected.get(0)).get("subnets")).get(0));
        gateway = (String) sub.get("gateway");
        subnet = (String) sub.get("subnet");
        issue("postgres", "postgres", "IP:" + gateway);
        startPostgres();
        play(render());
        for (String s : SERVICES) {
            podIps.put(s, podIp(s));
        }
        for (String s : SERVICES) {
            probeUntilReady(s);
        }
    }

    // ---- images -------------------------------------------------------------------------------

    void buildImages() throws IOException {
        Path out = work.resolve("images");
        run(Duration.ofMinutes(20), root.resolve("scripts/images.sh").toString(), "--out", out.toString());
        for (String line : Files.readAllLines(out.resolve("images.tsv"))) {
            String[] f = line.split("\t");
            String repository = f[1].substring(0, f[1].lastIndexOf(':'));
            images.put(f[0], repository + "@" + f[2]);
        }
        if (!images.keySet().containsAll(SERVICES)) {
            throw new IllegalStateException("scripts/images.sh recorded " + images.keySet());
        }
    }

    // ---- PKI: one CA; each service's certificate names it (CN) and its Service (DNS) -----------

    Path ca() {
        return pki.resolve("ca.pem");
    }

    void issueCertificates() throws IOException {
        Files.createDirectories(pki);
        if (!Files.exists(ca())) {
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                    "-subj", "/CN=Sentinel podman test CA", "-keyout", pki.resolve("ca-key.pem").toString(), "-out", ca().toString(),
                    "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        }
        for (String s : SERVICES) {
            issue(s, s, "DNS:" + fullname(s) + ",DNS:" + fullname(s) + "." + AGENCY + ".svc.cluster.local");
        }
    }

    private void issue(String name, String cn, String san) throws IOException {
        Path key = pki.resolve(name + "-key.pem");
        Path csr = pki.resolve(name + ".csr");
        Path ext = pki.resolve(name + ".ext");
        Files.writeString(ext, "basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=" + san + "\n");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + cn,
                "-keyout", key.toString(), "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca().toString(), "-CAkey", pki.resolve("ca-key.pem").toString(),
                "-CAcreateserial", "-days", "30", "-sha256", "-extfile", ext.toString(), "-out", pki.resolve(name + ".pem").toString());
        // Java reads PKCS#8 ("BEGIN PRIVATE KEY"), which openssl req -newkey writes.
    }

    private void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        run(Duration.ofMinutes(1), cmd.toArray(String[]::new));
    }

    static String fullname(String service) {
        return AGENCY + "-" + service;
    }

    // ---- PostgreSQL on the host, TLS only, reachable from the pods at the network's gateway ----

    void startPostgres() throws IOException {
        String bin = "/usr/lib/postgresql/15/bin/";
        if (!Files.isExecutable(Path.of(bin + "postgres"))) {
            // scripts/postgres.sh installs PostgreSQL 15 from Debian's packages.
            run(Duration.ofMinutes(5), root.resolve("scripts/postgres.sh").toString(), "status");
        }
        Files.createDirectories(pgDir);
        run(Duration.ofSeconds(30), "chown", "postgres:", pgDir.toString());
        Path pw = pgDir.resolve("admin.pw");
        Files.writeString(pw, adminPassword + "\n");
        run(Duration.ofSeconds(30), "chown", "postgres:", pw.toString());
        asPostgres(Duration.ofMinutes(2), bin + "initdb", "-D", pgDir.resolve("data").toString(), "-U", "postgres", "--auth-local=trust",
                "--auth-host=scram-sha-256", "--pwfile=" + pw);
        Path data = pgDir.resolve("data");
        Files.copy(pki.resolve("postgres.pem"), data.resolve("server.crt"));
        Files.copy(pki.resolve("postgres-key.pem"), data.resolve("server.key"));
        Files.writeString(data.resolve("pg_hba.conf"), String.join("\n",
                "local all postgres trust",
                // TLS only, as in production: a service that forgot to ask for it fails here too.
                "hostssl all all " + subnet + " scram-sha-256",
                "hostnossl all all 0.0.0.0/0 reject", ""));
        run(Duration.ofSeconds(30), "chown", "-R", "postgres:", data.toString());
        run(Duration.ofSeconds(30), "chmod", "600", data.resolve("server.key").toString());
        // Listens on every address because the network's bridge (and so the gateway address) only
        // appears with the first pod; pg_hba.conf admits the network's subnet alone, over TLS only.
        postgresStarted = true;
        asPostgres(Duration.ofMinutes(1), bin + "pg_ctl", "-D", data.toString(), "-w", "-l", pgDir.resolve("postgres.log").toString(),
                "-o", "-c listen_addresses='*' -c port=" + pgPort + " -c ssl=on -c unix_socket_directories=" + pgDir
                        + " -c max_connections=200",
                "start");
        psql("postgres", "create role " + APP_ROLE + " login nosuperuser nocreatedb nocreaterole password '" + appPassword + "'");
        for (String s : SERVICES) {
            psql("postgres", "create database " + database(s));
        }
        for (String s : SERVICES) {
            // PostgreSQL 15 lets only the owner create in schema public; the service creates partitions.
            psql(database(s), "grant usage, create on schema public to " + APP_ROLE + ";");
        }
    }

    static String database(String service) {
        return AGENCY.replace('-', '_') + "_" + service.replace("-svc", "");
    }

    private void psql(String db, String sql) {
        asPostgres(Duration.ofMinutes(1), "psql", "-v", "ON_ERROR_STOP=1", "-q", "-h", pgDir.toString(), "-p", String.valueOf(pgPort),
                "-U", "postgres", "-d", db, "-c", sql);
    }

    private String asPostgres(Duration timeout, String... cmd) {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(List.of(cmd));
        return run(timeout, full.toArray(String[]::new));
    }

    // ---- the chart -----------------------------------------------------------------------------

    /** helm template with the chart's minimal CI values and this test's overrides: the rendered YAML. */
    String render() throws IOException {
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("agency", Map.of("id", AGENCY));
        overrides.put("auth", Map.of("jwtIssuer", TestTokens.ISSUER, "jwtAudience", TestTokens.AUDIENCE));
        overrides.put("image", Map.of("registry", "localhost", "group", "sentinel-platform",
                "tag", Files.readAllLines(work.resolve("images/images.tsv")).get(0).split("\t")[1].replaceAll(".*:", "")));
        Map<String, Object> services = new LinkedHashMap<>();
        for (String s : SERVICES) {
            // The chart's own replica counts: podman kube play makes one pod per Deployment.
            services.put(s.replace("-svc", ""), Map.of(
                    "database", Map.of("host", gateway, "port", pgPort, "networkPeers", List.of(Map.of("cidr", subnet)))));
        }
        overrides.put("services", services);
        // The database is on the host, reached at the Podman network's gateway: in the "region"
        // only as an address inside the network the residency check is told about.
        Map<String, Object> residency = new LinkedHashMap<>(Map.of("networks", List.of(subnet)));
        overrides.put("residency", residency);
        Path values = work.resolve("podman-values.yaml");
        Files.writeString(values, yaml.writeValueAsString(overrides));
        Path ci = root.resolve("helm/sentinel/ci/minimal-values.yaml");
        String rendered = new Helm(root.resolve("helm/sentinel")).template()
                .withName(AGENCY).withNamespace(AGENCY).withKubeVersion("1.32.0")
                .withValuesFile(ci).withValuesFile(values)
                .call();
        Files.writeString(work.resolve("rendered.yaml"), rendered);
        return rendered;
    }

    // ---- podman kube play ----------------------------------------------------------------------

    void play(String rendered) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : yaml.readerFor(Object.class).readValues(rendered).readAll()) {
            if (doc instanceof Map<?, ?> m && !m.isEmpty()) {
                docs.add(castMap(m));
            }
        }
        Map<String, Map<String, byte[]>> envSecrets = new LinkedHashMap<>();
        Map<String, Map<String, byte[]>> fileSecrets = new LinkedHashMap<>();
        Map<String, Map<String, byte[]>> configMaps = new LinkedHashMap<>();
        List<Object> play = new ArrayList<>();
        for (Map<String, Object> doc : docs) {
            if (!"Deployment".equals(doc.get("kind"))) {
                continue;
            }
            Map<String, Object> template = castMap(path(doc, "spec", "template"));
            String name = (String) path(doc, "metadata", "name");
            String service = SERVICES.stream().filter(s -> name.equals(fullname(s))).findFirst()
                    .orElseThrow(() -> new IllegalStateException("unexpected Deployment " + name));
            Map<String, Object> spec = castMap(template.get("spec"));
            for (String list : List.of("initContainers", "containers")) {
                for (Object c : (List<?>) spec.getOrDefault(list, List.of())) {
                    Map<String, Object> container = castMap(c);
                    String image = (String) container.get("image");
                    String expected = "localhost/sentinel-platform/" + service + ":";
                    if (!image.startsWith(expected)) {
                        throw new IllegalStateException(name + " renders image " + image + ", not " + expected + "<tag>");
                    }
                    container.put("image", images.get(service));
                    // Podman 4.3 would turn these into curl health checks inside the container,
                    // which has no curl (nor shell): this class runs them from outside, as the kubelet does.
                    if (list.equals("containers")) {
                        Map<String, Object> probes = new LinkedHashMap<>();
                        for (String kind : List.of("startup", "readiness", "liveness")) {
                            probes.put(kind, container.remove(kind + "Probe"));
                        }
                        container.put("x-probes", probes);
                    }
                    collectSecretRefs(service, container, spec, envSecrets, fileSecrets, configMaps);
                }
            }
            for (Object v : (List<?>) spec.getOrDefault("volumes", List.of())) {
                // Podman 4.3 dereferences an unset "optional" (containers/podman#16636); false is the default.
                Object secret = castMap(v).get("secret");
                if (secret != null) {
                    castMap(secret).putIfAbsent("optional", false);
                }
            }
            Map<String, Object> pod = new LinkedHashMap<>();
            pod.put("apiVersion", "v1");
            pod.put("kind", "Pod");
            Map<String, Object> meta = new LinkedHashMap<>(castMap(template.getOrDefault("metadata", Map.of())));
            meta.put("name", name);
            // Podman 4.3 removes a finished init container while it may still be running and fails
            // the play ("cannot remove container ... as it is running"); kept, it runs on each start,
            // as a Kubernetes init container does.
            Map<String, Object> annotations = new LinkedHashMap<>(castMap(meta.getOrDefault("annotations", Map.of())));
            annotations.put("io.podman.annotations.init.container.type", "always");
            meta.put("annotations", annotations);
            pod.put("metadata", meta);
            // Podman applies the pod's restart policy to init containers too, so under "Always" the
            // model copy would run again and again beside the service; it exits 0, so OnFailure keeps it done.
            spec.put("restartPolicy", "OnFailure");
            pod.put("spec", spec);
            pods.put(service, pod);
        }
        // What kube play gets: the Pods without the probes kept aside for this class.
        List<Object> podDocs = new ArrayList<>();
        for (Map<String, Object> pod : pods.values()) {
            Map<String, Object> copy = yaml.convertValue(pod, Map.class);
            // Podman 4.3 applies the 63-character limit of label values to annotations too (Kubernetes
            // does not) and refuses the chart's SHA-256 checksum: it only restarts pods on rotation,
            // which kube play never does, so it is dropped here.
            Object meta = copy.get("metadata");
            if (meta instanceof Map<?, ?> m && m.get("annotations") instanceof Map<?, ?> a) {
                castMap(a).remove("checksum/secrets");
            }
            for (Object c : (List<?>) path(copy, "spec", "containers")) {
                castMap(c).remove("x-probes");
                // Podman 4.3 publishes every containerPort on the host as well, so four pods on
                // 8080 would collide (with each other and the host); the pods' own addresses serve.
                castMap(c).remove("ports");
            }
            podDocs.add(copy);
        }
        createPodmanSecrets(envSecrets, fileSecrets);
        configMaps.forEach((name, data) -> play.add(object("ConfigMap", name, data)));
        play.addAll(podDocs);
        StringBuilder out = new StringBuilder();
        for (Object doc : play) {
            out.append("---\n").append(yaml.writeValueAsString(doc));
        }
        Path file = work.resolve("kube-play.yaml");
        Files.writeString(file, out.toString());
        volumesBefore = List.of(podman("volume", "ls", "--quiet").split("\n"));
        podman("kube", "play", "--network", network, "--log-driver", "k8s-file", file.toString());
    }

    private List<String> volumesBefore = List.of();
    private final List<String> podmanSecrets = new ArrayList<>();

    /**
     * The agency's Secrets as Podman named secrets. Podman 4.3 cannot play a Secret object, and
     * reads the two uses differently: a secretKeyRef wants a flat JSON map of base64 values, a
     * secret volume a Secret object whose data it writes to the files as given. So a Secret
     * used both ways cannot be played here (the chart has none).
     */
    private void createPodmanSecrets(Map<String, Map<String, byte[]>> env, Map<String, Map<String, byte[]>> files) throws IOException {
        for (String name : env.keySet()) {
            if (files.containsKey(name)) {
                throw new IllegalStateException("Secret " + name + " is read both as environment and as files: Podman 4.3 cannot play that");
            }
        }
        Map<String, Object> all = new LinkedHashMap<>();
        env.forEach((name, data) -> {
            Map<String, String> flat = new LinkedHashMap<>();
            data.forEach((k, v) -> flat.put(k, Base64.getEncoder().encodeToString(v)));
            all.put(name, flat);
        });
        files.forEach((name, data) -> {
            Map<String, String> raw = new LinkedHashMap<>();
            data.forEach((k, v) -> raw.put(k, new String(v, StandardCharsets.UTF_8)));
            all.put(name, Map.of("apiVersion", "v1", "kind", "Secret", "metadata", Map.of("name", name), "data", raw));
        });
        ObjectMapper json = new ObjectMapper();
        Path dir = work.resolve("secrets");
        Files.createDirectories(dir);
        for (Map.Entry<String, Object> e : all.entrySet()) {
            Path f = dir.resolve(e.getKey() + ".json");
            Files.writeString(f, json.writeValueAsString(e.getValue()));
            runAllowingFailure(Duration.ofSeconds(30), "podman", "secret", "rm", e.getKey());
            podman("secret", "create", e.getKey(), f.toString());
            podmanSecrets.add(e.getKey());
            Files.delete(f);
        }
    }

    private Map<String, Object> object(String kind, String name, Map<String, byte[]> data) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", "v1");
        doc.put("kind", kind);
        doc.put("metadata", Map.of("name", name));
        Map<String, String> values = new LinkedHashMap<>();
        data.forEach((k, v) -> values.put(k, kind.equals("Secret") ? Base64.getEncoder().encodeToString(v) : new String(v, StandardCharsets.UTF_8)));
        doc.put("data", values);
        return doc;
    }

    /**
     * The agency's Secrets and ConfigMap, made from what the rendered pods reference: each volume
     * and each secretKeyRef gets the material its mount or variable stands for. A reference this
     * method does not know fails the test, so a new one in the chart is noticed here.
     */
    private void collectSecretRefs(String service, Map<String, Object> container, Map<String, Object> spec,
            Map<String, Map<String, byte[]>> envSecrets, Map<String, Map<String, byte[]>> fileSecrets,
            Map<String, Map<String, byte[]>> configMaps) throws IOException {
        for (Object e : (List<?>) container.getOrDefault("env", List.of())) {
            Map<String, Object> env = castMap(e);
            Object ref = path(env, "valueFrom", "secretKeyRef");
            if (ref == null) {
                continue;
            }
            Map<String, Object> r = castMap(ref);
            byte[] value = switch ((String) env.get("name")) {
                case "DB_USERNAME" -> APP_ROLE.getBytes();
                case "DB_PASSWORD" -> appPassword.getBytes();
                case "DB_MIGRATION_USERNAME" -> "postgres".getBytes();
                case "DB_MIGRATION_PASSWORD" -> adminPassword.getBytes();
                case "BIOMETRIC_TEMPLATE_KEY" -> Base64.getEncoder().encode(new SecureRandom().generateSeed(32));
                default -> throw new IllegalStateException(service + " reads unknown secret variable " + env.get("name"));
            };
            put(envSecrets, (String) r.get("name"), (String) r.get("key"), value);
        }
        List<String> mounted = new ArrayList<>();
        for (Object m : (List<?>) container.getOrDefault("volumeMounts", List.of())) {
            mounted.add((String) castMap(m).get("name"));
        }
        for (Object v : (List<?>) spec.getOrDefault("volumes", List.of())) {
            Map<String, Object> volume = castMap(v);
            String name = (String) volume.get("name");
            if (!mounted.contains(name)) {
                continue;
            }
            Map<String, Object> source = volume.containsKey("secret") ? castMap(volume.get("secret"))
                    : volume.containsKey("configMap") ? castMap(volume.get("configMap")) : null;
            if (source == null) {
                continue;
            }
            boolean isSecret = volume.containsKey("secret");
            String objectName = (String) source.get(isSecret ? "secretName" : "name");
            for (Object i : (List<?>) source.getOrDefault("items", List.of())) {
                String key = (String) castMap(i).get("key");
                Path file = switch (name) {
                    case "jwt-verify-key" -> TestKeys.trustedPublicKey();
                    case "service-token-key" -> TestKeys.servicePrivateKey(service);
                    case "service-token-peer-keys" -> TestKeys.peerKeysDir().resolve(key);
                    case "tls" -> switch (key) {
                        case "tls.crt" -> pki.resolve(service + ".pem");
                        case "tls.key" -> pki.resolve(service + "-key.pem");
                        case "ca.crt" -> ca();
                        default -> throw new IllegalStateException("unknown TLS key " + key);
                    };
                    case "db-ca" -> ca();
                    case "audit-key" -> TestKeys.auditKey();
                    default -> throw new IllegalStateException(service + " mounts unknown volume " + name);
                };
                put(isSecret ? fileSecrets : configMaps, objectName, key, Files.readAllBytes(file));
            }
        }
    }

    private static void put(Map<String, Map<String, byte[]>> objects, String name, String key, byte[] value) {
        Map<String, byte[]> data = objects.computeIfAbsent(name, n -> new LinkedHashMap<>());
        byte[] before = data.putIfAbsent(key, value);
        if (before != null && !java.util.Arrays.equals(before, value)) {
            throw new IllegalStateException(name + "/" + key + " would need two different values");
        }
    }

    // ---- readiness through the chart's own probes ---------------------------------------------

    String container(String service) {
        return fullname(service) + "-" + service;
    }

    String podIp(String service) {
        String infra = podman("pod", "inspect", "--format", "{{.InfraContainerID}}", fullname(service)).strip();
        return podman("inspect", "--format", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", infra).strip();
    }

    /** The container's startup probe until it passes (or its threshold is spent), then its readiness probe. */
    void probeUntilReady(String service) throws Exception {
        Map<String, Object> container = castMap(((List<?>) path(pods.get(service), "spec", "containers")).get(0));
        Map<String, Object> probes = castMap(container.get("x-probes"));
        Map<String, Object> startup = castMap(probes.get("startup"));
        Map<String, Object> readiness = castMap(probes.get("readiness"));
        if (!probe(service, container, startup, true)) {
            throw new IllegalStateException(service + " failed its startup probe " + failureThreshold(startup) + " times; log:\n" + logs(service));
        }
        if (!probe(service, container, readiness, false)) {
            throw new IllegalStateException(service + " never passed its readiness probe; log:\n" + logs(service));
        }
        Instant started = Instant.parse(podman("inspect", "--format", "{{.State.StartedAt.Format \"2006-01-02T15:04:05.000000000Z07:00\"}}",
                container(service)).strip());
        readyAfter.put(service, Duration.between(started, Instant.now()).toMillis() / 1000.0);
    }

    private static int failureThreshold(Map<String, Object> probe) {
        return ((Number) probe.getOrDefault("failureThreshold", 3)).intValue();
    }

    /** Runs one probe at its period; true on the first success, false after failureThreshold failures (startup) or 3 minutes (readiness). */
    private boolean probe(String service, Map<String, Object> container, Map<String, Object> probe, boolean countFailures) throws Exception {
        Map<String, Object> get = castMap(probe.get("httpGet"));
        int port = port(container, get.get("port"));
        String scheme = ((String) get.getOrDefault("scheme", "HTTP")).toLowerCase();
        URI uri = URI.create(scheme + "://" + podIps.get(service) + ":" + port + get.get("path"));
        Duration period = Duration.ofSeconds(((Number) probe.getOrDefault("periodSeconds", 10)).longValue());
        Duration timeout = Duration.ofSeconds(((Number) probe.getOrDefault("timeoutSeconds", 1)).longValue());
        Thread.sleep(((Number) probe.getOrDefault("initialDelaySeconds", 0)).longValue() * 1000);
        int failures = 0;
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(3));
        while (countFailures ? failures < failureThreshold(probe) : Instant.now().isBefore(giveUp)) {
            assertRunning(service);
            try {
                int status = kubeletGet(uri, timeout);
                if (status >= 200 && status < 400) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet, or timed out: a failed probe
            }
            failures++;
            Thread.sleep(period.toMillis()); // the probe's own period, as the kubelet waits
        }
        return false;
    }

    private static int port(Map<String, Object> container, Object port) {
        if (port instanceof Number n) {
            return n.intValue();
        }
        for (Object p : (List<?>) container.get("ports")) {
            if (port.equals(castMap(p).get("name"))) {
                return ((Number) castMap(p).get("containerPort")).intValue();
            }
        }
        throw new IllegalStateException("no container port named " + port);
    }

    void assertRunning(String service) {
        String state = podman("inspect", "--format", "{{.State.Status}}", container(service)).strip();
        if (!state.equals("running")) {
            throw new IllegalStateException(service + " is " + state + "; log:\n" + logs(service));
        }
    }

    String logs(String service) {
        try {
            return runAllowingFailure(Duration.ofSeconds(30), "podman", "logs", "--tail", "80", container(service));
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    /** A GET as the kubelet probes: HTTPS without verifying the certificate or the host name, no client certificate. */
    private static int kubeletGet(URI uri, Duration timeout) throws Exception {
        javax.net.ssl.HttpsURLConnection c = (javax.net.ssl.HttpsURLConnection) uri.toURL().openConnection();
        c.setSSLSocketFactory(kubelet().getSocketFactory());
        c.setHostnameVerifier((host, session) -> true);
        c.setConnectTimeout((int) timeout.toMillis());
        c.setReadTimeout((int) timeout.toMillis());
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    private static SSLContext kubelet() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] { new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        } }, null);
        return ssl;
    }

    // ---- start-up measurement (bench/container-startup.sh) -----------------------------------

    /** One start of a service's container: to readiness, what Quarkus logs, and the JVM's RSS then. */
    record Startup(String service, long toReadyMillis, String quarkusStartedIn, long rssKib) {
    }

    /**
     * Stops the service's container and starts it again (its pod, volumes and peers stay), then
     * polls its readiness endpoint every 100 ms: milliseconds from "podman start" to the first 200,
     * Quarkus's own "started in", and VmRSS of the JVM at that moment. A measurement, not a test.
     */
    Startup restartAndMeasure(String service) throws Exception {
        String container = container(service);
        podman("stop", "--time", "30", container);
        Instant t0 = Instant.now();
        podman("start", container);
        Map<String, Object> main = castMap(((List<?>) path(pods.get(service), "spec", "containers")).get(0));
        Map<String, Object> get = castMap(path(castMap(main.get("x-probes")), "readiness", "httpGet"));
        URI uri = URI.create("https://" + podIps.get(service) + ":" + port(main, get.get("port")) + get.get("path"));
        Instant giveUp = t0.plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(giveUp)) {
            try {
                if (kubeletGet(uri, Duration.ofSeconds(2)) == 200) {
                    long millis = Duration.between(t0, Instant.now()).toMillis();
                    String pid = podman("inspect", "--format", "{{.State.Pid}}", container).strip();
                    long rss = Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(l -> l.startsWith("VmRSS:"))
                            .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
                    String log = runAllowingFailure(Duration.ofSeconds(30), "podman", "logs", "--since", t0.toString(), container);
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("started in ([0-9.]+s)").matcher(log);
                    String startedIn = "?";
                    while (m.find()) {
                        startedIn = m.group(1);
                    }
                    return new Startup(service, millis, startedIn, rss);
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100); // polling a process we do not control
        }
        throw new IllegalStateException(service + " not ready 3 minutes after a restart; log:\n" + logs(service));
    }

    // ---- clients -------------------------------------------------------------------------------

    /** A TLS channel to the service's pod, verifying its certificate for the Service's DNS name. */
    ManagedChannel channel(String service) {
        try {
            var ssl = io.grpc.netty.GrpcSslContexts.forClient().trustManager(ca().toFile()).build();
            return io.grpc.netty.NettyChannelBuilder.forAddress(podIps.get(service), 8080).overrideAuthority(fullname(service))
                    .sslContext(ssl).build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** podman exec in the service container, without a shell: answers exit code and output. */
    ExecResult exec(String service, String... cmd) {
        List<String> full = new ArrayList<>(List.of("podman", "exec", container(service)));
        full.addAll(List.of(cmd));
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", full) + " timed out");
            }
            return new ExecResult(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record ExecResult(int exitCode, String output) {
    }

    // ---- plumbing ------------------------------------------------------------------------------

    String podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs"));
        cmd.addAll(List.of(args));
        return run(Duration.ofMinutes(5), cmd.toArray(String[]::new));
    }

    private String run(Duration timeout, String... cmd) {
        try {
            Path errors = Files.createTempFile(work, "cmd", ".err");
            Process p = new ProcessBuilder(cmd).redirectError(errors.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " timed out");
            }
            String err = Files.readString(errors);
            Files.deleteIfExists(errors);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + out + err);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String runAllowingFailure(Duration timeout, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (String s : SERVICES) {
            runAllowingFailure(Duration.ofMinutes(1), "podman", "pod", "rm", "--force", "--time", "10", fullname(s));
        }
        runAllowingFailure(Duration.ofMinutes(1), "podman", "network", "rm", "--force", network);
        for (String secret : podmanSecrets) {
            runAllowingFailure(Duration.ofSeconds(30), "podman", "secret", "rm", secret);
        }
        // The emptyDir volumes kube play made for the pods.
        if (!volumesBefore.isEmpty()) {
            for (String v : runAllowingFailure(Duration.ofSeconds(30), "podman", "volume", "ls", "--quiet").split("\n")) {
                if (!v.isBlank() && !volumesBefore.contains(v)) {
                    runAllowingFailure(Duration.ofSeconds(30), "podman", "volume", "rm", "--force", v);
                }
            }
        }
        if (postgresStarted) {
            runAllowingFailure(Duration.ofMinutes(1), "runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D",
                    pgDir.resolve("data").toString(), "-m", "fast", "stop");
        }
        runAllowingFailure(Duration.ofMinutes(1), "rm", "-rf", pgDir.toString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    static Object path(Map<String, Object> map, String... keys) {
        Object at = map;
        for (String k : keys) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(k);
        }
        return at;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
