package io.sentinel.location.domain.protocol;

import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.Violation;

import java.util.List;

/**
 * What a device message decoded to: fixes, a rejection naming each malformed field, or a
 * recognised message that carries no fix (e.g. an OwnTracks {@code waypoint}).
 *
 * @param ignoredReason why the message was ignored, null unless {@link Kind#IGNORED}
 */
public record Decoded(Kind kind, List<FixReport> fixes, List<Violation> errors, String ignoredReason) {

    /** Which of the three outcomes this is. */
    public enum Kind { FIXES, REJECTED, IGNORED }

    public Decoded {
        fixes = List.copyOf(fixes);
        errors = List.copyOf(errors);
    }

    public static Decoded fixes(List<FixReport> fixes) {
        return new Decoded(Kind.FIXES, fixes, List.of(), null);
    }

    public static Decoded rejected(List<Violation> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a rejection needs at least one error");
        }
        return new Decoded(Kind.REJECTED, List.of(), errors, null);
    }

    public static Decoded rejected(String field, String message) {
        return rejected(List.of(new Violation(field, message)));
    }

    public static Decoded ignored(String reason) {
        return new Decoded(Kind.IGNORED, List.of(), List.of(), reason);
    }

    /** Errors joined with "; ". */
    public String describe() {
        return String.join("; ", errors.stream().map(Violation::message).toList());
    }
}
