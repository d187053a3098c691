package io.sentinel.rules.service;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.rules.repository.AlertRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The sharing grant a reader cites ({@code x-sentinel-grant}): a partner must cite one (the audit log
 * requires it), and whoever cites one reads under it alone. It must be a grant in force of the
 * caller's own agency covering alerts; anything else is PERMISSION_DENIED with one message, so grant
 * ids of other agencies cannot be probed. Read with the plain pool, so it works on any call path (the
 * live feed has no Hibernate session).
 */
@ApplicationScoped
public class CitedGrants {
    private static final String IN_FORCE = """
            select subject_id from sharing_grant
            where grant_id = $1 and agency_id = $2 and categories like $3 and valid_until > now()""";

    private final Pool pool;

    public CitedGrants(Pool pool) {
        this.pool = pool;
    }

    /** The cited grant and the one subject it shares, once checked. */
    public record Grant(UUID grantId, UUID subjectId) {
    }

    /** Whether the read cites a grant (a partner's always does, by the time this is asked). */
    public static boolean cites(Justification why) {
        return why != null && !why.grantId().isEmpty();
    }

    /** The cited grant when it is in force for the caller's agency and covers alerts; PERMISSION_DENIED otherwise. */
    public Uni<Grant> check(Caller caller, Justification why) {
        UUID id;
        try {
            id = UUID.fromString(why.grantId());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(notInForce(caller, why));
        }
        return pool.preparedQuery(IN_FORCE).execute(Tuple.of(id, caller.agencyId(), AlertRepository.ALERTS_CATEGORY)).map(rows -> {
            for (Row r : rows) {
                return new Grant(id, r.getUUID("subject_id"));
            }
            throw notInForce(caller, why);
        });
    }

    /** Refusal of a read about {@code subject} under a grant that shares another subject. */
    public static SentinelException notCovering(Grant grant, Object subject) {
        return SentinelException.denied(Justification.GRANT + " " + grant.grantId() + " does not share subject " + subject
                + ": a read under a grant is of the subject that grant shares");
    }

    static SentinelException notInForce(Caller caller, Justification why) {
        return SentinelException.denied(Justification.GRANT + " '" + why.grantId() + "' is not a sharing grant in force for agency "
                + caller.agencyId() + " that covers DATA_CATEGORY_ALERTS");
    }
}
