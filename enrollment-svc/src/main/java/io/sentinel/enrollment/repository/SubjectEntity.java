package io.sentinel.enrollment.repository;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A monitored person. Free-text notes are deliberately not stored. */
@Entity
@Table(name = "subject")
public class SubjectEntity {
    @Id
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "owning_agency_id")
    public String owningAgencyId;
    @Column(name = "given_names")
    public String givenNames;
    @Column(name = "family_name")
    public String familyName;
    @Column(name = "date_of_birth")
    public LocalDate dateOfBirth;
    public String nationality;
    @Column(name = "preferred_language")
    public String preferredLanguage;
    /** Comma-separated UUIDs of reference photos held by biometric-svc; empty when none. */
    @Column(name = "reference_photo_ids")
    public String referencePhotoIds = "";
    public long version;
    @Column(name = "created_at")
    public Instant createdAt;
}
