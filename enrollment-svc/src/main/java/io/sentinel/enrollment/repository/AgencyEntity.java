package io.sentinel.enrollment.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A public body that owns subjects or receives shared data. */
@Entity
@Table(name = "agency")
public class AgencyEntity {
    @Id
    @Column(name = "agency_id")
    public String agencyId;
    public String name;
    public String kind;
    @Column(name = "data_region")
    public String dataRegion;
    @Column(name = "created_at")
    public Instant createdAt;
}
