package io.sentinel.enrollment.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A monitoring order with its conditions (stored as the Conditions message). Updates write only the
 * columns that changed: the outbox sets the conditions status columns outside this entity, and a
 * concurrent change of other columns must not write back a stale status.
 */
@Entity
@Table(name = "monitoring_order")
@org.hibernate.annotations.DynamicUpdate
public class OrderEntity {
    @Id
    @Column(name = "order_id")
    public UUID orderId;
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    @Column(name = "legal_authority")
    public String legalAuthority;
    @Column(name = "starts_at")
    public Instant startsAt;
    /** End of the legal window [startsAt, endsAt); EndOrder with a future time shortens it. */
    @Column(name = "ends_at")
    public Instant endsAt;
    /** When monitoring really ended (EndOrder's time, or endsAt when the expiry job ended it); null while active. */
    @Column(name = "ended_at")
    public Instant endedAt;
    @Column(name = "review_due_at")
    public Instant reviewDueAt;
    @Column(name = "device_type")
    public String deviceType;
    public String state;
    public byte[] conditions;
    public long version;
    @Column(name = "created_at")
    public Instant createdAt;
    /** Optional; only ever stored together with {@link #demographicBasis}. */
    @Column(name = "demographic_group")
    public String demographicGroup;
    @Column(name = "demographic_basis")
    public String demographicBasis;
    /** The conditions version last sent to rules-svc (PutSubjectConditions.version); null before V22_2. */
    @Column(name = "conditions_version")
    public Long conditionsVersion;
    /** PENDING, APPLIED or NOT_APPLIED: whether rules-svc holds that version; null before V22_2. */
    @Column(name = "conditions_status")
    public String conditionsStatus;
    /** rules-svc's refusal, for NOT_APPLIED. */
    @Column(name = "conditions_reason")
    public String conditionsReason;
}
