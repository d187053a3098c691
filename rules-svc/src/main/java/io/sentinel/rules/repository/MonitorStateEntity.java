package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The persisted dwell/hysteresis state of one subject's conditions. */
@Entity
@Table(name = "monitor_state")
public class MonitorStateEntity {
    @Id
    @Column(name = "subject_id")
    public UUID subjectId;
    public String state;
    @Column(name = "next_deadline")
    public Instant nextDeadline;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
