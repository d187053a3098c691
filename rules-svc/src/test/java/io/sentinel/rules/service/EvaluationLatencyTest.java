package io.sentinel.rules.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Timestamp;

import io.sentinel.api.internal.v1.EvaluatedFix;

class EvaluationLatencyTest {

    private static Timestamp at(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    @Test
    void timesEveryFixFromItsDeviceTimeAndFromItsReceipt() {
        Instant committed = Instant.parse("2026-12-07T18:00:00Z");
        EvaluationLatency latency = new EvaluationLatency();
        latency.committed(List.of(
                List.of(EvaluatedFix.newBuilder().setFixId(1).setDeviceTime(at(committed.minusMillis(40)))
                        .setReceivedAt(at(committed.minusMillis(12))).build()),
                List.of(EvaluatedFix.newBuilder().setFixId(2).setDeviceTime(at(committed.minusMillis(90)))
                        .setReceivedAt(at(committed.minusMillis(30))).build())), committed);

        assertEquals(2, latency.sinceDeviceTime().count());
        assertEquals(40.1, latency.sinceDeviceTime().percentileMillis(0.5), 1e-9);
        assertEquals(90.1, latency.sinceDeviceTime().percentileMillis(1.0), 1e-9);
        assertEquals(12.1, latency.sinceReceived().percentileMillis(0.5), 1e-9);
        assertEquals(30.1, latency.sinceReceived().percentileMillis(1.0), 1e-9);
    }

    @Test
    void aFixWithoutReceiptTimeCountsOnlyFromItsDeviceTime() {
        Instant committed = Instant.parse("2026-12-07T18:00:00Z");
        EvaluationLatency latency = new EvaluationLatency();
        latency.record(List.of(EvaluatedFix.newBuilder().setFixId(1).setDeviceTime(at(committed.minusSeconds(1))).build()), committed);

        assertEquals(1, latency.sinceDeviceTime().count());
        assertEquals(0, latency.sinceReceived().count());
        latency.reset();
        assertEquals(0, latency.sinceDeviceTime().count());
    }
}
