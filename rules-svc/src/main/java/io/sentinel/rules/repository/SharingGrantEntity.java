package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One sharing grant in force for a subject. */
@Entity
@Table(name = "sharing_grant")
public class SharingGrantEntity {
    @Id
    @Column(name = "grant_id")
    public UUID grantId;
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "agency_id")
    public String agencyId;
    /** Space-separated category names with a leading and trailing space, so " NAME " matches exactly. */
    public String categories;
    public String purpose;
    @Column(name = "valid_until")
    public Instant validUntil;
}
