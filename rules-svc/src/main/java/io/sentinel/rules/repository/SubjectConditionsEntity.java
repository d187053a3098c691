package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The conditions of one subject as enrollment-svc last sent them. */
@Entity
@Table(name = "subject_conditions")
public class SubjectConditionsEntity {
    @Id
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    @Column(name = "order_id")
    public UUID orderId;
    public long version;
    public boolean active;
    /** The serialized PutSubjectConditionsRequest. */
    public byte[] conditions;
    /** The order's legal window; null: no bound on that side. */
    @Column(name = "order_starts_at")
    public Instant orderStartsAt;
    @Column(name = "order_ends_at")
    public Instant orderEndsAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
