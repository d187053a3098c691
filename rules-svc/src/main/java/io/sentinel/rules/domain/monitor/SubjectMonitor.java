package io.sentinel.rules.domain.monitor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.sentinel.rules.domain.breach.Assessment;
import io.sentinel.rules.domain.breach.BreachEvent;
import io.sentinel.rules.domain.breach.BreachState;
import io.sentinel.rules.domain.breach.BreachTracker;
import io.sentinel.rules.domain.breach.Observation;
import io.sentinel.rules.domain.geo.Containment;

/**
 * Applies one subject's monitoring order to that subject's fixes: classifies each fix against all
 * zones once, turns the answers into per-condition assessments and feeds one {@link BreachTracker}
 * per condition, returning the alerts that open or close.
 *
 * <p>A curfew breach closes when the curfew stops being in force (window end or suspension start),
 * as soon as an unflagged fix past that moment arrives or {@link #advanceTo} is called with a later
 * time. Outside the curfew, fixes are no evidence for it. Not thread-safe: serialise calls per subject.
 */
public final class SubjectMonitor {

    /** Persistable state of one condition. */
    public record ConditionState(BreachState breach, Instant curfewInForceUntil) {
    }

    private static final class Entry {
        Condition condition;
        final BreachTracker tracker;
        /** End of the curfew stretch the last curfew observation fell in, while a breach may be live. */
        Instant curfewUntil;

        Entry(Condition condition, BreachTracker tracker) {
            this.condition = condition;
            this.tracker = tracker;
        }
    }

    private MonitoringOrder order;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private Containment[] verdicts;

    public SubjectMonitor(MonitoringOrder order) {
        this(order, Map.of());
    }

    /** Resumes with persisted states; conditions without a saved state start clear. */
    public SubjectMonitor(MonitoringOrder order, Map<String, ConditionState> saved) {
        this.order = order;
        for (Condition c : order.conditions()) {
            ConditionState s = saved.get(c.id());
            Entry e = new Entry(c, s == null ? new BreachTracker(c.policy()) : BreachTracker.restore(c.policy(), s.breach()));
            if (s != null) {
                e.curfewUntil = s.curfewInForceUntil();
            }
            entries.put(c.id(), e);
        }
        verdicts = new Containment[order.zones().size()];
    }

    public MonitoringOrder order() {
        return order;
    }

    /** Processes one fix; returns the alert changes it causes, in condition order. */
    public List<ConditionEvent> onFix(Fix fix) {
        order.zones().evaluateInto(fix.latitude(), fix.longitude(), fix.accuracyMetres(), verdicts);
        List<ConditionEvent> events = new ArrayList<>(0);
        Instant t = fix.deviceTime();
        List<Condition> conditions = order.conditions();
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            Entry e = entries.get(c.id());
            Containment where = verdicts[order.slotOf(i)];
            Assessment a;
            switch (c.kind()) {
                case INCLUSION_ZONE -> a = mustBeInside(where);
                case EXCLUSION_ZONE -> a = mustBeOutside(where);
                default -> {
                    // A flagged fix's clock is not trusted to end a curfew breach.
                    if (!fix.implausible() && e.curfewUntil != null && !t.isBefore(e.curfewUntil)) {
                        emit(events, c, e.tracker.conditionEnded(e.curfewUntil));
                        e.curfewUntil = null;
                    }
                    Optional<Instant> until = c.curfew().inForceUntil(t);
                    if (until.isEmpty()) {
                        continue;
                    }
                    if (!fix.implausible()) {
                        e.curfewUntil = until.get();
                    }
                    a = mustBeInside(where);
                }
            }
            emit(events, c, e.tracker.observe(new Observation(t, a, fix.implausible())).event());
        }
        return events;
    }

    /** Closes curfew breaches whose curfew stopped being in force at or before {@code now}. */
    public List<ConditionEvent> advanceTo(Instant now) {
        List<ConditionEvent> events = new ArrayList<>(0);
        for (Entry e : entries.values()) {
            if (e.curfewUntil != null && !now.isBefore(e.curfewUntil)) {
                emit(events, e.condition, e.tracker.conditionEnded(e.curfewUntil));
                e.curfewUntil = null;
            }
        }
        return events;
    }

    /**
     * Swaps in a new order effective at {@code at}. Conditions that disappear, or change kind or zone,
     * end at {@code at} (closing their open alerts); the others keep their evidence and open alerts
     * under the new policy and schedule.
     */
    public List<ConditionEvent> replaceOrder(MonitoringOrder next, Instant at) {
        if (!next.subjectId().equals(order.subjectId())) {
            throw new IllegalArgumentException("subjectId: order is for '" + next.subjectId() + "', monitor is for '"
                    + order.subjectId() + "'");
        }
        List<ConditionEvent> events = new ArrayList<>(0);
        Map<String, Condition> incoming = new HashMap<>();
        for (Condition c : next.conditions()) {
            incoming.put(c.id(), c);
        }
        for (var it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            Condition n = incoming.get(e.condition.id());
            if (n == null || n.kind() != e.condition.kind() || !n.zoneId().equals(e.condition.zoneId())) {
                emit(events, e.condition, e.tracker.conditionEnded(at));
                it.remove();
            }
        }
        Map<String, Entry> rebuilt = new LinkedHashMap<>();
        for (Condition c : next.conditions()) {
            Entry e = entries.get(c.id());
            if (e == null) {
                e = new Entry(c, new BreachTracker(c.policy()));
            } else {
                e.condition = c;
                e.tracker.setPolicy(c.policy());
                if (c.kind() == ConditionKind.CURFEW && e.curfewUntil != null) {
                    Optional<Instant> until = c.curfew().inForceUntil(at);
                    if (until.isEmpty()) {
                        emit(events, c, e.tracker.conditionEnded(at));
                        e.curfewUntil = null;
                    } else {
                        e.curfewUntil = until.get();
                    }
                }
            }
            rebuilt.put(c.id(), e);
        }
        entries.clear();
        entries.putAll(rebuilt);
        order = next;
        verdicts = new Containment[next.zones().size()];
        return events;
    }

    /** Snapshot of every condition's state, for persistence. */
    public Map<String, ConditionState> states() {
        Map<String, ConditionState> out = new LinkedHashMap<>();
        entries.forEach((id, e) -> out.put(id, new ConditionState(e.tracker.state(), e.curfewUntil)));
        return out;
    }

    private static Assessment mustBeInside(Containment c) {
        return switch (c) {
            case INSIDE -> Assessment.SATISFIED;
            case OUTSIDE -> Assessment.BREACHED;
            case UNCERTAIN -> Assessment.UNCERTAIN;
        };
    }

    private static Assessment mustBeOutside(Containment c) {
        return switch (c) {
            case INSIDE -> Assessment.BREACHED;
            case OUTSIDE -> Assessment.SATISFIED;
            case UNCERTAIN -> Assessment.UNCERTAIN;
        };
    }

    private void emit(List<ConditionEvent> events, Condition c, Optional<BreachEvent> event) {
        event.ifPresent(ev -> events.add(new ConditionEvent(order.subjectId(), c.id(), ev)));
    }
}
