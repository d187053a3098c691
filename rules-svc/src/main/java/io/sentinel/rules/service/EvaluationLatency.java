package io.sentinel.rules.service;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.internal.v1.EvaluatedFix;
import io.sentinel.common.util.LatencyHistogram;

/**
 * How long every evaluated fix took to be checked against its subject's rules, timed when the
 * evaluation's transaction has committed (so its alerts are durable and on their way to
 * subscribers). Two clocks per fix: from {@code device_time} (when the device produced the fix:
 * the latency an agency is promised, given device clocks set from GNSS time) and from
 * {@code received_at} (when location-svc received it). Counts only, for operators and the
 * benchmarks; nothing identifies a fix, device or subject.
 */
@ApplicationScoped
public class EvaluationLatency {
    private final LatencyHistogram sinceDeviceTime = new LatencyHistogram();
    private final LatencyHistogram sinceReceived = new LatencyHistogram();

    /** Records a committed group of batches; {@code now} is the wall clock after the commit. */
    public void committed(List<List<EvaluatedFix>> batches, Instant now) {
        for (List<EvaluatedFix> batch : batches) {
            record(batch, now);
        }
    }

    /** Records one committed batch. */
    public void record(List<EvaluatedFix> batch, Instant now) {
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        for (EvaluatedFix f : batch) {
            if (f.hasDeviceTime()) {
                sinceDeviceTime.record(nowNanos - nanos(f.getDeviceTime()));
            }
            if (f.hasReceivedAt()) {
                sinceReceived.record(nowNanos - nanos(f.getReceivedAt()));
            }
        }
    }

    private static long nanos(com.google.protobuf.Timestamp t) {
        return t.getSeconds() * 1_000_000_000L + t.getNanos();
    }

    /** From device time to committed evaluation. A fix older than 10 s counts in the overflow bucket. */
    public LatencyHistogram sinceDeviceTime() {
        return sinceDeviceTime;
    }

    /** From location-svc's receipt to committed evaluation. */
    public LatencyHistogram sinceReceived() {
        return sinceReceived;
    }

    public void reset() {
        sinceDeviceTime.reset();
        sinceReceived.reset();
    }
}
