package io.sentinel.rules.service;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sentinel.rules.domain.monitor.SubjectMonitor;
import io.sentinel.rules.domain.monitor.SubjectMonitor.ConditionState;
import io.sentinel.rules.repository.MonitorStateEntity;
import io.sentinel.rules.repository.MonitorStateRepository;
import io.smallrye.mutiny.Uni;

/**
 * Loads and saves the dwell/hysteresis state of subject monitors. Monitors are not cached: each
 * writing transaction (under {@link AlertWriter#lock()}) rebuilds the monitors it needs from the
 * in-memory order and the saved state, advances them and saves them back. So breach state survives
 * a restart exactly, a rolled-back transaction leaves no half-advanced monitor behind, and calls
 * for one subject are serialised by the lock.
 */
@ApplicationScoped
public class MonitorStates {
    private static final TypeReference<LinkedHashMap<String, ConditionState>> TYPE = new TypeReference<>() {
    };

    private final MonitorStateRepository repository;
    private final ObjectMapper json;

    public MonitorStates(MonitorStateRepository repository, ObjectMapper json) {
        this.repository = repository;
        this.json = json;
    }

    /** Saved states of the given subjects; subjects without a row are absent. */
    public Uni<Map<UUID, MonitorStateEntity>> load(Collection<UUID> subjects) {
        if (subjects.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return repository.list("subjectId in ?1", List.copyOf(subjects)).map(rows -> {
            Map<UUID, MonitorStateEntity> out = new HashMap<>();
            rows.forEach(r -> out.put(r.subjectId, r));
            return out;
        });
    }

    /** Subjects whose curfew ended at or before {@code now} with a breach possibly still open. */
    public Uni<List<MonitorStateEntity>> due(Instant now) {
        return repository.list("nextDeadline <= ?1", now);
    }

    public Map<String, ConditionState> parse(MonitorStateEntity row) {
        if (row == null) {
            return Map.of();
        }
        try {
            return json.readValue(row.state, TYPE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("saved monitor state of subject " + row.subjectId + " is unreadable", e);
        }
    }

    /** Saves a monitor's state into {@code existing} (or a new row). */
    public Uni<MonitorStateEntity> save(UUID subjectId, MonitorStateEntity existing, SubjectMonitor monitor) {
        Map<String, ConditionState> states = monitor.states();
        Instant deadline = null;
        for (ConditionState s : states.values()) {
            if (s.curfewInForceUntil() != null && (deadline == null || s.curfewInForceUntil().isBefore(deadline))) {
                deadline = s.curfewInForceUntil();
            }
        }
        MonitorStateEntity row = existing != null ? existing : new MonitorStateEntity();
        row.subjectId = subjectId;
        try {
            row.state = json.writeValueAsString(states);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("monitor state of subject " + subjectId + " cannot be written", e);
        }
        row.nextDeadline = deadline;
        row.updatedAt = Instant.now();
        return existing != null ? Uni.createFrom().item(row) : repository.persist(row);
    }

    public Uni<Long> delete(UUID subjectId) {
        return repository.delete("subjectId", subjectId);
    }
}
