package io.sentinel.enrollment.repository;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Permission for another agency to see some categories of one subject's data. */
@Entity
@Table(name = "sharing_grant")
public class GrantEntity {
    @Id
    @Column(name = "grant_id")
    public UUID grantId;
    @Column(name = "subject_id")
    public UUID subjectId;
    @Column(name = "agency_id")
    public String agencyId;
    /** Comma-separated DataCategory names. */
    public String categories;
    public String purpose;
    @Column(name = "valid_until")
    public Instant validUntil;
    @Column(name = "granted_by")
    public String grantedBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "revoked_at")
    public Instant revokedAt;
    @Column(name = "revoked_by")
    public String revokedBy;

    public boolean inForce(Instant now) {
        return revokedAt == null && validUntil.isAfter(now);
    }

    public boolean covers(String category) {
        for (String c : categories.split(",")) {
            if (c.equals(category)) {
                return true;
            }
        }
        return false;
    }
}
