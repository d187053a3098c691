package io.sentinel.bench.location;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.Timestamp;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sentinel.api.internal.v1.RulesIntakeServiceGrpc;
import io.sentinel.api.common.v1.Circle;
import io.sentinel.api.common.v1.GeoPoint;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertOutcome;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.rules.v1.ResolveAlertRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;

/**
 * End-to-end benchmark (a command, not a test): fix-to-alert latency through the real services.
 * It gives each simulated subject an exclusion zone in rules-svc and a device in location-svc,
 * then streams fixes over gRPC {@code IngestFixes} at a fixed rate: each device walks its real GO
 * Track trace, and every cycle of 16 fixes it spends 6 fixes (30 s apart in device time) inside
 * its zone, which opens an alert once the dwell (2 min, 3 fixes) is met, and then leaves, which
 * closes it ({@code --breach-every K}: only one subject in K does so in a given cycle, the others keep
 * walking). An agency subscription ({@code SubscribeAlerts}) receives the alerts; for each OPENED
 * alert the latency is from sending the fix that opened it (found by device and fix time) to the
 * alert arriving at the subscriber. Prints fixes/s committed and the p50/p99/max fix-to-alert,
 * then ends what it set up and resolves the alerts it opened (see {@link #tearDown}).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.sentinel.bench.location.FixToAlert \
 *   --location localhost:8083 --rules localhost:8084 --token "$GATEWAY" --watch-token "$CASEWORKER" \
 *   [--agency dev-agency] [--gateway-id SUB] [--pki .sentinel/pki] [--ca FILE] \
 *   [--subjects 500] [--rate 5000] [--seconds 30] [--streams 8] [--batch 100] [--breach-every 1]
 *   [--arrival staggered|aligned] [--leave-behind true] [--report-interval PT15M]
 * </pre>
 *
 * <p>Every connection is TLS, verified against {@code --ca} (default {@code <pki>/ca.pem}). The
 * gateway ({@code --token}, role device-gateway) and the caseworker ({@code --watch-token}) call the
 * public APIs with their own tokens. The set-up and tear-down of conditions and assignments go
 * through the internal intakes of rules-svc and location-svc as enrollment-svc, with its
 * development credentials from {@code --pki} (see {@link SuiteAccess}); every device is bound to
 * {@code --gateway-id}, by default the {@code sub} of {@code --token}. {@code --agency} defaults to
 * the {@code agency} of {@code --token} and must be the agency the suite runs as.
 *
 * <p>See {@link Pacing} for {@code --arrival}. {@code --leave-behind} skips the clean-up, so the
 * run's alerts escalate and its devices raise NO_SIGNAL (after {@code --report-interval}) while
 * later runs measure: the load of background alert work, compressed in time.
 */
public final class FixToAlert {
    private static final int CYCLE = 16;
    private static final int INSIDE = 6;
    private static final long STEP_SECONDS = 30;
    private static final double ZONE_RADIUS_METRES = 100;

    record Subject(String subjectId, String deviceId, List<IngestReplay.Point> track, IngestReplay.Point zone) {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(IngestReplay.parse(args));
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("FixToAlert: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Enrollment-svc's side of the set-up: a mutual-TLS channel and a service token per service called. */
    record Setup(ManagedChannel location, ManagedChannel rules, CallCredentials locationToken, CallCredentials rulesToken,
            String agency, List<String> gatewayIds) {
        IngestReplay.Setup locationSetup() {
            return new IngestReplay.Setup(location, locationToken, agency, gatewayIds);
        }

        RulesIntakeServiceGrpc.RulesIntakeServiceBlockingStub rulesIntake() {
            return RulesIntakeServiceGrpc.newBlockingStub(rules).withCallCredentials(rulesToken);
        }

        void close() throws InterruptedException {
            location.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            rules.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static void run(Map<String, String> a) throws Exception {
        String token = IngestReplay.require(a, "token");
        String agency = a.containsKey("agency") ? a.get("agency") : SuiteAccess.claim(token, "token", "agency", "agency");
        String gateway = a.containsKey("gateway-id") ? a.get("gateway-id") : SuiteAccess.claim(token, "token", "sub", "gateway-id");
        String watchToken = IngestReplay.require(a, "watch-token");
        int subjects = Integer.parseInt(a.getOrDefault("subjects", "500"));
        double rate = Double.parseDouble(a.getOrDefault("rate", "5000"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int streams = Integer.parseInt(a.getOrDefault("streams", "8"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "100"));
        int breachEvery = Integer.parseInt(a.getOrDefault("breach-every", "1"));
        boolean aligned = Pacing.aligned(a);
        boolean leaveBehind = Boolean.parseBoolean(a.getOrDefault("leave-behind", "false"));
        Duration silence = Duration.parse(a.getOrDefault("report-interval", "PT15M"));
        // Device time advances 30 s per fix and must stay within location-svc's acceptance window (6 h back is used).
        double fixesPerDevice = rate * seconds / subjects;
        if (fixesPerDevice * STEP_SECONDS > Duration.ofHours(5).toSeconds()) {
            throw new IllegalArgumentException("rate × seconds / subjects × 30 s exceeds 5 h of device time: use more --subjects");
        }
        Path data = Path.of(a.getOrDefault("data", System.getProperty("sentinel.repo.root", "/work/main") + "/../shared/data"))
                .resolve("gps/uci-gotrack/go_track_trackspoints.csv").normalize();
        List<List<IngestReplay.Point>> tracks = IngestReplay.loadTracks(data);

        SuiteAccess suite = SuiteAccess.from(a);
        String locationTarget = a.getOrDefault("location", "localhost:8083");
        String rulesTarget = a.getOrDefault("rules", "localhost:8084");
        ManagedChannel location = suite.channel(locationTarget);
        ManagedChannel rules = suite.channel(rulesTarget);
        Setup setup = new Setup(suite.channelAsEnrollmentSvc(locationTarget), suite.channelAsEnrollmentSvc(rulesTarget),
                suite.enrollmentServiceToken("location-svc", agency), suite.enrollmentServiceToken("rules-svc", agency), agency,
                List.of(gateway));
        List<Subject> all = setUp(setup, subjects, tracks, silence);
        System.out.printf("%d subjects with an exclusion zone each (one in %d enters it per %d-fix cycle), %d streams, batches of %d,"
                + " %.0f fixes/s for %d s, %s arrival%n", subjects, breachEvery, CYCLE, streams, batch, rate, seconds,
                aligned ? "aligned" : "staggered");

        // The fix that can open an alert (an inside fix), by device and device time → when it was sent.
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Set<String> ours = new HashSet<>();
        all.forEach(s -> ours.add(s.subjectId()));
        Set<String> ourAlerts = ConcurrentHashMap.newKeySet();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong opened = new AtomicLong();
        AtomicBoolean closing = new AtomicBoolean();
        AtomicLong lastEvent = new AtomicLong(System.nanoTime());
        RulesServiceGrpc.newStub(rules).withCallCredentials(IngestReplay.bearer(watchToken)).subscribeAlerts(
                SubscribeAlertsRequest.newBuilder().setAfterCursor(0).build(), new StreamObserver<AlertEvent>() {
                    public void onNext(AlertEvent e) {
                        long now = System.nanoTime();
                        lastEvent.set(now);
                        if (ours.contains(e.getAlert().getSubjectId())) {
                            ourAlerts.add(e.getAlert().getAlertId());
                        }
                        if (e.getType() != AlertEventType.ALERT_EVENT_TYPE_OPENED) {
                            return;
                        }
                        Long sent = sentAt.get(e.getAlert().getDeviceId() + "@" + e.getAlert().getFixTime().getSeconds());
                        if (sent != null) {
                            opened.incrementAndGet();
                            latencies.add(now - sent);
                        }
                    }

                    public void onError(Throwable t) {
                        if (!closing.get()) {
                            System.out.println("alert subscription failed: " + t);
                        }
                    }

                    public void onCompleted() {
                    }
                });
        // Let the subscription replay the agency's history before measuring.
        while (System.nanoTime() - lastEvent.get() < TimeUnit.SECONDS.toNanos(2)) {
            Thread.sleep(200);
        }

        Instant base = Instant.now().minus(Duration.ofHours(6));
        AtomicLong committed = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicReference<String> firstRejection = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(streams);
        long started = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            Pacing pacing = Pacing.of(s, streams, batch, rate / streams, aligned);
            List<Subject> mine = new ArrayList<>();
            for (int i = s; i < all.size(); i += streams) {
                mine.add(all.get(i));
            }
            new Thread(() -> stream(location, token, mine, base, batch, pacing, breachEvery, deadline, sentAt, committed,
                    rejected, firstRejection, failure, done), "stream-" + s).start();
        }
        done.await();
        double elapsed = (System.nanoTime() - started) / 1e9;
        // Alerts of the last fixes sent may still be on their way.
        Thread.sleep(3000);
        if (failure.get() != null) {
            System.out.println("a stream failed: " + failure.get());
        }
        long[] ns;
        synchronized (latencies) {
            ns = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        System.out.printf("committed %d fixes in %.1f s = %.0f fixes/s (rejected %d)%n", committed.get(), elapsed,
                committed.get() / elapsed, rejected.get());
        if (firstRejection.get() != null) {
            System.out.println("first rejection: " + firstRejection.get());
        }
        if (ns.length == 0) {
            System.out.println("no alert arrived");
        } else {
            System.out.printf("fix-to-alert over %d alerts: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", ns.length, pct(ns, 0.50),
                    pct(ns, 0.99), ns[ns.length - 1] / 1e6);
        }
        if (leaveBehind) {
            System.out.printf("left behind: %d assigned devices (silent from now; NO_SIGNAL after %s), %d alerts%n", all.size(), silence,
                    ourAlerts.size());
        } else {
            tearDown(setup, rules, watchToken, all, ourAlerts);
        }
        closing.set(true); // the subscription ends with the channel: not a failure
        setup.close();
        location.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        rules.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** One exclusion zone per subject, 3 km east of where its trace starts, and one assigned device bound to the gateway. */
    static List<Subject> setUp(Setup setup, int n, List<List<IngestReplay.Point>> tracks, Duration silence) {
        String agency = setup.agency();
        var loc = setup.locationSetup().intake();
        var rul = setup.rulesIntake();
        Timestamp now = Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()).build();
        List<Subject> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<IngestReplay.Point> track = tracks.get(i % tracks.size());
            IngestReplay.Point start = track.get(0);
            IngestReplay.Point zone = new IngestReplay.Point(start.lat(),
                    start.lon() + 3000 / (111_320 * Math.cos(Math.toRadians(start.lat()))));
            Subject s = new Subject(UUID.randomUUID().toString(), UUID.randomUUID().toString(), track, zone);
            rul.withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(PutSubjectConditionsRequest.newBuilder()
                    .setSubjectId(s.subjectId()).setOwningAgencyId(agency).setOrderId(UUID.randomUUID().toString())
                    .setTimeZone("Europe/London").setVersion(1).setActive(true)
                    .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setName("bench exclusion zone")
                            .setKind(ZoneKind.ZONE_KIND_EXCLUSION).setCircle(Circle.newBuilder()
                                    .setCentre(GeoPoint.newBuilder().setLatitude(zone.lat()).setLongitude(zone.lon()))
                                    .setRadiusMetres(ZONE_RADIUS_METRES)))
                    .build());
            loc.withDeadlineAfter(10, TimeUnit.SECONDS).putDeviceAssignment(PutDeviceAssignmentRequest.newBuilder()
                    .setDeviceId(s.deviceId()).setSubjectId(s.subjectId()).setOwningAgencyId(agency)
                    .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL).setVersion(1).setEffectiveAt(now)
                    .setExpectedReportInterval(com.google.protobuf.Duration.newBuilder().setSeconds(silence.toSeconds()))
                    .addAllGatewayIds(setup.gatewayIds()).build());
            out.add(s);
        }
        return out;
    }

    /**
     * Leaves nothing running behind the run: devices unassigned (no NO_SIGNAL wave 15 minutes
     * later), orders ended, and every alert the run opened resolved as a false alarm (no
     * escalation wave). A run's 500 subjects breach about 4,000 times as often as a real agency's;
     * without this, the next run measures the previous one's aftermath.
     */
    static void tearDown(Setup setup, ManagedChannel rules, String watchToken, List<Subject> subjects, Set<String> alerts)
            throws InterruptedException {
        IngestReplay.unassign(setup.locationSetup(), subjects.stream().map(Subject::deviceId).toList());
        var rul = setup.rulesIntake();
        for (Subject s : subjects) {
            rul.withDeadlineAfter(10, TimeUnit.SECONDS).putSubjectConditions(PutSubjectConditionsRequest.newBuilder()
                    .setSubjectId(s.subjectId()).setOwningAgencyId(setup.agency()).setOrderId(UUID.randomUUID().toString())
                    .setTimeZone("Europe/London").setVersion(2).setActive(false).build());
        }
        Thread.sleep(2000); // alerts opened by the last evaluations reach the subscription
        var caseworker = RulesServiceGrpc.newBlockingStub(rules).withCallCredentials(IngestReplay.bearer(watchToken));
        int resolved = 0;
        for (String id : List.copyOf(alerts)) {
            try {
                caseworker.withDeadlineAfter(10, TimeUnit.SECONDS).resolveAlert(ResolveAlertRequest.newBuilder().setAlertId(id)
                        .setOutcome(AlertOutcome.ALERT_OUTCOME_FALSE_ALARM).setNote("benchmark run").build());
                resolved++;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) { // already resolved
                    throw e;
                }
            }
        }
        System.out.printf("cleaned up: %d devices unassigned, %d orders ended, %d alerts resolved%n", subjects.size(),
                subjects.size(), resolved);
    }

    static void stream(ManagedChannel channel, String token, List<Subject> subjects, Instant base, int batch, Pacing pacing,
            int breachEvery, long deadline, Map<String, Long> sentAt, AtomicLong committed, AtomicLong rejected,
            AtomicReference<String> firstRejection, AtomicReference<Throwable> failure, CountDownLatch done) {
        Semaphore window = new Semaphore(4);
        CountDownLatch finished = new CountDownLatch(1);
        StreamObserver<FixBatch> out = IngestReplay.openIngest(channel, token, window, committed, rejected, firstRejection, failure,
                finished);
        long[] step = new long[subjects.size()];
        long sent = 0;
        long seq = 0;
        try {
            while (System.nanoTime() < deadline && failure.get() == null) {
                pacing.awaitTurn(sent);
                FixBatch.Builder b = FixBatch.newBuilder().setSequence(++seq);
                List<String> inside = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    int d = (int) ((sent + i) % subjects.size());
                    Subject s = subjects.get(d);
                    long k = step[d]++;
                    long at = base.getEpochSecond() + k * STEP_SECONDS;
                    IngestReplay.Point p;
                    // Subjects take turns: in each cycle one subject in breachEvery enters its zone.
                    if (k % CYCLE >= CYCLE - INSIDE && (k / CYCLE + d) % breachEvery == 0) {
                        // Inside the zone, a few metres from its centre.
                        p = new IngestReplay.Point(s.zone().lat() + ((k % 3) - 1) * 1e-5, s.zone().lon());
                        inside.add(s.deviceId() + "@" + at);
                    } else {
                        p = s.track().get((int) (k % s.track().size()));
                    }
                    b.addFixes(Fix.newBuilder().setDeviceId(s.deviceId()).setDeviceTime(Timestamp.newBuilder().setSeconds(at))
                            .setLatitude(p.lat()).setLongitude(p.lon()).setAccuracyMetres(5));
                }
                window.acquire();
                long now = System.nanoTime();
                for (String key : inside) {
                    sentAt.put(key, now);
                }
                out.onNext(b.build());
                sent += batch;
            }
            out.onCompleted();
            finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done.countDown();
        }
    }

    private FixToAlert() {
    }
}
