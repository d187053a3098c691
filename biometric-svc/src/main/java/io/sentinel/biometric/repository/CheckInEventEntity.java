package io.sentinel.biometric.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A check-in event waiting for (or already given) to rules-svc; written with the decision that causes it. */
@Entity
@Table(name = "check_in_event_outbox")
public class CheckInEventEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "event_id")
    public UUID eventId;
    @Column(name = "subject_id")
    public UUID subjectId;
    public String kind;
    @Column(name = "check_in_id")
    public UUID checkInId;
    @Column(name = "reviewed_by")
    public String reviewedBy;
    @Column(name = "occurred_at")
    public Instant occurredAt;
    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
    @Column(insertable = false, updatable = false)
    public int attempts;
    @Column(name = "next_attempt_at", insertable = false, updatable = false)
    public Instant nextAttemptAt;
    @Column(name = "delivered_at", insertable = false, updatable = false)
    public Instant deliveredAt;
    @Column(name = "last_error", insertable = false, updatable = false)
    public String lastError;
}
