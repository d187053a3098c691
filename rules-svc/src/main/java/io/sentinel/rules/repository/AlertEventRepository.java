package io.sentinel.rules.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** The alert feed, read by cursor. */
@ApplicationScoped
public class AlertEventRepository implements PanacheRepositoryBase<AlertEventEntity, Long> {

    public Uni<List<AlertEventEntity>> after(String agencyId, long cursor, int limit) {
        return find("owningAgencyId = :agency and cursor > :cursor", Sort.by("cursor"),
                Parameters.with("agency", agencyId).and("cursor", cursor)).page(0, limit).list();
    }
}
