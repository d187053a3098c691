package io.sentinel.common.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

import io.sentinel.common.security.Caller;

/**
 * One read or change of personal data, or one refusal of it: who (actor, agency, roles), why
 * (purpose, reference, the sharing grant a partner cited), what ({@code action}, the subjects
 * affected or returned) and the outcome. {@code detail} is a short non-personal note (a count, a
 * category); it never holds names, positions or images.
 */
public record AuditRecord(Instant at, String agencyId, String actor, String roles, String purpose, String reference,
        String grantId, String action, List<String> subjectIds, String outcome, String detail) {

    public static final String ALLOWED = "allowed";
    public static final String REFUSED = "refused";

    public AuditRecord {
        at = at.truncatedTo(ChronoUnit.MICROS);
        agencyId = nz(agencyId);
        actor = nz(actor);
        roles = nz(roles);
        purpose = nz(purpose);
        reference = nz(reference);
        grantId = nz(grantId);
        action = nz(action);
        subjectIds = List.copyOf(new TreeSet<>(subjectIds == null ? List.of() : subjectIds.stream().filter(s -> s != null && !s.isBlank()).toList()));
        outcome = nz(outcome);
        detail = nz(detail);
    }

    /** A record of what {@code caller} did under {@code why}, now. */
    public static AuditRecord of(Caller caller, Justification why, String action, Collection<String> subjectIds, String outcome,
            String detail) {
        Justification j = why == null ? Justification.NONE : why;
        return new AuditRecord(Instant.now(), caller.agencyId(), caller.subject(), String.join(",", new TreeSet<>(caller.roles())),
                j.purpose(), j.reference(), j.grantId(), action, subjectIds == null ? List.of() : List.copyOf(subjectIds), outcome, detail);
    }

    public AuditRecord withOutcome(String newOutcome, String newDetail) {
        return new AuditRecord(at, agencyId, actor, roles, purpose, reference, grantId, action, subjectIds, newOutcome, newDetail);
    }

    public AuditRecord withSubjects(Collection<String> ids) {
        return new AuditRecord(at, agencyId, actor, roles, purpose, reference, grantId, action, List.copyOf(ids), outcome, detail);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
