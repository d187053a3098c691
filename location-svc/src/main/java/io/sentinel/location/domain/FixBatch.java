package io.sentinel.location.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Orders a batch of fixes by device and device time and drops repeats of the same
 * (device, device time), so resending a batch is idempotent and late fixes land in time order.
 */
public final class FixBatch {

    /** Identity of a fix: a device reports at most one position per instant. */
    public record Key(String deviceId, Instant deviceTime) {
        public static Key of(FixReport fix) {
            return new Key(fix.deviceId(), fix.deviceTime());
        }
    }

    /**
     * @param fixes      unique fixes ordered by device id, then device time
     * @param duplicates later occurrences of a key already seen in the batch, in input order
     */
    public record Prepared(List<FixReport> fixes, List<FixReport> duplicates) {
        public Prepared {
            fixes = List.copyOf(fixes);
            duplicates = List.copyOf(duplicates);
        }
    }

    private static final Comparator<FixReport> ORDER = Comparator
            .comparing(FixReport::deviceId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(FixReport::deviceTime, Comparator.nullsFirst(Comparator.naturalOrder()));

    private FixBatch() {
    }

    /** The first occurrence of each key wins, matching an insert that ignores conflicts. */
    public static Prepared dedupeAndOrder(List<FixReport> batch) {
        Objects.requireNonNull(batch, "batch");
        Set<Key> seen = new HashSet<>();
        List<FixReport> unique = new ArrayList<>();
        List<FixReport> duplicates = new ArrayList<>();
        for (FixReport fix : batch) {
            if (seen.add(Key.of(fix))) {
                unique.add(fix);
            } else {
                duplicates.add(fix);
            }
        }
        unique.sort(ORDER);
        return new Prepared(unique, duplicates);
    }
}
