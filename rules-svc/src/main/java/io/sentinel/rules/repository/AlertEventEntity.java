package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One entry of the alert feed; its cursor orders the feed. */
@Entity
@Table(name = "alert_event")
public class AlertEventEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long cursor;
    @Column(name = "alert_id")
    public UUID alertId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    public String state;
    public String type;
    public Instant at;
}
