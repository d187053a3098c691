package io.sentinel.enrollment.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A tag or watch in an agency's stock, with its current assignment. */
@Entity
@Table(name = "device")
public class DeviceEntity {
    @Id
    @Column(name = "device_id")
    public UUID deviceId;
    public String serial;
    public String type;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    @Column(name = "assigned_subject_id")
    public UUID assignedSubjectId;
    @Column(name = "assigned_at")
    public Instant assignedAt;
    @Column(name = "assignment_version")
    public long assignmentVersion;
    @Column(name = "created_at")
    public Instant createdAt;
    /** The gateways (token subjects) allowed to report this device's fixes, comma-separated; empty: none. */
    @Column(name = "gateway_ids")
    public String gatewayIds = "";
}
