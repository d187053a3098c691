package io.sentinel.enrollment.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.PageToken;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.util.Uuids;
import io.sentinel.enrollment.repository.GrantEntity;
import io.sentinel.enrollment.repository.Repositories;
import io.sentinel.enrollment.repository.SubjectEntity;
import io.smallrye.mutiny.Uni;

/**
 * Sharing grants: who besides the owning agency may see which categories of a subject's data.
 * Every change sends the complete set in force to the three peers through the outbox, versioned,
 * so each peer enforces the same grants.
 */
@ApplicationScoped
public class SharingService {
    private final Repositories.Subjects subjects;
    private final Repositories.Agencies agencies;
    private final Repositories.Grants grants;
    private final Repositories.Ledger ledger;
    private final ChangeLog changes;

    public SharingService(Repositories.Subjects subjects, Repositories.Agencies agencies, Repositories.Grants grants,
            Repositories.Ledger ledger, ChangeLog changes) {
        this.changes = changes;
        this.subjects = subjects;
        this.agencies = agencies;
        this.grants = grants;
        this.ledger = ledger;
    }

    /**
     * The subject when the caller's agency owns it, or when {@code citedGrant} (the grant the caller
     * reads under, {@code x-sentinel-grant}) is one of the caller's agency's grants in force for this
     * subject and covers {@code category}. A caller with no grant at all gets NOT_FOUND, so subject ids
     * cannot be probed; one holding grants gets PERMISSION_DENIED when it cites none of them, or one
     * that does not cover the category.
     */
    Uni<SubjectEntity> visible(Caller caller, String citedGrant, UUID subjectId, DataCategory category) {
        return subjects.findById(subjectId).flatMap(s -> {
            if (s == null) {
                throw SentinelException.notFound("subject", subjectId.toString());
            }
            if (s.owningAgencyId.equals(caller.agencyId())) {
                return Uni.createFrom().item(s);
            }
            return grants.inForceFor(subjectId, caller.agencyId(), Instant.now()).map(held -> {
                if (held.isEmpty()) {
                    throw SentinelException.notFound("subject", subjectId.toString());
                }
                checkCitedGrant(caller, citedGrant, subjectId, category, held);
                return s;
            });
        });
    }

    /** The cited grant must be one of {@code held} (the agency's grants in force for the subject) and cover {@code category}. */
    static void checkCitedGrant(Caller caller, String citedGrant, UUID subjectId, DataCategory category, List<GrantEntity> held) {
        if (held.stream().noneMatch(g -> g.covers(category.name()))) {
            throw SentinelException.denied("agency " + caller.agencyId() + " holds no grant for " + category.name() + " of subject " + subjectId);
        }
        String cited = citedGrant == null ? "" : citedGrant.strip();
        if (cited.isEmpty()) {
            throw SentinelException.denied("agency " + caller.agencyId() + " reads subject " + subjectId
                    + " only under a sharing grant: cite it in " + io.sentinel.common.audit.Justification.GRANT);
        }
        GrantEntity g = held.stream().filter(h -> h.grantId.toString().equals(cited)).findFirst().orElse(null);
        if (g == null) {
            throw SentinelException.denied("grant " + cited + " cited in " + io.sentinel.common.audit.Justification.GRANT
                    + " is not a grant in force to agency " + caller.agencyId() + " for subject " + subjectId);
        }
        if (!g.covers(category.name())) {
            throw SentinelException.denied("grant " + cited + " does not cover " + category.name() + " of subject " + subjectId);
        }
    }

    private Uni<SubjectEntity> owned(Caller caller, UUID id) {
        return subjects.findById(id).map(e -> {
            if (e == null || !e.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("subject", id.toString());
            }
            return e;
        });
    }

    @WithTransaction
    public Uni<SharingGrant> grant(Caller caller, Justification why, String key, String subjectId, SharingGrant g) {
        Check.length("idempotency_key", key, 1, 100);
        UUID sid = Check.uuid("subject_id", subjectId);
        String agency = Check.required("grant.agency_id", g.getAgencyId());
        if (agency.equals(caller.agencyId())) {
            throw SentinelException.invalid("grant.agency_id", "the owning agency always sees its own subjects; grant to another agency");
        }
        Set<String> categories = categories("grant.categories", g.getCategoriesList());
        String purpose = Check.length("grant.purpose", g.getPurpose() == null ? null : g.getPurpose().strip(), 1, 500);
        Instant until = Timestamps.required("grant.valid_until", g.getValidUntil());
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (!until.isAfter(now)) {
            throw SentinelException.invalid("grant.valid_until", "must be in the future");
        }
        return ledger.claim(caller.agencyId(), "GrantSharing", key).flatMap(existing -> {
            if (existing != null) {
                return grants.findById(UUID.fromString(existing)).map(SharingService::toProto);
            }
            return OwnedSubjects.forChange(subjects, ledger, caller, sid, "subject_id").flatMap(s -> agencies.findById(agency)).flatMap(a -> {
                if (a == null) {
                    throw SentinelException.precondition("grant.agency_id", "agency " + agency + " is not registered");
                }
                GrantEntity e = new GrantEntity();
                e.grantId = Uuids.v7();
                e.subjectId = sid;
                e.agencyId = agency;
                e.categories = String.join(",", categories);
                e.purpose = purpose;
                e.validUntil = until.truncatedTo(ChronoUnit.MICROS);
                e.grantedBy = caller.subject();
                e.createdAt = now;
                return grants.persist(e).call(x -> grants.flush())
                        .call(x -> announce(sid, caller.agencyId()))
                        .call(x -> ledger.remember(caller.agencyId(), "GrantSharing", key, e.grantId.toString()))
                        .map(SharingService::toProto);
            });
        }).call(made -> changes.record(caller, why, AuditActions.GRANT_CREATE, List.of(sid.toString()),
                "grant " + made.getGrantId() + " to agency " + made.getAgencyId() + ": " + String.join(",", made.getCategoriesList().stream()
                        .map(DataCategory::name).toList())));
    }

    static Set<String> categories(String field, List<DataCategory> list) {
        if (list.isEmpty()) {
            throw SentinelException.invalid(field, "at least one category is required");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            DataCategory c = list.get(i);
            if (c == DataCategory.DATA_CATEGORY_UNSPECIFIED || c == DataCategory.UNRECOGNIZED) {
                throw SentinelException.invalid(field + "[" + i + "]", "must be IDENTITY, CONDITIONS, LOCATION_TRAIL, ALERTS or BIOMETRIC_RESULTS");
            }
            if (!out.add(c.name())) {
                throw SentinelException.invalid(field + "[" + i + "]", c.name() + " is listed twice");
            }
        }
        return out;
    }

    @WithTransaction
    public Uni<Void> revoke(Caller caller, Justification why, String subjectId, String grantId) {
        UUID sid = Check.uuid("subject_id", subjectId);
        UUID gid = Check.uuid("grant_id", grantId);
        return owned(caller, sid).flatMap(s -> grants.findById(gid)).flatMap(g -> {
            if (g == null || !g.subjectId.equals(sid)) {
                throw SentinelException.notFound("grant", grantId);
            }
            if (g.revokedAt != null) {
                return Uni.createFrom().voidItem();
            }
            g.revokedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            g.revokedBy = caller.subject();
            return grants.flush().call(() -> announce(sid, caller.agencyId())).replaceWithVoid();
        }).call(x -> changes.record(caller, why, AuditActions.GRANT_REVOKE, List.of(sid.toString()), "grant " + gid));
    }

    @WithSession
    public Uni<CaseService.Page<SharingGrant>> list(Caller caller, String subjectId, int pageSize, String pageToken) {
        UUID sid = Check.uuid("subject_id", subjectId);
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        String after = PageToken.decode("page_token", pageToken);
        UUID afterId = after == null ? null : Check.uuid("page_token", after);
        return owned(caller, sid).flatMap(s -> grants.inForcePage(sid, Instant.now(), afterId, size))
                .map(l -> CaseService.Page.of(l.stream().map(SharingService::toProto).toList(), size, SharingGrant::getGrantId));
    }

    /** Queues the grants in force for the three peers, under one new version. */
    Uni<Void> announce(UUID subjectId, String owningAgency) {
        return grants.inForce(subjectId, Instant.now()).flatMap(in -> ledger.nextVersion().flatMap(version -> {
            List<SharingGrant> list = in.stream().map(SharingService::toProto).toList();
            String sid = subjectId.toString();
            // One subject-data contract: the same message goes to each peer.
            byte[] put = io.sentinel.api.internal.v1.PutSharingGrantsRequest.newBuilder().setSubjectId(sid).setOwningAgencyId(owningAgency)
                    .addAllGrants(list).setVersion(version).build().toByteArray();
            return ledger.enqueue(PeerMessages.RULES, PeerMessages.PUT_GRANTS, sid, subjectId, put)
                    .chain(() -> ledger.enqueue(PeerMessages.LOCATION, PeerMessages.PUT_GRANTS, sid, subjectId, put))
                    .chain(() -> ledger.enqueue(PeerMessages.BIOMETRIC, PeerMessages.PUT_GRANTS, sid, subjectId, put)).replaceWithVoid();
        }));
    }

    static SharingGrant toProto(GrantEntity e) {
        SharingGrant.Builder b = SharingGrant.newBuilder().setGrantId(e.grantId.toString()).setAgencyId(e.agencyId)
                .setPurpose(e.purpose).setValidUntil(Timestamps.of(e.validUntil));
        Arrays.stream(e.categories.split(",")).map(DataCategory::valueOf).forEach(b::addCategories);
        return b.build();
    }
}
