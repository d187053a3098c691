package io.sentinel.enrollment.service;

import java.util.UUID;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.enrollment.repository.Repositories;
import io.sentinel.enrollment.repository.SubjectEntity;
import io.smallrye.mutiny.Uni;

/** The subject a change is about, if the caller's agency owns it. */
final class OwnedSubjects {
    private OwnedSubjects() {
    }

    /**
     * The subject, for a change (an order, an assignment, a grant). One the retention purge removed is
     * FAILED_PRECONDITION naming {@code field}, reason SUBJECT_PURGED: its tombstone means its id
     * takes nothing new. Any other unknown id, or another agency's subject (purged or not), is
     * NOT_FOUND, so ids cannot be probed.
     */
    static Uni<SubjectEntity> forChange(Repositories.Subjects subjects, Repositories.Ledger ledger, Caller caller, UUID id, String field) {
        return subjects.findById(id).flatMap(e -> {
            if (e != null && e.owningAgencyId.equals(caller.agencyId())) {
                return Uni.createFrom().item(e);
            }
            if (e != null) {
                throw SentinelException.notFound("subject", id.toString());
            }
            return ledger.purgedBy(caller.agencyId(), id).map(purge -> {
                if (purge != null) {
                    throw SentinelException.purged(field, id.toString(), purge);
                }
                throw SentinelException.notFound("subject", id.toString());
            });
        });
    }
}
