package io.sentinel.rules.repository;

import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/**
 * A subject's purge already applied in a run, and the counts it reported. One run purges many
 * subjects, so the key is (run, subject): a redelivered request answers the first counts.
 */
@Entity
@Table(name = "purge_run")
@IdClass(PurgeRunEntity.Key.class)
public class PurgeRunEntity {
    @Id
    @Column(name = "purge_id")
    public UUID purgeId;
    @Id
    @Column(name = "subject_id")
    public UUID subjectId;
    public String counts;
    public Instant at;

    /** The composite key. */
    public record Key(UUID purgeId, UUID subjectId) implements Serializable {
        public Key() {
            this(null, null);
        }
    }
}
