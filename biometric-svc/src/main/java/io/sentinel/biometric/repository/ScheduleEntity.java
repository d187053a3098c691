package io.sentinel.biometric.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The check-in schedule of one subject, as enrollment-svc last sent it. */
@Entity
@Table(name = "check_in_schedule")
public class ScheduleEntity {
    @Id
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    @Column(name = "time_zone")
    public String timeZone;
    @Column(name = "per_day")
    public int perDay;
    @Column(name = "window_start")
    public String windowStart;
    @Column(name = "window_end")
    public String windowEnd;
    public long version;
    public boolean active;
    @Column(name = "demographic_group")
    public String demographicGroup;
    /** The order's legal window; null: no bound on that side. No prompt is planned outside it. */
    @Column(name = "order_starts_at")
    public Instant orderStartsAt;
    @Column(name = "order_ends_at")
    public Instant orderEndsAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
