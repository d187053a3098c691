package io.sentinel.rules.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;

/** Alerts and their feed. */
@ApplicationScoped
public class AlertRepository implements PanacheRepositoryBase<AlertEntity, UUID> {

    public Uni<AlertEntity> findOpen(UUID subjectId, String conditionId) {
        return find("subjectId = :s and conditionId = :c and state <> 'ALERT_STATE_RESOLVED'",
                Parameters.with("s", subjectId).and("c", conditionId)).firstResult();
    }

    /** A page of alerts visible to an agency, newest first, after the given (openedAt, id) key. */
    public Uni<List<AlertEntity>> page(String agencyId, UUID subjectId, String state, String afterKey, int size) {
        StringBuilder q = new StringBuilder("owningAgencyId = :agency");
        Parameters p = Parameters.with("agency", agencyId);
        if (subjectId != null) {
            q.append(" and subjectId = :subject");
            p.and("subject", subjectId);
        }
        if (state != null) {
            q.append(" and state = :state");
            p.and("state", state);
        }
        if (afterKey != null) {
            q.append(" and alertId < :after");
            p.and("after", UUID.fromString(afterKey));
        }
        q.append(" order by alertId desc");
        return find(q.toString(), p).page(0, size).list();
    }
}
