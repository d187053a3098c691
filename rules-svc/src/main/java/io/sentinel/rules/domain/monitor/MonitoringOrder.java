package io.sentinel.rules.domain.monitor;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.sentinel.rules.domain.geo.ZoneIndex;

/**
 * The conditions one subject is under together with that subject's compiled zones; immutable, so a
 * change of conditions is a new order swapped in whole.
 */
public final class MonitoringOrder {

    public static final int MAX_CONDITIONS = 64;

    private final String subjectId;
    private final List<Condition> conditions;
    private final ZoneIndex zones;
    private final int[] slots;

    private MonitoringOrder(String subjectId, List<Condition> conditions, ZoneIndex zones, int[] slots) {
        this.subjectId = subjectId;
        this.conditions = conditions;
        this.zones = zones;
        this.slots = slots;
    }

    /** Checks that ids are unique and every referenced zone is in {@code zones}. */
    public static MonitoringOrder of(String subjectId, List<Condition> conditions, ZoneIndex zones) {
        if (subjectId == null || subjectId.isBlank()) {
            throw new IllegalArgumentException("subjectId: is missing");
        }
        if (conditions == null) {
            throw new IllegalArgumentException("conditions: is missing");
        }
        if (conditions.size() > MAX_CONDITIONS) {
            throw new IllegalArgumentException("conditions: at most " + MAX_CONDITIONS + ", got " + conditions.size());
        }
        if (zones == null) {
            throw new IllegalArgumentException("zones: is missing");
        }
        Set<String> seen = new HashSet<>();
        int[] slots = new int[conditions.size()];
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            if (c == null) {
                throw new IllegalArgumentException("conditions[" + i + "]: is missing");
            }
            if (!seen.add(c.id())) {
                throw new IllegalArgumentException("conditions[" + i + "].id: '" + c.id() + "' is used twice");
            }
            slots[i] = zones.slotOf(c.zoneId());
            if (slots[i] < 0) {
                throw new IllegalArgumentException("conditions[" + i + "].zoneId: no zone '" + c.zoneId()
                        + "' among " + zones.zoneIds());
            }
        }
        return new MonitoringOrder(subjectId, List.copyOf(conditions), zones, slots);
    }

    public String subjectId() {
        return subjectId;
    }

    public List<Condition> conditions() {
        return conditions;
    }

    public ZoneIndex zones() {
        return zones;
    }

    /** Zone slot in {@link #zones()} of condition {@code i}. */
    int slotOf(int i) {
        return slots[i];
    }
}
