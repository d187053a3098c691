package io.sentinel.rules.service;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.security.Caller;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;
import io.sentinel.rules.repository.SharingGrantEntity;
import io.sentinel.rules.repository.SharingGrantRepository;
import io.sentinel.rules.repository.SharingGrantsEntity;
import io.sentinel.rules.repository.SharingGrantsRepository;
import io.smallrye.mutiny.Uni;

/** The sharing grants enrollment-svc sends; read by every query that shows alerts to an agency. */
@ApplicationScoped
public class SharingGrants {
    /** Arbitrary application-wide key of the lock that serialises replacing a subject's grants. */
    static final long GRANTS_LOCK = 0x5e17_6a47L;
    static final int MAX_GRANTS = 200;

    private final SharingGrantsRepository versions;
    private final SharingGrantRepository grants;
    private final AlertWriter writer;
    private final AuditLog audit;

    public SharingGrants(SharingGrantsRepository versions, SharingGrantRepository grants, AlertWriter writer, AuditLog audit) {
        this.audit = audit;
        this.versions = versions;
        this.grants = grants;
        this.writer = writer;
    }

    /**
     * Replaces the grants held with a newer version; an older or equal one changes nothing. Returns the
     * version held. Recorded ("grants.put", with the version and how many grants) in the same transaction.
     */
    @WithTransaction
    public Uni<Long> put(Caller caller, Justification why, PutSharingGrantsRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        Check.required("owning_agency_id", r.getOwningAgencyId());
        if (r.getVersion() < 1) {
            throw SentinelException.invalid("version", "must be at least 1, got " + r.getVersion());
        }
        if (r.getGrantsCount() > MAX_GRANTS) {
            throw SentinelException.tooLarge("grants", "at most " + MAX_GRANTS + " grants, got " + r.getGrantsCount());
        }
        Set<UUID> ids = new HashSet<>();
        List<SharingGrantEntity> rows = new java.util.ArrayList<>();
        for (int i = 0; i < r.getGrantsCount(); i++) {
            String p = "grants[" + i + "]";
            SharingGrant g = r.getGrants(i);
            UUID id = Check.uuid(p + ".grant_id", g.getGrantId());
            if (!ids.add(id)) {
                throw SentinelException.invalid(p + ".grant_id", "'" + id + "' appears twice");
            }
            Check.required(p + ".agency_id", g.getAgencyId());
            if (g.getCategoriesCount() == 0) {
                throw SentinelException.invalid(p + ".categories", "must name at least one category");
            }
            Set<String> categories = new LinkedHashSet<>();
            for (int j = 0; j < g.getCategoriesCount(); j++) {
                DataCategory c = g.getCategories(j);
                if (c == DataCategory.DATA_CATEGORY_UNSPECIFIED || c == DataCategory.UNRECOGNIZED) {
                    throw SentinelException.invalid(p + ".categories[" + j + "]", "must be a known data category");
                }
                categories.add(c.name());
            }
            Check.length(p + ".purpose", g.getPurpose(), 1, 500);
            SharingGrantEntity e = new SharingGrantEntity();
            e.grantId = id;
            e.subjectId = subject;
            e.agencyId = g.getAgencyId();
            e.categories = " " + String.join(" ", categories) + " ";
            e.purpose = g.getPurpose();
            e.validUntil = Timestamps.required(p + ".valid_until", g.hasValidUntil() ? g.getValidUntil() : null);
            rows.add(e);
        }
        // A purged subject's tombstone refuses late grants (taken first: the tombstone lock comes before any other).
        return Panache.getSession().flatMap(s -> PurgedSubjects.refuseIfPurged(s, "subject_id", subject))
                .flatMap(t -> AlertWriter.lock(GRANTS_LOCK)).flatMap(x -> versions.findById(subject)).flatMap(held -> {
            if (held != null && held.version >= r.getVersion()) {
                return record(caller, why, subject, "version " + r.getVersion() + " not newer than " + held.version + ": unchanged")
                        .replaceWith(held.version);
            }
            SharingGrantsEntity v = held != null ? held : new SharingGrantsEntity();
            v.subjectId = subject;
            v.owningAgencyId = r.getOwningAgencyId();
            v.version = r.getVersion();
            v.updatedAt = Instant.now();
            Uni<SharingGrantsEntity> saved = held != null ? Uni.createFrom().item(v) : versions.persistAndFlush(v);
            return saved.flatMap(s -> grants.delete("subjectId", subject))
                    .flatMap(n -> rows.isEmpty() ? Uni.createFrom().voidItem() : grants.persist(rows))
                    .call(x -> record(caller, why, subject, "version " + r.getVersion() + ": " + rows.size()
                            + (rows.size() == 1 ? " grant" : " grants")))
                    .replaceWith(v.version);
        });
    }

    private Uni<Void> record(Caller caller, Justification why, UUID subject, String detail) {
        return Panache.getSession().flatMap(s -> audit.write(s, AuditRecord.of(caller, why, "grants.put", List.of(subject.toString()),
                AuditRecord.ALLOWED, detail)));
    }
}
