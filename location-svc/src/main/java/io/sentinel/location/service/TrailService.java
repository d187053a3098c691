package io.sentinel.location.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Roles;
import io.sentinel.location.repository.AuditRepository;
import io.sentinel.location.repository.FixRepository;
import io.sentinel.location.repository.FixRepository.TrailFix;
import io.sentinel.location.repository.SharingRepository;
import io.smallrye.mutiny.Uni;

/**
 * Answers trail queries: a stated purpose, a justifying reference and a right to see the subject's
 * trail are all required, and every query, allowed or refused, leaves an audit record first.
 */
@ApplicationScoped
public class TrailService {
    static final String ACTION = "QUERY_TRAIL";
    public static final int MAX_POINTS = 50_000;
    static final Duration MAX_RANGE = Duration.ofDays(31);

    /** A trail answer; truncated when the range held more than {@link #MAX_POINTS}. */
    public record Trail(UUID subjectId, List<TrailFix> points, boolean truncated) {
    }

    private final FixRepository fixes;
    private final SharingRepository sharing;
    private final AuditRepository audit;

    public TrailService(FixRepository fixes, SharingRepository sharing, AuditRepository audit) {
        this.fixes = fixes;
        this.sharing = sharing;
        this.audit = audit;
    }

    /** {@code via} names the edge (e.g. "grpc", "rest:gpx") for the audit detail. */
    public Uni<Trail> query(Caller caller, String subjectIdText, Instant from, Instant to, String purpose, String reference,
            String via) {
        UUID subjectId = parseSubject(subjectIdText);
        String p = blankToNull(purpose);
        String ref = blankToNull(reference);
        String range = from + "/" + to;
        // A caller without a role that may read trails is refused before anything else is checked (it
        // learns nothing about what a valid request would be); requests that cannot be answered
        // whatever the rights are refused before any lookup. Both are audited.
        String refusal = null;
        SentinelException error = null;
        if (!caller.has(Roles.CASEWORKER) && !caller.has(Roles.PARTNER)) {
            refusal = "role caseworker or partner is required";
        } else if (subjectId == null) {
            error = SentinelException.invalid("subject_id", "must be a UUID");
        } else if (from == null) {
            error = SentinelException.invalid("from", "is required");
        } else if (to == null) {
            error = SentinelException.invalid("to", "is required");
        } else if (!to.isAfter(from)) {
            error = SentinelException.invalid("to", "must be after from");
        } else if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            error = SentinelException.invalid("to", "range must be at most 31 days");
        } else if (p == null || p.length() < 3 || p.length() > 500) {
            refusal = "purpose is required (3 to 500 characters)";
        } else if (ref == null || ref.length() < 3 || ref.length() > 200) {
            refusal = "reference is required: an alert id or a legal reference (3 to 200 characters)";
        }
        if (error != null && refusal == null) {
            SentinelException e = error;
            return record(caller, subjectId, p, ref, false, via + " invalid: " + e.getMessage())
                    .chain(() -> Uni.createFrom().failure(e));
        }
        if (refusal != null) {
            String why = refusal;
            return record(caller, subjectId, p, ref, false, via + " " + range + " denied: " + why)
                    .chain(() -> Uni.createFrom().failure(SentinelException.denied(why)));
        }
        return sharing.access(subjectId, caller.agencyId(), DataCategory.DATA_CATEGORY_LOCATION_TRAIL.name(), Instant.now())
                .chain(access -> {
                    if (!access.allowed()) {
                        // Unknown subjects get the same answer as others' subjects: no probing for who is monitored.
                        String why = "agency " + caller.agencyId() + " holds no LOCATION_TRAIL grant for this subject";
                        return record(caller, subjectId, p, ref, false, via + " " + range + " denied: "
                                + (access.known() ? why : "subject unknown"))
                                .chain(() -> Uni.createFrom().failure(SentinelException.denied(why)));
                    }
                    String basis = access.owner() ? "owning agency" : "grant " + access.grantId();
                    return fixes.trail(subjectId, from, to, MAX_POINTS + 1).chain(points -> {
                        boolean truncated = points.size() > MAX_POINTS;
                        List<TrailFix> kept = truncated ? points.subList(0, MAX_POINTS) : points;
                        return record(caller, subjectId, p, ref, true, via + " " + range + " allowed (" + basis + "): "
                                + kept.size() + " points").replaceWith(new Trail(subjectId, kept, truncated));
                    });
                });
    }

    private Uni<Void> record(Caller c, UUID subjectId, String purpose, String reference, boolean allowed, String detail) {
        return audit.append(new AuditRepository.Entry(String.valueOf(c.subject()), c.agencyId(),
                String.join(",", c.roles().stream().sorted().toList()), ACTION, subjectId, purpose, reference, allowed, detail, null));
    }

    private static UUID parseSubject(String s) {
        try {
            return s == null ? null : UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
