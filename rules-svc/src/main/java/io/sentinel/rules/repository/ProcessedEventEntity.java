package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An event from another service that has been applied; makes redelivery a no-op. */
@Entity
@Table(name = "processed_event")
public class ProcessedEventEntity {
    @Id
    @Column(name = "event_id")
    public UUID eventId;
    public String source;
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "alert_id")
    public UUID alertId;
    public Instant at;
}
