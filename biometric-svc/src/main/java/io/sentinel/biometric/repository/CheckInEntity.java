package io.sentinel.biometric.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One check-in: the photo, what the algorithm concluded and what a reviewer decided. */
@Entity
@Table(name = "check_in")
public class CheckInEntity {
    @Id
    @Column(name = "check_in_id")
    public UUID checkInId;
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    @Column(name = "captured_at")
    public Instant capturedAt;
    @Column(name = "received_at")
    public Instant receivedAt;
    @Column(name = "content_type")
    public String contentType;
    public byte[] image;
    public String outcome;
    @Column(name = "outcome_reason")
    public String outcomeReason;
    public Double similarity;
    @Column(name = "review_state")
    public String reviewState;
    @Column(name = "reviewed_by")
    public String reviewedBy;
    @Column(name = "reviewed_at")
    public Instant reviewedAt;
    @Column(name = "review_reason")
    public String reviewReason;
    /** When the source image was deleted after the retention period; null while it is held. */
    @Column(name = "image_deleted_at")
    public Instant imageDeletedAt;
}
