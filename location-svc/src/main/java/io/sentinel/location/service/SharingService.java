package io.sentinel.location.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.repository.SharingRepository;
import io.sentinel.location.repository.SharingRepository.Grant;
import io.smallrye.mutiny.Uni;

/** Applies the sharing grants enrollment-svc sends, each applied change recorded in the audit log with it. */
@ApplicationScoped
public class SharingService {
    public static final String ACTION = "grants.put";
    private final SharingRepository repository;

    public SharingService(SharingRepository repository) {
        this.repository = repository;
    }

    /** {@code caller} is the peer service that sent the grants, acting on a caseworker's decision upstream. */
    public Uni<Long> put(Caller caller, PutSharingGrantsRequest r) {
        UUID subjectId = Check.uuid("subject_id", r.getSubjectId());
        Check.required("owning_agency_id", r.getOwningAgencyId());
        if (r.getVersion() <= 0) {
            throw SentinelException.invalid("version", "must be positive");
        }
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < r.getGrantsCount(); i++) {
            SharingGrant g = r.getGrants(i);
            String at = "grants[" + i + "].";
            UUID grantId = Check.uuid(at + "grant_id", g.getGrantId());
            Check.required(at + "agency_id", g.getAgencyId());
            if (g.getCategoriesCount() == 0) {
                throw SentinelException.invalid(at + "categories", "must name at least one category");
            }
            List<String> categories = new ArrayList<>();
            for (DataCategory c : g.getCategoriesList()) {
                if (c == DataCategory.DATA_CATEGORY_UNSPECIFIED || c == DataCategory.UNRECOGNIZED) {
                    throw SentinelException.invalid(at + "categories", "must not contain an unspecified category");
                }
                categories.add(c.name());
            }
            Check.length(at + "purpose", g.getPurpose(), 1, 500);
            Instant until = Timestamps.required(at + "valid_until", g.getValidUntil());
            grants.add(new Grant(grantId, g.getAgencyId(), categories, g.getPurpose(), until));
        }
        // Agencies and categories are not personal data; the grants' purposes (free text) stay out of the record.
        AuditRecord change = AuditRecord.of(caller, Justification.NONE, ACTION, List.of(subjectId.toString()), AuditRecord.ALLOWED,
                "version " + r.getVersion() + ", " + grants.size() + " grant(s): " + String.join("; ", grants.stream()
                        .map(g -> g.grantId() + " to " + g.agencyId() + " " + g.categories()).toList()));
        return repository.put(subjectId, r.getOwningAgencyId(), grants, r.getVersion(), change);
    }
}
