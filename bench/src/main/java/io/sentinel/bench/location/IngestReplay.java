package io.sentinel.bench.location;

import java.io.IOException;
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
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.google.protobuf.Timestamp;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.StreamObserver;
import io.sentinel.api.internal.v1.LocationIntakeServiceGrpc;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.FixBatchAck;
import io.sentinel.api.location.v1.FixRejection;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;

/**
 * Ingestion benchmark (a command, not a test): replays the real GPS traces of the UCI "GO Track"
 * set across many simulated devices over gRPC IngestFixes to a running location-svc, and prints
 * fixes/s committed (acknowledged after the durable commit) and the p50/p99 receive-to-forward
 * latency the service measured between receiving each fix and rules-svc acknowledging it.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.sentinel.bench.location.IngestReplay \
 *   --target localhost:8083 --token "$GATEWAY_TOKEN" [--ops-token "$ADMIN_TOKEN"] \
 *   [--devices ids.txt | --assign 500 [--agency dev-agency] [--gateway-id SUB]] [--pki .sentinel/pki] [--ca FILE] \
 *   [--rate 5000] [--seconds 30] [--streams 8] [--batch 200] [--arrival staggered|aligned]
 * </pre>
 *
 * <p>Every connection is TLS, verified against {@code --ca} (default {@code <pki>/ca.pem}).
 * {@code --assign N} puts N fresh device assignments straight into location-svc's internal
 * {@code PutDeviceAssignment}, standing in for enrollment-svc with its development credentials from
 * {@code --pki} (see {@link SuiteAccess}); each device is bound to the gateway that streams its fixes,
 * {@code --gateway-id}, by default the {@code sub} of {@code --token}. {@code --agency} defaults to
 * the {@code agency} of {@code --token}; it must be the agency the suite runs as. {@code --devices}
 * uses devices already assigned and bound to that gateway instead, and needs no PKI beyond the CA.
 * See {@link Pacing} for {@code --arrival}.
 */
public final class IngestReplay {

    record Point(double lat, double lon) {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(parse(args));
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("IngestReplay: " + e.getMessage());
            System.exit(2);
        }
    }

    static void run(Map<String, String> a) throws Exception {
        String target = a.getOrDefault("target", "localhost:8083");
        String token = require(a, "token");
        String opsToken = a.getOrDefault("ops-token", token);
        double rate = Double.parseDouble(a.getOrDefault("rate", "0"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int streams = Integer.parseInt(a.getOrDefault("streams", "8"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "200"));
        boolean aligned = Pacing.aligned(a);
        SuiteAccess suite = SuiteAccess.from(a);
        Path data = Path.of(a.getOrDefault("data", System.getProperty("sentinel.repo.root", "/work/main") + "/../shared/data"))
                .resolve("gps/uci-gotrack/go_track_trackspoints.csv").normalize();
        List<List<Point>> tracks = loadTracks(data);

        URI ops = URI.create("https://" + target + "/api/v1/ops/forwarding-latency");
        HttpClient http = suite.http();
        // The admin token is checked before anything is set up, so a wrong one leaves nothing behind.
        ok(http.send(HttpRequest.newBuilder(ops).header("Authorization", "Bearer " + opsToken).GET().build(),
                HttpResponse.BodyHandlers.ofString()), "GET " + ops + " (--ops-token, default --token, needs the role admin)");

        ManagedChannel channel = suite.channel(target);
        // Internal set-up only: enrollment-svc's client certificate and service token (see SuiteAccess).
        Setup setup = a.containsKey("devices") ? null : Setup.of(suite, target, a, token);
        List<String> devices = setup == null ? Files.readAllLines(Path.of(a.get("devices"))).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList()
                : assign(setup, Integer.parseInt(a.getOrDefault("assign", "500")));
        System.out.printf("replaying %d GO Track traces (%s) over %d devices, %d streams, batches of %d, rate %s, %d s, %s arrival%n",
                tracks.size(), data, devices.size(), streams, batch, rate > 0 ? (long) rate + " fixes/s" : "unlimited", seconds,
                aligned ? "aligned" : "staggered");

        ok(http.send(HttpRequest.newBuilder(ops).header("Authorization", "Bearer " + opsToken).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()), "DELETE " + ops);

        // Device times start in the past and advance 1 s per fix, so every fix is new (no duplicate
        // on (device, time)). They start far enough back that no device's clock passes the present
        // before the run ends (fixes from the future are rejected): an unlimited run is assumed to
        // reach at most 100,000 fixes/s. Capped inside the 7-day acceptance window.
        Instant base = Instant.now().minus(historyNeeded(rate, seconds, devices.size()));
        AtomicLong committed = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicReference<String> firstRejection = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        double perStreamRate = rate > 0 ? rate / streams : 0;
        CountDownLatch done = new CountDownLatch(streams);
        Samples stored = new Samples();
        MachineLoad load = MachineLoad.start();
        long started = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            int streamNo = s;
            List<String> mine = new ArrayList<>();
            for (int i = streamNo; i < devices.size(); i += streams) {
                mine.add(devices.get(i));
            }
            Pacing pacing = Pacing.of(streamNo, streams, batch, perStreamRate, aligned);
            Thread t = new Thread(() -> runStream(channel, token, mine, tracks, base, batch, pacing, deadline, committed,
                    rejected, firstRejection, failure, done, stored), "stream-" + streamNo);
            t.start();
        }
        done.await();
        double elapsed = (System.nanoTime() - started) / 1e9;
        load.close();
        if (failure.get() != null) {
            System.out.println("a stream failed: " + failure.get());
        }
        // Let forwarding catch up before reading the latency the service measured.
        Thread.sleep(3000);
        String latency = ok(http.send(HttpRequest.newBuilder(ops).header("Authorization", "Bearer " + opsToken).GET().build(),
                HttpResponse.BodyHandlers.ofString()), "GET " + ops).body();
        System.out.printf("committed %d fixes in %.1f s = %.0f fixes/s (rejected %d)%n", committed.get(), elapsed,
                committed.get() / elapsed, rejected.get());
        if (firstRejection.get() != null) {
            System.out.println("first rejection: " + firstRejection.get());
        }
        System.out.println("receive-to-forward latency (measured in location-svc): " + latency);
        long[] toStored = stored.sorted();
        System.out.println("every fix, produced by its simulated device (before pacing and window) to its durable commit's ack, "
                + Samples.describe(toStored));
        System.out.println(load.summary());
        System.out.printf("RESULT ingest fixes_per_s=%.0f rejected=%d %s receive_to_forward=%s %s%n", committed.get() / elapsed,
                rejected.get(), Samples.keyValues("stored", toStored), latency.replaceAll("\\s", ""), load.keyValues());
        if (setup != null) {
            unassign(setup, devices);
            System.out.printf("unassigned the %d devices%n", devices.size());
            setup.channel().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /**
     * What set-up through location-svc's internal intake needs: a mutual-TLS channel as
     * enrollment-svc, its service token for location-svc, the agency, and the gateway the devices are
     * bound to (the one whose token streams the fixes).
     */
    record Setup(ManagedChannel channel, CallCredentials serviceToken, String agency, List<String> gatewayIds) {
        static Setup of(SuiteAccess suite, String target, Map<String, String> a, String gatewayToken) {
            String agency = a.containsKey("agency") ? a.get("agency") : SuiteAccess.claim(gatewayToken, "token", "agency", "agency");
            String gateway = a.containsKey("gateway-id") ? a.get("gateway-id")
                    : SuiteAccess.claim(gatewayToken, "token", "sub", "gateway-id");
            return new Setup(suite.channelAsEnrollmentSvc(target), suite.enrollmentServiceToken("location-svc", agency), agency,
                    List.of(gateway));
        }

        LocationIntakeServiceGrpc.LocationIntakeServiceBlockingStub intake() {
            return LocationIntakeServiceGrpc.newBlockingStub(channel).withCallCredentials(serviceToken);
        }
    }

    /** The response when it is 2xx; otherwise a clear error with its status and body. */
    static HttpResponse<String> ok(HttpResponse<String> response, String what) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    /** Device time each device will cover: fixes per device at one second each, at least six hours, at most six days. */
    static Duration historyNeeded(double rate, int seconds, int devices) {
        double perSecond = rate > 0 ? rate : 100_000;
        long span = (long) Math.ceil(perSecond * seconds / Math.max(1, devices)) + 600;
        return Duration.ofSeconds(Math.min(Duration.ofDays(6).toSeconds(), Math.max(Duration.ofHours(6).toSeconds(), span)));
    }

    static void runStream(ManagedChannel channel, String token, List<String> devices, List<List<Point>> tracks, Instant base,
            int batch, Pacing pacing, long deadline, AtomicLong committed, AtomicLong rejected, AtomicReference<String> firstRejection,
            AtomicReference<Throwable> failure, CountDownLatch done, Samples stored) {
        // At most 4 batches in flight per stream: enough to keep the service's writer busy.
        Semaphore window = new Semaphore(4);
        CountDownLatch finished = new CountDownLatch(1);
        java.util.Queue<long[]> produced = new java.util.concurrent.ConcurrentLinkedQueue<>();
        StreamObserver<FixBatch> out = openIngest(channel, token, window, committed, rejected, firstRejection, failure, finished,
                produced, stored);
        long seq = 0;
        long[] step = new long[devices.size()];
        long sent = 0;
        try {
            while (System.nanoTime() < deadline && failure.get() == null) {
                FixBatch.Builder b = FixBatch.newBuilder().setSequence(++seq);
                long[] at = new long[batch];
                long now = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    at[i] = pacing.producedAt(sent + i, now);
                    int d = (int) ((sent + i) % devices.size());
                    List<Point> track = tracks.get(d % tracks.size());
                    long k = step[d]++;
                    Point p = track.get((int) (k % track.size()));
                    Instant time = base.plusSeconds(k);
                    b.addFixes(Fix.newBuilder().setDeviceId(devices.get(d))
                            .setDeviceTime(Timestamp.newBuilder().setSeconds(time.getEpochSecond()))
                            .setLatitude(p.lat()).setLongitude(p.lon()).setAccuracyMetres(8));
                }
                pacing.awaitTurn(sent);
                window.acquire();
                produced.add(at);
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

    /**
     * Opens IngestFixes: each ack counts its fixes and frees a window slot, the first rejection is kept
     * to be shown; the stream's end counts down {@code finished}. The caller queues, for each batch it
     * sends, when each of its fixes was produced ({@code produced}); each ack records, in {@code stored},
     * the time from production to the durable commit's ack for every fix of its batch.
     */
    static StreamObserver<FixBatch> openIngest(ManagedChannel channel, String token, Semaphore window, AtomicLong committed,
            AtomicLong rejected, AtomicReference<String> firstRejection, AtomicReference<Throwable> failure, CountDownLatch finished,
            java.util.Queue<long[]> produced, Samples stored) {
        return LocationServiceGrpc.newStub(channel).withCallCredentials(bearer(token)).ingestFixes(new StreamObserver<>() {
            public void onNext(FixBatchAck ack) {
                long now = System.nanoTime();
                // Acks come in batch order: this one answers the oldest batch sent.
                long[] at = produced.poll();
                if (at != null) {
                    for (long p : at) {
                        stored.add(now - p);
                    }
                }
                committed.addAndGet(ack.getAccepted());
                rejected.addAndGet(ack.getRejectionsCount());
                if (ack.getRejectionsCount() > 0) {
                    FixRejection r = ack.getRejections(0);
                    firstRejection.compareAndSet(null, r.getCode() + " " + r.getField() + ": " + r.getReason());
                }
                window.release();
            }

            public void onError(Throwable t) {
                failure.compareAndSet(null, t);
                window.release(1000);
                finished.countDown();
            }

            public void onCompleted() {
                finished.countDown();
            }
        });
    }

    /** Puts {@code n} fresh devices, each assigned to a fresh subject and bound to the streaming gateway. */
    static List<String> assign(Setup setup, int n) {
        List<String> ids = new ArrayList<>(n);
        ASSIGNED_SUBJECTS.clear();
        var stub = setup.intake();
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            String id = UUID.randomUUID().toString();
            String subject = UUID.randomUUID().toString();
            ASSIGNED_SUBJECTS.put(id, subject);
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).putDeviceAssignment(PutDeviceAssignmentRequest.newBuilder()
                    .setDeviceId(id).setSubjectId(subject).setOwningAgencyId(setup.agency())
                    .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL).setVersion(1)
                    .setEffectiveAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                    .addAllGatewayIds(setup.gatewayIds()).build());
            ids.add(id);
        }
        return ids;
    }

    private static final Map<String, String> ASSIGNED_SUBJECTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The subjects the last {@link #assign} assigned {@code devices} to. */
    static List<String> assignedSubjects(List<String> devices) {
        return devices.stream().map(ASSIGNED_SUBJECTS::get).toList();
    }

    /**
     * Ends the assignments {@link #assign} made (version 2, no subject), so the devices do not go on
     * raising NO_SIGNAL long after the run, at rates no real agency has, into later measurements.
     * The binding is sent again, as enrollment-svc sends it with every message.
     */
    static void unassign(Setup setup, List<String> devices) {
        var stub = setup.intake();
        Timestamp now = Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()).build();
        for (String id : devices) {
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).putDeviceAssignment(PutDeviceAssignmentRequest.newBuilder()
                    .setDeviceId(id).setOwningAgencyId(setup.agency()).setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)
                    .setVersion(2).setEffectiveAt(now).addAllGatewayIds(setup.gatewayIds()).build());
        }
    }

    /** GO Track trackspoints (latitude,longitude,track_id,time) grouped by track, in file order. */
    static List<List<Point>> loadTracks(Path csv) throws IOException {
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("trace file " + csv + " is missing; pass --data <shared/data folder>");
        }
        Map<String, List<Point>> byTrack = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f.length < 3) {
                continue;
            }
            byTrack.computeIfAbsent(f[2], k -> new ArrayList<>()).add(new Point(Double.parseDouble(f[0]), Double.parseDouble(f[1])));
        }
        return byTrack.values().stream().filter(t -> t.size() >= 10).toList();
    }

    static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, java.util.concurrent.Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                // Reads of personal data (the alert feed) state why; the services record it.
                m.put(Metadata.Key.of("x-sentinel-purpose", Metadata.ASCII_STRING_MARSHALLER), "benchmark of the alert path");
                m.put(Metadata.Key.of("x-sentinel-reference", Metadata.ASCII_STRING_MARSHALLER), "BENCH-1");
                applier.apply(m);
            }
        };
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }

    static String require(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private IngestReplay() {
    }

}
