package io.sentinel.rules.service;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.sentinel.rules.domain.monitor.SubjectMonitor;
import io.sentinel.rules.domain.monitor.SubjectMonitor.ConditionState;
import io.sentinel.rules.repository.MonitorStateRepository;
import io.smallrye.mutiny.Uni;

/**
 * Loads and saves the dwell/hysteresis state of subject monitors. Monitors are not cached: each
 * writing transaction (under {@link AlertWriter#lock()}) rebuilds the monitors it needs from the
 * in-memory order and the saved state, advances them and saves them back. So breach state survives
 * a restart exactly, a rolled-back transaction leaves no half-advanced monitor behind, and calls
 * for one subject are serialised by the lock.
 *
 * <p>A forwarded batch touches hundreds of subjects, and each fix changes its subject's state (the
 * time of the last accepted fix). Loading and saving them as managed entities cost Hibernate's
 * hydration, dirty checking and one update each, most of rules-svc's CPU per batch; so the states
 * are read with one native query and written with one set-based upsert, in the caller's
 * transaction. The entity stays for the subject's data export and erasure.
 */
@ApplicationScoped
public class MonitorStates {
    private static final TypeReference<LinkedHashMap<String, ConditionState>> TYPE = new TypeReference<>() {
    };
    /** ?1 is a comma-separated list of subject ids. */
    private static final String ANY_SUBJECT = " where subject_id = any(cast(string_to_array(?1, ',') as uuid[]))";
    private static final String LOAD = "select cast(subject_id as text), state from monitor_state" + ANY_SUBJECT;
    private static final String DUE = "select cast(subject_id as text), state from monitor_state where next_deadline <= ?1";
    /** ?1 is a JSON array of {"s": subject, "j": state JSON, "d": next deadline or null}, bound as text (a string bound as jsonb would be a JSON string). */
    private static final String SAVE = """
            insert into monitor_state (subject_id, state, next_deadline, updated_at)
            select cast(x->>'s' as uuid), x->>'j', cast(x->>'d' as timestamptz), now() from jsonb_array_elements(cast(cast(?1 as text) as jsonb)) x
            on conflict (subject_id) do update set state = excluded.state, next_deadline = excluded.next_deadline,
                updated_at = excluded.updated_at""";

    private final MonitorStateRepository repository;
    private final ObjectMapper json;

    public MonitorStates(MonitorStateRepository repository, ObjectMapper json) {
        this.repository = repository;
        this.json = json;
    }

    /** Saved states of the given subjects; subjects without a row are absent. */
    public Uni<Map<UUID, Map<String, ConditionState>>> load(Collection<UUID> subjects) {
        if (subjects.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return rows(LOAD, ids(subjects));
    }

    /** Saved states of subjects whose curfew ended at or before {@code now} with a breach possibly still open. */
    public Uni<Map<UUID, Map<String, ConditionState>>> due(Instant now) {
        return rows(DUE, now);
    }

    private Uni<Map<UUID, Map<String, ConditionState>>> rows(String sql, Object parameter) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(sql, Object[].class).setParameter(1, parameter).getResultList())
                .map(rows -> {
                    Map<UUID, Map<String, ConditionState>> out = new LinkedHashMap<>();
                    for (Object[] row : rows) {
                        UUID subject = UUID.fromString((String) row[0]);
                        out.put(subject, parse(subject, (String) row[1]));
                    }
                    return out;
                });
    }

    private Map<String, ConditionState> parse(UUID subject, String state) {
        try {
            return json.readValue(state, TYPE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("saved monitor state of subject " + subject + " is unreadable", e);
        }
    }

    /** Saves the monitors' states (inserting rows for subjects that had none) with one statement. */
    public Uni<Void> save(Map<UUID, SubjectMonitor> monitors) {
        if (monitors.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ArrayNode rows = json.createArrayNode();
        monitors.forEach((subject, monitor) -> {
            Map<String, ConditionState> states = monitor.states();
            Instant deadline = null;
            for (ConditionState s : states.values()) {
                if (s.curfewInForceUntil() != null && (deadline == null || s.curfewInForceUntil().isBefore(deadline))) {
                    deadline = s.curfewInForceUntil();
                }
            }
            ObjectNode row = rows.addObject();
            row.put("s", subject.toString());
            try {
                row.put("j", json.writeValueAsString(states));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("monitor state of subject " + subject + " cannot be written", e);
            }
            row.put("d", deadline == null ? null : deadline.toString());
        });
        return Panache.getSession().flatMap(s -> s.createNativeQuery(SAVE).setParameter(1, rows.toString()).executeUpdate())
                .replaceWithVoid();
    }

    /** Subjects no longer monitored keep their state but no curfew deadline. */
    public Uni<Void> clearDeadlines(Collection<UUID> subjects) {
        if (subjects.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().flatMap(s -> s.createNativeQuery("update monitor_state set next_deadline = null" + ANY_SUBJECT).setParameter(1, ids(subjects)).executeUpdate())
                .replaceWithVoid();
    }

    private static String ids(Collection<UUID> subjects) {
        StringJoiner ids = new StringJoiner(",");
        subjects.forEach(id -> ids.add(id.toString()));
        return ids.toString();
    }

    public Uni<Long> delete(UUID subjectId) {
        return repository.delete("subjectId", subjectId);
    }
}
