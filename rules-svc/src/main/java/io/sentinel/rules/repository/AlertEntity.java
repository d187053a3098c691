package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A stored alert. */
@Entity
@Table(name = "alert")
public class AlertEntity {
    @Id
    @Column(name = "alert_id")
    public UUID alertId;
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    public String kind;
    @Column(name = "condition_id")
    public String conditionId;
    public String state;
    @Column(name = "opened_at")
    public Instant openedAt;
    @Column(name = "device_id")
    public UUID deviceId;
    @Column(name = "fix_time")
    public Instant fixTime;
    public Double latitude;
    public Double longitude;
    @Column(name = "accuracy_metres")
    public Double accuracyMetres;
    @Column(name = "fix_id")
    public Long fixId;
    @Column(name = "breach_started_at")
    public Instant breachStartedAt;
    @Column(name = "closed_at")
    public Instant closedAt;
    @Column(name = "duration_seconds")
    public Long durationSeconds;
    public String severity;
    public String detail;
    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;
    @Column(name = "acknowledged_by")
    public String acknowledgedBy;
    @Column(name = "resolved_at")
    public Instant resolvedAt;
    @Column(name = "resolved_by")
    public String resolvedBy;
    public String outcome;
    @Column(name = "resolution_note")
    public String resolutionNote;
    @Column(name = "escalated_at")
    public Instant escalatedAt;
    @Version
    public long version;
}
