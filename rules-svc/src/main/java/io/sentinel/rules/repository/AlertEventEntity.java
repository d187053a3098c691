package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One entry of the alert feed. Its cursor orders the feed and is given after the event commits
 * (see {@code AlertFeed}); until then it is null.
 */
@Entity
@Table(name = "alert_event")
public class AlertEventEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    @Column(name = "event_id")
    public Long eventId;
    public Long cursor;
    @Column(name = "alert_id")
    public UUID alertId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    public String state;
    public String type;
    public Instant at;
}
