package io.sentinel.location.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Roles;
import io.sentinel.location.repository.FixRepository;
import io.sentinel.location.repository.FixRepository.TrailFix;
import io.sentinel.location.repository.SharingRepository;
import io.smallrye.mutiny.Uni;

/**
 * Answers trail queries: a stated purpose and reference (gRPC metadata or HTTP headers), and a
 * right to see the subject's trail (the owning agency, or a cited unexpired LOCATION_TRAIL grant)
 * are all required; every query, allowed or refused, is recorded in the audit log, and an answer
 * leaves only once its record is stored.
 */
@ApplicationScoped
public class TrailService {
    public static final String ACTION = "trail.query";
    static final String TRAIL = DataCategory.DATA_CATEGORY_LOCATION_TRAIL.name();
    public static final int MAX_POINTS = 50_000;
    static final Duration MAX_RANGE = Duration.ofDays(31);

    /** A trail answer; truncated when the range held more than {@link #MAX_POINTS}. */
    public record Trail(UUID subjectId, List<TrailFix> points, boolean truncated) {
    }

    private final FixRepository fixes;
    private final SharingRepository sharing;
    private final AuditLog audit;

    public TrailService(FixRepository fixes, SharingRepository sharing, AuditLog audit) {
        this.fixes = fixes;
        this.sharing = sharing;
        this.audit = audit;
    }

    /** {@code why} is the caller's justification, read at the edge when the call arrived. */
    public Uni<Trail> query(Caller caller, Justification why, String subjectIdText, Instant from, Instant to) {
        UUID subjectId = parseUuid(subjectIdText);
        List<String> asked = subjectId == null ? List.of() : List.of(subjectId.toString());
        // A caller without a role that may read trails is refused before anything else is checked (it
        // learns nothing about what a valid request would be), and the refusal is recorded.
        if (!caller.has(Roles.CASEWORKER) && !caller.has(Roles.PARTNER)) {
            return audit.recordingRefusal(caller, why, ACTION, asked,
                    Uni.createFrom().failure(SentinelException.denied("role caseworker or partner is required")));
        }
        // A request that cannot be answered whatever the rights reads nothing: refused before any lookup.
        if (subjectId == null) {
            throw SentinelException.invalid("subject_id", "must be a UUID");
        } else if (from == null) {
            throw SentinelException.invalid("from", "is required");
        } else if (to == null) {
            throw SentinelException.invalid("to", "is required");
        } else if (!to.isAfter(from)) {
            throw SentinelException.invalid("to", "must be after from");
        } else if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw SentinelException.invalid("to", "range must be at most 31 days");
        }
        return audit.read(caller, why, ACTION, asked, () -> allowed(caller, why, subjectId)
                .chain(() -> fixes.trail(subjectId, from, to, MAX_POINTS + 1))
                .map(points -> {
                    boolean truncated = points.size() > MAX_POINTS;
                    return new Trail(subjectId, truncated ? points.subList(0, MAX_POINTS) : points, truncated);
                }), t -> List.of(t.subjectId().toString()));
    }

    /**
     * The owning agency reads its subject's trail; any other agency only under the LOCATION_TRAIL
     * grant it cites, which must be one of its own, for this subject, and unexpired. Unknown subjects
     * get the same answer as others' subjects: no probing for who is monitored.
     */
    private Uni<Void> allowed(Caller caller, Justification why, UUID subjectId) {
        String cited = why == null ? "" : why.grantId();
        UUID grantId = parseUuid(cited);
        return sharing.access(subjectId, caller.agencyId(), TRAIL, Instant.now()).chain(access -> {
            if (access.owner()) {
                return Uni.createFrom().voidItem();
            }
            if (cited.isEmpty()) {
                throw SentinelException.denied("agency " + caller.agencyId() + " does not own this subject: cite its "
                        + "LOCATION_TRAIL grant for the subject in " + Justification.GRANT);
            }
            if (grantId == null) {
                throw SentinelException.denied("grant '" + cited + "' (" + Justification.GRANT + ") is not an unexpired "
                        + "LOCATION_TRAIL grant of agency " + caller.agencyId() + " for this subject");
            }
            return sharing.grantInForce(subjectId, grantId, caller.agencyId(), TRAIL, Instant.now()).map(inForce -> {
                if (!inForce) {
                    throw SentinelException.denied("grant " + grantId + " (" + Justification.GRANT + ") is not an unexpired "
                            + "LOCATION_TRAIL grant of agency " + caller.agencyId() + " for this subject");
                }
                return null;
            });
        });
    }

    private static UUID parseUuid(String s) {
        try {
            return s == null || s.isBlank() ? null : UUID.fromString(s.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
