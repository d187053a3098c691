package io.sentinel.bench.location;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Timestamp;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.enrollment.v1.AssignDeviceRequest;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.api.enrollment.v1.ConditionsState;
import io.sentinel.api.enrollment.v1.CreateOrderRequest;
import io.sentinel.api.enrollment.v1.CreateSubjectRequest;
import io.sentinel.api.enrollment.v1.Device;
import io.sentinel.api.enrollment.v1.EnrollmentServiceGrpc;
import io.sentinel.api.enrollment.v1.GetOrderRequest;
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.RegisterDeviceRequest;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.FixBatchAck;
import io.sentinel.api.location.v1.FixRejection;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.location.v1.QueryTrailRequest;
import io.sentinel.api.location.v1.TrailPoint;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.ListAlertsResponse;
import io.sentinel.api.rules.v1.RulesServiceGrpc;

/**
 * The fault drill (a command, not a test): against the suite {@code ./sentinel up} runs, it enrols
 * subjects through enrollment-svc's public API (so conditions and assignments travel through the
 * outbox as in production), then, one phase per fault, streams real trips over {@code IngestFixes}
 * while it SIGKILLs one service (and starts it again with {@code ./sentinel up}) or restarts
 * PostgreSQL, and afterwards counts, from what the services hold:
 * <ul>
 * <li>acknowledged fixes (the gateway got an ack, which location-svc sends only after the commit),
 * lost (acknowledged but not in the trail) and duplicated (a device time stored more than once);</li>
 * <li>expected alerts ({@link DrillPlan}, from the trips and polygons alone) against raised ones:
 * missing, duplicated (a second alert for one stay inside) and false (an alert for no stay).</li>
 * </ul>
 * The gateway behaves as a real one must: a batch not acknowledged when its stream fails is sent
 * again on a new stream, so the service sees duplicates after every fault and must store each fix once.
 *
 * <pre>
 * bench/drill.sh    # builds, ./sentinel up, mints tokens, runs this; see bench/README.md
 * </pre>
 */
public final class FaultDrill {
    static final List<String> SERVICES = List.of("enrollment-svc", "biometric-svc", "location-svc", "rules-svc");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PURPOSE = Metadata.Key.of("x-sentinel-purpose", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REFERENCE = Metadata.Key.of("x-sentinel-reference", Metadata.ASCII_STRING_MARSHALLER);

    private final Map<String, String> options;
    private final SuiteAccess access;
    private final Path home;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final String gatewayToken;
    private final String caseworkerToken;
    private final String gatewayId;
    private final int perPhase;
    private final long intervalMillis;
    private final int faultAfterSeconds;
    private final int streams;
    private final ManagedChannel enrollment, location, rules;

    /** One subject of a phase as enrolled. */
    record Enrolled(DrillPlan.Subject plan, String subjectId, String orderId, String deviceId, String zoneId) {
    }

    /** What one phase measured. */
    record Result(String fault, int subjects, long sent, long acknowledged, long resent, long rejected, long lost, long duplicated,
            long storedUnacknowledged, int expectedAlerts, int raisedAlerts, int missing, int duplicatedAlerts, int falseAlerts,
            int otherAlerts, double faultSeconds, double phaseSeconds) {
    }

    FaultDrill(Map<String, String> options) {
        this.options = options;
        this.access = SuiteAccess.from(options);
        this.home = Path.of(options.getOrDefault("home", ".sentinel"));
        int base = Integer.parseInt(options.getOrDefault("port-base", "8080"));
        for (int i = 0; i < SERVICES.size(); i++) {
            ports.put(SERVICES.get(i), base + 1 + i);
        }
        this.gatewayToken = require("token");
        this.caseworkerToken = require("caseworker-token");
        this.gatewayId = options.getOrDefault("gateway-id", SuiteAccess.claim(gatewayToken, "token", "sub", "gateway-id"));
        this.perPhase = Integer.parseInt(options.getOrDefault("subjects", "40"));
        this.intervalMillis = Long.parseLong(options.getOrDefault("interval-ms", "200"));
        this.faultAfterSeconds = Integer.parseInt(options.getOrDefault("fault-after", "6"));
        this.streams = Integer.parseInt(options.getOrDefault("streams", "2"));
        this.enrollment = access.channel("localhost:" + ports.get("enrollment-svc"));
        this.location = access.channel("localhost:" + ports.get("location-svc"));
        this.rules = access.channel("localhost:" + ports.get("rules-svc"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        try {
            new FaultDrill(o).run();
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("FaultDrill: " + e.getMessage());
            System.exit(2);
        }
        System.exit(0);
    }

    private String require(String option) {
        String v = options.get(option);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + option + " is required");
        }
        return v;
    }

    void run() throws Exception {
        Path data = Path.of(options.getOrDefault("data", "../shared/data"));
        if (!Files.isDirectory(data.resolve("gps"))) {
            throw new IllegalArgumentException("no real data at " + data.toAbsolutePath().normalize() + " (--data DIR)");
        }
        List<String> faults = List.of(options.getOrDefault("faults", "none,enrollment-svc,biometric-svc,location-svc,rules-svc,postgresql")
                .split(","));
        List<DrillPlan.Subject> plans = DrillPlan.subjects(data, faults.size() * perPhase);
        int expected = plans.stream().mapToInt(p -> p.breachStarts().size()).sum();
        say("%d real trips with an unambiguous answer against a London borough (%d stays inside in all);"
                + " phases reuse them with fresh subjects and devices", plans.size(), expected);
        if (plans.size() < perPhase) {
            throw new IllegalStateException("only " + plans.size() + " usable trips for " + perPhase + " subjects per phase (--subjects)");
        }
        // Every phase's subjects are enrolled first, through the public API, before any fault.
        List<List<Enrolled>> phases = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int p = 0; p < faults.size(); p++) {
                List<Future<Enrolled>> fs = new ArrayList<>();
                for (int i = 0; i < perPhase; i++) {
                    DrillPlan.Subject plan = plans.get((p * perPhase + i) % plans.size());
                    String name = "P" + p + "S" + i;
                    fs.add(pool.submit(() -> enrol(plan, name)));
                }
                List<Enrolled> list = new ArrayList<>();
                for (Future<Enrolled> f : fs) {
                    list.add(f.get());
                }
                phases.add(list);
            }
        } finally {
            pool.shutdown();
        }
        say("enrolled %d subjects; waiting until rules-svc applied every order's conditions", faults.size() * perPhase);
        for (List<Enrolled> phase : phases) {
            for (Enrolled e : phase) {
                awaitApplied(e);
            }
        }
        List<Result> results = new ArrayList<>();
        for (int p = 0; p < faults.size(); p++) {
            results.add(phase(faults.get(p), phases.get(p)));
            print(results);
        }
        say("done");
    }

    private EnrollmentServiceGrpc.EnrollmentServiceBlockingStub enrollmentStub() {
        return EnrollmentServiceGrpc.newBlockingStub(enrollment).withCallCredentials(bearer(caseworkerToken)).withDeadlineAfter(60,
                TimeUnit.SECONDS);
    }

    private Enrolled enrol(DrillPlan.Subject plan, String name) {
        return retrying(() -> {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            var subject = enrollmentStub().createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.nameUUIDFromBytes(
                    (name + "-subject-" + runId).getBytes()).toString()).setSubject(io.sentinel.api.enrollment.v1.Subject.newBuilder()
                            .setGivenNames("Drill").setFamilyName(name).setDateOfBirth("1980-01-01").setNationality("GBR")
                            .setPreferredLanguage("en")).build()).getSubject();
            MonitoringOrder order = enrollmentStub().createOrder(CreateOrderRequest.newBuilder()
                    .setIdempotencyKey(UUID.nameUUIDFromBytes((name + "-order-" + runId).getBytes()).toString())
                    .setOrder(MonitoringOrder.newBuilder().setSubjectId(subject.getSubjectId()).setLegalAuthority("Fault drill " + runId)
                            .setStartsAt(ts(now.minus(2, ChronoUnit.DAYS))).setEndsAt(ts(now.plus(30, ChronoUnit.DAYS)))
                            .setDeviceType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                            .setConditions(Conditions.newBuilder().setTimeZone("Europe/London")
                                    .addZones(Zone.newBuilder().setName(plan.zoneName()).setKind(ZoneKind.ZONE_KIND_EXCLUSION)
                                            .setGeojson(plan.zoneGeoJson()))
                                    .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)))
                    .build()).getOrder();
            Device device = enrollmentStub().registerDevice(RegisterDeviceRequest.newBuilder()
                    .setIdempotencyKey(UUID.nameUUIDFromBytes((name + "-device-" + runId).getBytes()).toString())
                    .setDevice(Device.newBuilder().setSerial("DRILL-" + runId + "-" + name).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                            .addGatewayIds(gatewayId)).build()).getDevice();
            if (device.getAssignedSubjectId().isEmpty()) {
                enrollmentStub().assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(device.getDeviceId())
                        .setSubjectId(subject.getSubjectId()).build());
            }
            return new Enrolled(plan, subject.getSubjectId(), order.getOrderId(), device.getDeviceId(),
                    order.getConditions().getZones(0).getZoneId());
        });
    }

    private final String runId = Long.toString(System.currentTimeMillis(), 36);

    private void awaitApplied(Enrolled e) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(deadline)) {
            ConditionsState s = retrying(() -> enrollmentStub().getOrder(GetOrderRequest.newBuilder().setOrderId(e.orderId()).build())
                    .getOrder().getConditionsStatus().getState());
            if (s == ConditionsState.CONDITIONS_STATE_APPLIED) {
                return;
            }
            if (s == ConditionsState.CONDITIONS_STATE_NOT_APPLIED) {
                throw new IllegalStateException("rules-svc refused the conditions of order " + e.orderId());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("conditions of order " + e.orderId() + " not applied within 5 minutes");
    }

    // ---- one phase

    Result phase(String fault, List<Enrolled> subjects) throws Exception {
        say("phase '%s': %d devices, one fix each every %d ms, fault after %d s", fault, subjects.size(), intervalMillis, faultAfterSeconds);
        int longest = subjects.stream().mapToInt(s -> s.plan().fixes().size()).max().orElse(0);
        // Device time: 30 s per fix, ending a few minutes before now, so no fix is ever in the future.
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(DrillPlan.FIX_SECONDS * longest + 300);
        List<Gateway> gateways = new ArrayList<>();
        for (int g = 0; g < streams; g++) {
            List<Enrolled> mine = new ArrayList<>();
            for (int i = g; i < subjects.size(); i += streams) {
                mine.add(subjects.get(i));
            }
            gateways.add(new Gateway("g" + g, mine, t0));
        }
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (Gateway g : gateways) {
            Thread t = new Thread(g::run, "drill-gateway-" + g.name);
            t.start();
            threads.add(t);
        }
        double faultSeconds = 0;
        if (!fault.equals("none")) {
            Thread.sleep(faultAfterSeconds * 1000L);
            long f0 = System.nanoTime();
            inject(fault);
            faultSeconds = (System.nanoTime() - f0) / 1e9;
        }
        for (Thread t : threads) {
            t.join();
        }
        double phaseSeconds = (System.nanoTime() - started) / 1e9;
        say("phase '%s': all fixes acknowledged after %.1f s; letting rules-svc catch up", fault, phaseSeconds);

        // ---- count
        long sent = 0, acked = 0, resent = 0, rejected = 0, lost = 0, dup = 0, extra = 0;
        Map<String, Set<Instant>> ackedBy = new HashMap<>();
        for (Gateway g : gateways) {
            sent += g.sent;
            resent += g.resent;
            rejected += g.rejected;
            g.acknowledged.forEach((d, ts) -> ackedBy.computeIfAbsent(d, k -> new HashSet<>()).addAll(ts));
        }
        int expected = subjects.stream().mapToInt(s -> s.plan().breachStarts().size()).sum();
        Map<String, List<Alert>> alerts = settleAlerts(subjects, expected);
        for (Enrolled s : subjects) {
            Set<Instant> a = ackedBy.getOrDefault(s.deviceId(), Set.of());
            acked += a.size();
            List<Instant> stored = trail(s, t0, s.plan().fixes().size());
            Set<Instant> distinct = new HashSet<>(stored);
            dup += stored.size() - distinct.size();
            for (Instant t : a) {
                if (!distinct.contains(t)) {
                    lost++;
                }
            }
            for (Instant t : distinct) {
                if (!a.contains(t)) {
                    extra++;
                }
            }
        }
        int raised = 0, missing = 0, dupAlerts = 0, falseAlerts = 0, other = 0;
        for (Enrolled s : subjects) {
            Map<Instant, Integer> byStart = new HashMap<>();
            for (int i : s.plan().breachStarts()) {
                byStart.put(t0.plusSeconds(DrillPlan.FIX_SECONDS * i), 0);
            }
            for (Alert a : alerts.getOrDefault(s.subjectId(), List.of())) {
                if (a.getKind() != AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED) {
                    other++;
                    continue;
                }
                raised++;
                Instant start = Instant.ofEpochSecond(a.getBreachStartedAt().getSeconds(), a.getBreachStartedAt().getNanos());
                if (!a.getConditionId().equals(s.zoneId()) || !byStart.containsKey(start)) {
                    falseAlerts++;
                } else {
                    byStart.merge(start, 1, Integer::sum);
                }
            }
            for (int n : byStart.values()) {
                if (n == 0) {
                    missing++;
                } else {
                    dupAlerts += n - 1;
                }
            }
        }
        return new Result(fault, subjects.size(), sent, acked, resent, rejected, lost, dup, extra, expected, raised, missing, dupAlerts,
                falseAlerts, other, faultSeconds, phaseSeconds);
    }

    /** SIGKILL a service and start it again as ./sentinel up does, or restart PostgreSQL. */
    private void inject(String fault) throws Exception {
        if (fault.equals("postgresql")) {
            say("restarting PostgreSQL (scripts/postgres.sh stop, start)");
            command("scripts/postgres.sh", "stop");
            command("scripts/postgres.sh", "start");
            return;
        }
        if (!SERVICES.contains(fault)) {
            throw new IllegalArgumentException("unknown fault " + fault + " (none, postgresql or a service)");
        }
        long pid = Long.parseLong(Files.readString(home.resolve("run").resolve(fault + ".pid")).strip());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(fault + " (pid " + pid + ") is not running"));
        say("SIGKILL %s (pid %d)", fault, pid);
        p.destroyForcibly(); // SIGKILL on Linux
        p.onExit().get(30, TimeUnit.SECONDS);
        say("starting %s again with ./sentinel up", fault);
        command("./sentinel", "up");
    }

    private void command(String... cmd) throws Exception {
        File log = home.resolve("logs").resolve("drill-commands.log").toFile();
        log.getParentFile().mkdirs();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        if (!p.waitFor(900, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed; see " + log);
        }
    }

    /** Polls the subjects' alerts until there are at least as many as expected and nothing changed for 20 s (at most 5 minutes). */
    private Map<String, List<Alert>> settleAlerts(List<Enrolled> subjects, int expected) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        Map<String, List<Alert>> last = Map.of();
        int lastCount = -1;
        Instant stableSince = Instant.now();
        while (Instant.now().isBefore(deadline)) {
            Map<String, List<Alert>> now = new HashMap<>();
            int count = 0;
            for (Enrolled s : subjects) {
                List<Alert> list = alerts(s.subjectId());
                now.put(s.subjectId(), list);
                count += list.size();
            }
            if (count != lastCount) {
                lastCount = count;
                stableSince = Instant.now();
            }
            last = now;
            if (count >= expected && Duration.between(stableSince, Instant.now()).toSeconds() >= 20) {
                break;
            }
            Thread.sleep(2000);
        }
        return last;
    }

    private List<Alert> alerts(String subjectId) {
        return retrying(() -> {
            List<Alert> out = new ArrayList<>();
            String page = "";
            do {
                ListAlertsResponse r = RulesServiceGrpc.newBlockingStub(rules).withCallCredentials(bearer(caseworkerToken))
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subjectId).setPageSize(500).setPageToken(page).build());
                out.addAll(r.getAlertsList());
                page = r.getNextPageToken();
            } while (!page.isEmpty());
            return out;
        });
    }

    private List<Instant> trail(Enrolled s, Instant t0, int fixes) {
        return retrying(() -> {
            List<Instant> out = new ArrayList<>();
            for (TrailPoint p : LocationServiceGrpc.newBlockingStub(location).withCallCredentials(bearer(caseworkerToken))
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .queryTrail(QueryTrailRequest.newBuilder().setSubjectId(s.subjectId()).setFrom(ts(t0.minusSeconds(60)))
                            .setTo(ts(t0.plusSeconds(DrillPlan.FIX_SECONDS * fixes + 60))).build())
                    .getPointsList()) {
                out.add(Instant.ofEpochSecond(p.getDeviceTime().getSeconds(), p.getDeviceTime().getNanos()));
            }
            return out;
        });
    }

    /**
     * One gateway: a stream of batches, one batch per interval holding the next fix of each of its
     * devices. It keeps every batch until it is acknowledged; when the stream fails it opens a new
     * one and sends the unacknowledged batches again, as a gateway that must not lose fixes does.
     * A fix refused because its device's assignment has not arrived yet is sent again later.
     */
    final class Gateway {
        final String name;
        final List<Enrolled> devices;
        final Instant t0;
        final Map<String, Set<Instant>> acknowledged = new HashMap<>();
        long sent, resent, rejected;
        private final ArrayDeque<FixBatch> unacked = new ArrayDeque<>();
        private final ArrayDeque<Fix> retry = new ArrayDeque<>();
        private long sequence;
        private StreamObserver<FixBatch> stream;
        private int streamGeneration;
        /** After a failure, when to open the next stream (nanoTime). */
        private long reopenAt;

        Gateway(String name, List<Enrolled> devices, Instant t0) {
            this.name = name;
            this.devices = devices;
            this.t0 = t0;
        }

        void run() {
            int index = 0;
            int longest = devices.stream().mapToInt(d -> d.plan().fixes().size()).max().orElse(0);
            long next = System.nanoTime();
            while (true) {
                synchronized (this) {
                    if (index >= longest && unacked.isEmpty() && retry.isEmpty()) {
                        break;
                    }
                    if (stream == null && System.nanoTime() - reopenAt >= 0) {
                        open();
                    }
                    if (unacked.size() < 50 && (index < longest || !retry.isEmpty())) {
                        FixBatch.Builder b = FixBatch.newBuilder().setSequence(++sequence);
                        while (!retry.isEmpty() && b.getFixesCount() < 900) {
                            b.addFixes(retry.poll());
                        }
                        if (index < longest) {
                            for (Enrolled d : devices) {
                                if (index < d.plan().fixes().size()) {
                                    double[] f = d.plan().fixes().get(index);
                                    b.addFixes(Fix.newBuilder().setDeviceId(d.deviceId())
                                            .setDeviceTime(ts(t0.plusSeconds(DrillPlan.FIX_SECONDS * index))).setLatitude(f[0])
                                            .setLongitude(f[1]).setAccuracyMetres(10));
                                    sent++;
                                }
                            }
                            index++;
                        }
                        FixBatch batch = b.build();
                        unacked.add(batch);
                        send(batch);
                    }
                }
                next += TimeUnit.MILLISECONDS.toNanos(intervalMillis);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                } else {
                    next = System.nanoTime();
                }
            }
            synchronized (this) {
                if (stream != null) {
                    stream.onCompleted();
                }
            }
        }

        private void send(FixBatch batch) {
            if (stream == null) {
                return; // sent with the others when the next stream opens
            }
            try {
                stream.onNext(batch);
            } catch (RuntimeException e) {
                failed(streamGeneration, e);
            }
        }

        /** Opens a new stream and sends every unacknowledged batch again, in order. Holds the lock. */
        private void open() {
            int generation = ++streamGeneration;
            stream = LocationServiceGrpc.newStub(location).withCallCredentials(bearer(gatewayToken)).ingestFixes(new StreamObserver<>() {
                @Override
                public void onNext(FixBatchAck ack) {
                    acked(generation, ack);
                }

                @Override
                public void onError(Throwable t) {
                    failed(generation, t);
                }

                @Override
                public void onCompleted() {
                    failed(generation, new IllegalStateException("stream completed by the server"));
                }
            });
            for (FixBatch b : unacked) {
                if (stream == null) {
                    break; // failed at once; the next stream sends them
                }
                resent += b.getFixesCount();
                stream.onNext(b);
            }
        }

        synchronized void acked(int generation, FixBatchAck ack) {
            if (generation != streamGeneration) {
                return;
            }
            while (!unacked.isEmpty() && unacked.peek().getSequence() <= ack.getSequence()) {
                FixBatch b = unacked.poll();
                Set<Integer> refused = new HashSet<>();
                if (b.getSequence() == ack.getSequence()) {
                    for (FixRejection r : ack.getRejectionsList()) {
                        refused.add(r.getIndex());
                        String code = r.getCode();
                        if (code.equals("NOT_FOUND") || code.equals("FAILED_PRECONDITION") || code.equals("PERMISSION_DENIED")) {
                            retry.add(b.getFixes(r.getIndex())); // the assignment may still be on its way
                        } else {
                            rejected++;
                            if (rejected <= 3) {
                                say("gateway %s: fix refused: %s %s", name, code, r.getReason());
                            }
                        }
                    }
                }
                for (int i = 0; i < b.getFixesCount(); i++) {
                    if (!refused.contains(i)) {
                        Fix f = b.getFixes(i);
                        acknowledged.computeIfAbsent(f.getDeviceId(), k -> new HashSet<>())
                                .add(Instant.ofEpochSecond(f.getDeviceTime().getSeconds(), f.getDeviceTime().getNanos()));
                    }
                }
            }
        }

        synchronized void failed(int generation, Throwable t) {
            if (generation != streamGeneration) {
                return;
            }
            say("gateway %s: stream failed (%s); %d batches unacknowledged, reconnecting", name, Status.fromThrowable(t).getCode(),
                    unacked.size());
            stream = null;
            reopenAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        }
    }

    // ---- helpers

    /** Retries a unary call through restarts (UNAVAILABLE, deadline, aborted) for up to 5 minutes. */
    static <T> T retrying(java.util.concurrent.Callable<T> call) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (true) {
            try {
                return call.call();
            } catch (StatusRuntimeException e) {
                Status.Code c = e.getStatus().getCode();
                boolean transientFailure = c == Status.Code.UNAVAILABLE || c == Status.Code.DEADLINE_EXCEEDED || c == Status.Code.ABORTED
                        || c == Status.Code.UNKNOWN || c == Status.Code.INTERNAL;
                if (!transientFailure || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, java.util.concurrent.Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(AUTHORIZATION, "Bearer " + token);
                m.put(PURPOSE, "fault drill: counting lost and duplicated fixes");
                m.put(REFERENCE, "DRILL");
                applier.apply(m);
            }
        };
    }

    static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    static void say(String format, Object... args) {
        System.out.printf("%s drill: %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS), String.format(format, args));
        System.out.flush();
    }

    static void print(List<Result> results) {
        System.out.println();
        System.out.printf("%-15s %8s %9s %8s %6s %9s %5s %8s %8s %7s %7s %7s %8s %6s %6s %7s %7s%n", "fault", "subjects", "sent", "acked",
                "lost", "dup-fixes", "unack", "resent", "rejected", "exp-al", "raised", "missing", "dup-al", "false", "other", "fault-s",
                "phase-s");
        for (Result r : results) {
            System.out.printf("%-15s %8d %9d %8d %6d %9d %5d %8d %8d %7d %7d %7d %8d %6d %6d %7.1f %7.1f%n", r.fault(), r.subjects(), r.sent(),
                    r.acknowledged(), r.lost(), r.duplicated(), r.storedUnacknowledged(), r.resent(), r.rejected(), r.expectedAlerts(),
                    r.raisedAlerts(), r.missing(), r.duplicatedAlerts(), r.falseAlerts(), r.otherAlerts(), r.faultSeconds(), r.phaseSeconds());
        }
        System.out.println();
        System.out.flush();
    }
}
