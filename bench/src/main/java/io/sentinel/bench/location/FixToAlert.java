package io.sentinel.bench.location;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        String deviceTime = a.getOrDefault("device-time", "schedule");
        if (!deviceTime.equals("schedule") && !deviceTime.equals("produced")) {
            throw new IllegalArgumentException("--device-time is schedule or produced, got " + deviceTime);
        }
        boolean stampProduced = deviceTime.equals("produced");
        if (stampProduced && rate <= 0) {
            throw new IllegalArgumentException("--device-time produced needs a --rate: each fix is stamped with its scheduled production");
        }
        String opsToken = a.get("ops-token");
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
        URI evaluationOps = URI.create("https://" + rulesTarget + "/api/v1/ops/evaluation-latency");
        HttpClient http = suite.http();
        if (opsToken != null) {
            // Checked before anything is set up, so a wrong token leaves nothing behind.
            IngestReplay.ok(http.send(HttpRequest.newBuilder(evaluationOps).header("Authorization", "Bearer " + opsToken).GET().build(),
                    HttpResponse.BodyHandlers.ofString()), "GET " + evaluationOps + " (--ops-token needs the role admin)");
        }
        List<Subject> all = setUp(setup, subjects, tracks, silence);
        if (stampProduced) {
            System.out.printf("%d subjects with an exclusion zone each, device time of every fix = when its device produced it (no"
                    + " breaches: the dwell rule needs device time advancing 30 s a fix), %d streams, batches of %d, %.0f fixes/s for %d s,"
                    + " %s arrival%n", subjects, streams, batch, rate, seconds, aligned ? "aligned" : "staggered");
        } else {
            System.out.printf("%d subjects with an exclusion zone each (one in %d enters it per %d-fix cycle), %d streams, batches of %d,"
                    + " %.0f fixes/s for %d s, %s arrival%n", subjects, breachEvery, CYCLE, streams, batch, rate, seconds,
                    aligned ? "aligned" : "staggered");
        }
        System.out.printf("a batch of %d is due %.1f ms after its stream's previous one: the simulated gateway holds a fix up to that"
                + " long before sending it%n", batch, rate > 0 ? batch / (rate / streams) * 1e3 : 0.0);

        // The fix that can open an alert (an inside fix), by device and device time → when it was
        // produced and when its batch was due.
        Map<String, long[]> producedAt = new ConcurrentHashMap<>();
        Set<String> ours = new HashSet<>();
        all.forEach(s -> ours.add(s.subjectId()));
        Set<String> ourAlerts = ConcurrentHashMap.newKeySet();
        Samples fromProduced = new Samples();
        Samples fromDue = new Samples();
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
                        long[] at = producedAt.get(e.getAlert().getDeviceId() + "@" + e.getAlert().getFixTime().getSeconds());
                        if (at != null) {
                            opened.incrementAndGet();
                            fromProduced.add(now - at[0]);
                            fromDue.add(now - at[1]);
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
        Samples stored = new Samples();
        if (opsToken != null) {
            IngestReplay.ok(http.send(HttpRequest.newBuilder(evaluationOps).header("Authorization", "Bearer " + opsToken).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString()), "DELETE " + evaluationOps);
        }
        Clock clock = stampProduced ? new Clock(Instant.now(), System.nanoTime()) : null;
        MachineLoad load = MachineLoad.start();
        long started = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            Pacing pacing = Pacing.of(s, streams, batch, rate / streams, aligned);
            List<Subject> mine = new ArrayList<>();
            for (int i = s; i < all.size(); i += streams) {
                mine.add(all.get(i));
            }
            new Thread(() -> stream(location, token, mine, base, batch, pacing, breachEvery, deadline, producedAt, committed,
                    rejected, firstRejection, failure, done, stored, clock), "stream-" + s).start();
        }
        done.await();
        double elapsed = (System.nanoTime() - started) / 1e9;
        // Alerts of the last fixes sent may still be on their way.
        Thread.sleep(3000);
        load.close();
        if (failure.get() != null) {
            System.out.println("a stream failed: " + failure.get());
        }
        System.out.printf("committed %d fixes in %.1f s = %.0f fixes/s (rejected %d)%n", committed.get(), elapsed,
                committed.get() / elapsed, rejected.get());
        if (firstRejection.get() != null) {
            System.out.println("first rejection: " + firstRejection.get());
        }
        long[] alerts = fromProduced.sorted();
        long[] alertsFromDue = fromDue.sorted();
        long[] toStored = stored.sorted();
        StringBuilder result = new StringBuilder(String.format("RESULT fix-to-alert mode=%s fixes_per_s=%.0f rejected=%d",
                deviceTime, committed.get() / elapsed, rejected.get()));
        if (!stampProduced) {
            System.out.println("fix-to-alert, from the opening fix's production to the alert at the subscriber, "
                    + (alerts.length == 0 ? "no alert arrived" : Samples.describe(alerts)));
            System.out.println("  the same from its batch being due (without the simulated gateway's batching), " + Samples.describe(alertsFromDue));
            result.append(' ').append(Samples.keyValues("alert", alerts)).append(' ').append(Samples.keyValues("alert_from_due", alertsFromDue));
        }
        System.out.println("every fix, from production to its durable commit's ack at location-svc, " + Samples.describe(toStored));
        result.append(' ').append(Samples.keyValues("stored", toStored));
        if (opsToken != null) {
            JsonNode eval = JSON.readTree(IngestReplay.ok(http.send(HttpRequest.newBuilder(evaluationOps)
                    .header("Authorization", "Bearer " + opsToken).GET().build(), HttpResponse.BodyHandlers.ofString()), "GET " + evaluationOps)
                    .body());
            JsonNode received = eval.path("sinceReceived");
            System.out.printf("every fix, from location-svc's receipt to its committed evaluation (rules-svc): over %d, p50 %s ms, p99 %s ms,"
                    + " max %s ms%n", received.path("count").asLong(), received.path("p50Ms").asText(), received.path("p99Ms").asText(),
                    received.path("maxMs").asText());
            result.append(String.format(" eval_from_received_n=%d eval_from_received_p99=%s", received.path("count").asLong(),
                    received.path("p99Ms").asText()));
            if (stampProduced) {
                JsonNode fromDevice = eval.path("sinceDeviceTime");
                System.out.printf("EVERY FIX, from its production (device time) to its committed evaluation (rules-svc): over %d, p50 %s ms,"
                        + " p99 %s ms, p99.9 %s ms, max %s ms%n", fromDevice.path("count").asLong(), fromDevice.path("p50Ms").asText(),
                        fromDevice.path("p99Ms").asText(), fromDevice.path("p999Ms").asText(), fromDevice.path("maxMs").asText());
                result.append(String.format(" eval_n=%d eval_p50=%s eval_p99=%s eval_max=%s", fromDevice.path("count").asLong(),
                        fromDevice.path("p50Ms").asText(), fromDevice.path("p99Ms").asText(), fromDevice.path("maxMs").asText()));
            }
        } else if (stampProduced) {
            System.out.println("no --ops-token (role admin): rules-svc's evaluation latency not read");
        }
        System.out.println(load.summary());
        result.append(' ').append(load.keyValues());
        System.out.println(result);
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

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** Where the clock of a run stands: device times stamped at production are wall-clock instants of the nanoTime schedule. */
    record Clock(Instant wall, long nanos) {
        Timestamp at(long nanoTime) {
            Instant t = wall.plusNanos(nanoTime - nanos);
            return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
        }
    }

    static void stream(ManagedChannel channel, String token, List<Subject> subjects, Instant base, int batch, Pacing pacing,
            int breachEvery, long deadline, Map<String, long[]> producedAt, AtomicLong committed, AtomicLong rejected,
            AtomicReference<String> firstRejection, AtomicReference<Throwable> failure, CountDownLatch done, Samples stored,
            Clock produced) {
        Semaphore window = new Semaphore(4);
        CountDownLatch finished = new CountDownLatch(1);
        java.util.Queue<long[]> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
        StreamObserver<FixBatch> out = IngestReplay.openIngest(channel, token, window, committed, rejected, firstRejection, failure,
                finished, pending, stored);
        long[] step = new long[subjects.size()];
        long sent = 0;
        long seq = 0;
        try {
            while (System.nanoTime() < deadline && failure.get() == null) {
                // The devices produce on their schedule whatever the client does: a fix's clock
                // starts at its production, before its batch is due, its turn comes or a window slot frees.
                long now = System.nanoTime();
                long[] at = new long[batch];
                long due = pacing.producedAt(sent + batch - 1, now);
                FixBatch.Builder b = FixBatch.newBuilder().setSequence(++seq);
                for (int i = 0; i < batch; i++) {
                    at[i] = pacing.producedAt(sent + i, now);
                    int d = (int) ((sent + i) % subjects.size());
                    Subject s = subjects.get(d);
                    long k = step[d]++;
                    long time = base.getEpochSecond() + k * STEP_SECONDS;
                    IngestReplay.Point p;
                    // Subjects take turns: in each cycle one subject in breachEvery enters its zone.
                    if (produced == null && k % CYCLE >= CYCLE - INSIDE && (k / CYCLE + d) % breachEvery == 0) {
                        // Inside the zone, a few metres from its centre.
                        p = new IngestReplay.Point(s.zone().lat() + ((k % 3) - 1) * 1e-5, s.zone().lon());
                        producedAt.put(s.deviceId() + "@" + time, new long[] {at[i], due});
                    } else {
                        p = s.track().get((int) (k % s.track().size()));
                    }
                    Timestamp deviceTime = produced == null ? Timestamp.newBuilder().setSeconds(time).build() : produced.at(at[i]);
                    b.addFixes(Fix.newBuilder().setDeviceId(s.deviceId()).setDeviceTime(deviceTime)
                            .setLatitude(p.lat()).setLongitude(p.lon()).setAccuracyMetres(5));
                }
                pacing.awaitTurn(sent);
                window.acquire();
                pending.add(at);
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
