package io.sentinel.location.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Which subject a device reports for, as enrollment-svc last sent it. */
@Entity
@Table(name = "device_assignment")
public class DeviceAssignmentEntity {
    @Id
    @Column(name = "device_id")
    public UUID deviceId;
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    public String cadence;
    public long version;
    @Column(name = "effective_at")
    public Instant effectiveAt;
    @Column(name = "expected_interval_seconds")
    public long expectedIntervalSeconds;
    /** The identifier the device reports itself by (IMEI, ...); null when it reports by device_id. */
    public String serial;
    /** The gateways (token subjects) allowed to report the device, comma-separated; empty: none may. */
    @Column(name = "gateway_ids")
    public String gatewayIds = "";
    /** The legal window of the order the device is assigned under; null: no bound on that side. */
    @Column(name = "order_starts_at")
    public Instant orderStartsAt;
    @Column(name = "order_ends_at")
    public Instant orderEndsAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
