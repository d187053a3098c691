package io.sentinel.bench.location;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UnknownFieldSet;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.sentinel.api.enrollment.v1.CreateSubjectRequest;
import io.sentinel.api.enrollment.v1.EnrollmentServiceGrpc;
import io.sentinel.api.enrollment.v1.GetSubjectRequest;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.location.v1.QueryTrailRequest;

/**
 * Throughput and latency of audited reads of personal data: enrollment-svc {@code GetSubject} and
 * location-svc {@code QueryTrail}, from many clients at once, as caseworkers make them. Each read
 * states its purpose and reference as metadata (x-sentinel-purpose, x-sentinel-reference), and also
 * as the fields 4 and 5 QueryTrail had before they moved to metadata (sent as unknown fields, which
 * a current service ignores), so one client measures a build from before the audit module and one
 * from after it.
 *
 * <p>Set-up: {@code --subjects} subjects created through CreateSubject, and as many device
 * assignments put to location-svc for fresh subject ids (as enrollment-svc, see SuiteAccess), so
 * every trail read is allowed; their trails are empty, so what is measured is the read's own path
 * (token, justification, ownership, query, audit record), not the volume of fixes.
 */
public final class AuditedReads {
    public static void main(String[] args) throws Exception {
        try {
            run(IngestReplay.parse(args));
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("AuditedReads: " + e.getMessage());
            System.exit(2);
        }
    }

    static void run(Map<String, String> a) throws Exception {
        String enrollmentTarget = a.getOrDefault("enrollment", "localhost:8081");
        String locationTarget = a.getOrDefault("location", "localhost:8083");
        String token = IngestReplay.require(a, "token");
        int subjects = Integer.parseInt(a.getOrDefault("subjects", "200"));
        int clients = Integer.parseInt(a.getOrDefault("clients", "16"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "20"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "10"));
        String ops = a.getOrDefault("ops", "get-subject,trail");
        SuiteAccess suite = SuiteAccess.from(a);
        ManagedChannel enrollment = suite.channel(enrollmentTarget);
        ManagedChannel location = suite.channel(locationTarget);
        CallCredentials creds = justified(token);

        if (ops.contains("get-subject")) {
            var stub = EnrollmentServiceGrpc.newBlockingStub(enrollment).withCallCredentials(creds);
            List<String> ids = new ArrayList<>(subjects);
            for (int i = 0; i < subjects; i++) {
                ids.add(stub.withDeadlineAfter(10, TimeUnit.SECONDS).createSubject(CreateSubjectRequest.newBuilder()
                        .setIdempotencyKey(UUID.randomUUID().toString())
                        .setSubject(Subject.newBuilder().setGivenNames("Bench").setFamilyName("Reader " + i).setDateOfBirth("1990-01-01")
                                .setNationality("GBR").setPreferredLanguage("en"))
                        .build()).getSubject().getSubjectId());
            }
            measure("enrollment GetSubject", clients, warmup, seconds, ids, id -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getSubject(GetSubjectRequest.newBuilder().setSubjectId(id).build()));
        }
        if (ops.contains("trail")) {
            IngestReplay.Setup setup = IngestReplay.Setup.of(suite, locationTarget, a, token);
            List<String> devices = IngestReplay.assign(setup, subjects);
            List<String> ids = subjectsOf(setup, devices);
            var stub = LocationServiceGrpc.newBlockingStub(location).withCallCredentials(creds);
            Instant now = Instant.now();
            Timestamp from = Timestamp.newBuilder().setSeconds(now.minusSeconds(86_400).getEpochSecond()).build();
            Timestamp to = Timestamp.newBuilder().setSeconds(now.plusSeconds(3_600).getEpochSecond()).build();
            UnknownFieldSet legacy = UnknownFieldSet.newBuilder()
                    .addField(4, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(PURPOSE)).build())
                    .addField(5, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(REFERENCE)).build())
                    .build();
            measure("location QueryTrail", clients, warmup, seconds, ids, id -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .queryTrail(QueryTrailRequest.newBuilder().setSubjectId(id).setFrom(from).setTo(to).setUnknownFields(legacy).build()));
            IngestReplay.unassign(setup, devices);
            setup.channel().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        enrollment.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        location.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The subjects {@link IngestReplay#assign} assigned the devices to are random; ask location-svc's intake which. */
    private static List<String> subjectsOf(IngestReplay.Setup setup, List<String> devices) {
        return IngestReplay.assignedSubjects(devices);
    }

    static final String PURPOSE = "benchmark of audited reads";
    static final String REFERENCE = "BENCH-READS-1";

    static CallCredentials justified(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, java.util.concurrent.Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                m.put(Metadata.Key.of("x-sentinel-purpose", Metadata.ASCII_STRING_MARSHALLER), PURPOSE);
                m.put(Metadata.Key.of("x-sentinel-reference", Metadata.ASCII_STRING_MARSHALLER), REFERENCE);
                applier.apply(m);
            }
        };
    }

    static void measure(String name, int clients, int warmupSeconds, int seconds, List<String> ids, Consumer<String> read)
            throws InterruptedException {
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        AtomicLong errors = new AtomicLong();
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int me = c;
            latencies[me] = new long[1 << 16];
            Thread t = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        return;
                    }
                    try {
                        read.accept(ids.get(random.nextInt(ids.size())));
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e);
                        continue;
                    }
                    long done = System.nanoTime();
                    if (start >= warmEnd && done <= end) {
                        if (counts[me] == latencies[me].length) {
                            latencies[me] = Arrays.copyOf(latencies[me], counts[me] * 2);
                        }
                        latencies[me][counts[me]++] = done - start;
                    }
                }
            }, "reader-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        System.out.printf("%s: %d clients, %d s after %d s warm-up: %d reads = %.0f reads/s, p50 %.1f ms, p99 %.1f ms, errors %d%s%n",
                name, clients, seconds, warmupSeconds, total, total / (double) seconds, pct(all, 0.50), pct(all, 0.99), errors.get(),
                firstError.get() == null ? "" : " (first: " + firstError.get() + ")");
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
