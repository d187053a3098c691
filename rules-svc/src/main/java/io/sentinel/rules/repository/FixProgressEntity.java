package io.sentinel.rules.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The highest fix id evaluated from one source. */
@Entity
@Table(name = "fix_progress")
public class FixProgressEntity {
    @Id
    public String source;
    @Column(name = "last_fix_id")
    public long lastFixId;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
