package io.sentinel.location.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;

import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.ExportSubjectResponse;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.common.export.ExportAssembler;
import io.sentinel.common.export.ExportParts;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.location.Fixtures;

/**
 * A subject's six months of 30-second fixes (520,000) export whole and in order, in bounded messages,
 * from a service whose JVM (this one: the surefire execution "lifetime-export" runs it with -Xmx128m)
 * could not hold the trail as one document. The stream is checked as it arrives, never kept: each
 * message within the limit, the reassembled text valid JSON holding every fix once, in time order.
 */
@QuarkusTest
class LifetimeExportTest {
    static final int FIXES = 520_000;

    @Test
    void sixMonthsOfThirtySecondFixesExportWholeUnderASmallHeap() throws Exception {
        String[] ds = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Fixtures.psql("insert into fix (device_id, subject_id, device_time, received_at, latitude, longitude, accuracy_metres, "
                + "implausible, low_accuracy) select '" + ds[0] + "', '" + ds[1] + "', t, t + interval '2 seconds', "
                + "51.5 + (i % 997) * 0.00001, -0.12 - (i % 991) * 0.00001, 6, false, false "
                + "from generate_series(0, " + (FIXES - 1) + ") i, lateral (select timestamptz '" + start + "' + i * interval '30 seconds' as t) x");
        assertThat(Fixtures.storedFixes(ds[0])).isEqualTo(FIXES);

        ManagedChannel channel = GrpcTestChannels.plaintext(RestAssured.port);
        try {
            long began = System.nanoTime();
            Iterator<ExportSubjectResponse> stream = SubjectDataServiceGrpc.newBlockingStub(channel)
                    .withCallCredentials(GrpcTestChannels.bearer(Fixtures.serviceToken())).withDeadlineAfter(30, TimeUnit.MINUTES)
                    .exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(ds[1]).build());
            ExportAssembler assembler = new ExportAssembler();
            JsonParser parser = new JsonFactory().createNonBlockingByteArrayParser();
            Counter counter = new Counter();
            feed(parser, assembler.open(), counter);
            long messages = 0;
            long bytes = 0;
            int largest = 0;
            long fixes = 0;
            String previous = "";
            while (stream.hasNext()) {
                ExportSubjectResponse m = stream.next();
                messages++;
                bytes += m.getSerializedSize();
                largest = Math.max(largest, m.getSerializedSize());
                assertThat(m.getSerializedSize()).isLessThanOrEqualTo(ExportParts.MAX_MESSAGE_BYTES);
                if (m.getKind().equals("fixes")) {
                    for (String r : m.getRecordsList()) {
                        String t = r.substring(r.indexOf("\"device_time\":\"") + 15, r.indexOf("\",\"received_at\""));
                        assertThat(t).isGreaterThan(previous);
                        previous = t;
                        fixes++;
                    }
                }
                feed(parser, assembler.add(new ExportParts.Part(m.getKind(), m.getSingle(), m.getRecordsList())), counter);
            }
            feed(parser, assembler.close(), counter);
            ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).endOfInput();
            assertThat(parser.nextToken()).isNull();
            long millis = (System.nanoTime() - began) / 1_000_000;

            assertThat(fixes).isEqualTo(FIXES);
            assertThat(counter.fixes).as("fix objects in the reassembled JSON").isEqualTo(FIXES);
            assertThat(counter.closedRoot).as("the document closes").isTrue();
            assertThat(previous).isEqualTo(start.plusSeconds(30L * (FIXES - 1)).toString());
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("lifetime export: %d fixes, %d messages, %d bytes (largest message %d), %d ms, max heap %d MiB, "
                    + "peak heap pools %d MiB%n", fixes, messages, bytes, largest, millis, Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            Fixtures.psql("delete from fix where device_id = '" + ds[0] + "'");
        }
    }

    /** Counts, as the text streams through a non-blocking parser, the objects directly inside "fixes". */
    static final class Counter {
        int depth;
        boolean inFixes;
        long fixes;
        boolean closedRoot;
        String field;
    }

    private static void feed(JsonParser parser, String text, Counter c) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).feedInput(b, 0, b.length);
        JsonToken t;
        while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            switch (t) {
                case FIELD_NAME -> c.field = parser.currentName();
                case START_ARRAY -> {
                    c.depth++;
                    if (c.depth == 2 && "fixes".equals(c.field)) {
                        c.inFixes = true;
                    }
                }
                case END_ARRAY -> {
                    if (c.depth == 2) {
                        c.inFixes = false;
                    }
                    c.depth--;
                }
                case START_OBJECT -> {
                    c.depth++;
                    if (c.inFixes && c.depth == 3) {
                        c.fixes++;
                    }
                }
                case END_OBJECT -> {
                    c.depth--;
                    if (c.depth == 0) {
                        c.closedRoot = true;
                    }
                }
                default -> {
                }
            }
        }
    }
}
