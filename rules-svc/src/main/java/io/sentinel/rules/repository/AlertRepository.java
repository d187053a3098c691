package io.sentinel.rules.repository;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;

/** Alerts and their feed. */
@ApplicationScoped
public class AlertRepository implements PanacheRepositoryBase<AlertEntity, UUID> {
    /** Grants store categories space-separated with surrounding spaces; this matches one exactly. */
    public static final String ALERTS_CATEGORY = "% DATA_CATEGORY_ALERTS %";
    /**
     * An alert is visible to the owning agency and to agencies holding an unexpired grant that
     * covers alerts. Parameters: agency, category, now.
     */
    public static final String VISIBLE = "(a.owningAgencyId = :agency or exists (from SharingGrantEntity g where g.subjectId = a.subjectId"
            + " and g.agencyId = :agency and g.categories like :category and g.validUntil > :now))";

    /**
     * A page of alerts visible to an agency, newest first, after the given (openedAt, id) key; of the
     * given kinds only, unless {@code kinds} is null.
     */
    public Uni<List<AlertEntity>> page(String agencyId, UUID subjectId, String state, Collection<String> kinds, String afterKey, int size) {
        StringBuilder q = new StringBuilder("from AlertEntity a where " + VISIBLE);
        Parameters p = Parameters.with("agency", agencyId).and("category", ALERTS_CATEGORY).and("now", Instant.now());
        if (kinds != null) {
            q.append(" and a.kind in :kinds");
            p.and("kinds", kinds);
        }
        if (subjectId != null) {
            q.append(" and a.subjectId = :subject");
            p.and("subject", subjectId);
        }
        if (state != null) {
            q.append(" and a.state = :state");
            p.and("state", state);
        }
        if (afterKey != null) {
            q.append(" and a.alertId < :after");
            p.and("after", UUID.fromString(afterKey));
        }
        q.append(" order by a.alertId desc");
        return find(q.toString(), p).page(0, size).list();
    }

    /** Whether the agency may see the alert (owning agency or an unexpired grant covering alerts). */
    public Uni<Boolean> visible(String agencyId, UUID alertId) {
        return findVisible(agencyId, alertId).map(a -> a != null);
    }

    public Uni<AlertEntity> findVisible(String agencyId, UUID alertId) {
        return find("from AlertEntity a where a.alertId = :id and " + VISIBLE,
                Parameters.with("id", alertId).and("agency", agencyId).and("category", ALERTS_CATEGORY).and("now", Instant.now()))
                .firstResult();
    }
}
