package io.sentinel.location.domain;

import java.util.List;
import java.util.Set;

/**
 * Outcome of validating one fix: accepted (possibly with flags) when there are no violations.
 */
public record FixValidation(FixReport fix, List<Violation> violations, Set<FixFlag> flags) {

    public FixValidation {
        violations = List.copyOf(violations);
        flags = Set.copyOf(flags);
    }

    public boolean accepted() {
        return violations.isEmpty();
    }

    /** Violations joined with "; ", for a gRPC status description or a problem detail. */
    public String describe() {
        return String.join("; ", violations.stream().map(Violation::message).toList());
    }
}
