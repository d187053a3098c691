package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A purge run already applied and the counts it reported. */
@Entity
@Table(name = "purge_run")
public class PurgeRunEntity {
    @Id
    @Column(name = "purge_id")
    public UUID purgeId;
    @Column(name = "subject_id")
    public UUID subjectId;
    public String counts;
    public Instant at;
}
