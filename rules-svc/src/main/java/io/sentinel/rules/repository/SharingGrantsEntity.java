package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The version of a subject's sharing grants held. */
@Entity
@Table(name = "sharing_grants")
public class SharingGrantsEntity {
    @Id
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    public long version;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
