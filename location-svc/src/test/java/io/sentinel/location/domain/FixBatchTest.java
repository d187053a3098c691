package io.sentinel.location.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class FixBatchTest {

    private static final Instant T = Instant.parse("2026-03-05T10:00:00Z");

    private static FixReport fix(String device, int second, double lat) {
        return FixReport.of(device, T.plusSeconds(second), T.plusSeconds(600), lat, 0, 5);
    }

    @Test
    void ordersLateFixesByDeviceTime() {
        FixBatch.Prepared prepared = FixBatch.dedupeAndOrder(List.of(fix("b", 30, 1), fix("a", 20, 2),
                fix("a", 10, 3), fix("b", 5, 4)));
        assertEquals(List.of("a@10", "a@20", "b@5", "b@30"), prepared.fixes().stream()
                .map(f -> f.deviceId() + "@" + (f.deviceTime().getEpochSecond() - T.getEpochSecond())).toList());
        assertEquals(List.of(), prepared.duplicates());
    }

    @Test
    void treatsSameDeviceAndDeviceTimeAsOneFixKeepingTheFirst() {
        FixReport first = fix("a", 10, 1);
        FixReport resent = fix("a", 10, 1);
        FixReport conflicting = fix("a", 10, 9);
        FixBatch.Prepared prepared = FixBatch.dedupeAndOrder(List.of(first, fix("b", 10, 1), resent, conflicting));
        assertEquals(2, prepared.fixes().size());
        assertSame(first, prepared.fixes().get(0));
        assertEquals(List.of(resent, conflicting), prepared.duplicates());
    }
}
