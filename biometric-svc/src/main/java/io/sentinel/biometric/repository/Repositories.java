package io.sentinel.biometric.repository;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Panache repositories of biometric-svc. */
public final class Repositories {
    private Repositories() {
    }

    @ApplicationScoped
    public static class Schedules implements PanacheRepositoryBase<ScheduleEntity, UUID> {
    }

    @ApplicationScoped
    public static class References implements PanacheRepositoryBase<ReferenceEntity, UUID> {
    }

    @ApplicationScoped
    public static class CheckInEvents implements PanacheRepositoryBase<CheckInEventEntity, Long> {
    }

    @ApplicationScoped
    public static class CheckIns implements PanacheRepositoryBase<CheckInEntity, UUID> {
        /** The review queue of one agency, oldest first. */
        public io.smallrye.mutiny.Uni<List<CheckInEntity>> pending(String agency, UUID after, int size) {
            return after == null
                    ? find("owningAgencyId = ?1 and reviewState = 'REVIEW_STATE_PENDING' order by checkInId", agency).page(0, size).list()
                    : find("owningAgencyId = ?1 and reviewState = 'REVIEW_STATE_PENDING' and checkInId > ?2 order by checkInId", agency, after)
                            .page(0, size).list();
        }
    }
}
