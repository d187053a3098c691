package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;

/** Sharing grants. */
@ApplicationScoped
public class SharingGrantRepository implements PanacheRepositoryBase<SharingGrantEntity, UUID> {
    /** Matches grants whose categories include location trails (see {@link SharingGrantEntity#categories}). */
    public static final String LOCATION_TRAIL_CATEGORY = "% DATA_CATEGORY_LOCATION_TRAIL %";

    /** Of {@code subjects}, those for which {@code agencyId} holds a grant covering location trails that is unexpired at {@code now}. */
    public Uni<Set<UUID>> sharingLocations(String agencyId, Collection<UUID> subjects, Instant now) {
        if (subjects.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return list("agencyId = :agency and subjectId in :subjects and categories like :category and validUntil > :now",
                Parameters.with("agency", agencyId).and("subjects", subjects).and("category", LOCATION_TRAIL_CATEGORY).and("now", now))
                .map(grants -> {
                    Set<UUID> out = new HashSet<>();
                    grants.forEach(g -> out.add(g.subjectId));
                    return out;
                });
    }
}
