package io.sentinel.enrollment.repository;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;

/** Panache repositories of enrollment-svc, and the few native statements they need. */
public final class Repositories {
    private Repositories() {
    }

    @ApplicationScoped
    public static class Agencies implements PanacheRepositoryBase<AgencyEntity, String> {
        public Uni<List<AgencyEntity>> page(String after, int size) {
            return after == null ? find("order by agencyId").page(0, size).list()
                    : find("agencyId > ?1 order by agencyId", after).page(0, size).list();
        }
    }

    @ApplicationScoped
    public static class Subjects implements PanacheRepositoryBase<SubjectEntity, UUID> {
        public Uni<List<SubjectEntity>> page(String agency, UUID after, int size) {
            return after == null ? find("owningAgencyId = ?1 order by subjectId", agency).page(0, size).list()
                    : find("owningAgencyId = ?1 and subjectId > ?2 order by subjectId", agency, after).page(0, size).list();
        }
    }

    @ApplicationScoped
    public static class Orders implements PanacheRepositoryBase<OrderEntity, UUID> {
        public Uni<List<OrderEntity>> page(UUID subject, UUID after, int size) {
            return after == null ? find("subjectId = ?1 order by orderId", subject).page(0, size).list()
                    : find("subjectId = ?1 and orderId > ?2 order by orderId", subject, after).page(0, size).list();
        }

        /** Active orders of an agency whose review date has passed, oldest due first. */
        public Uni<List<OrderEntity>> overdue(String agency, Instant now, String afterKey, int size) {
            String base = "owningAgencyId = ?1 and state = 'ORDER_STATE_ACTIVE' and reviewDueAt < ?2";
            if (afterKey == null) {
                return find(base + " order by reviewDueAt, orderId", agency, now).page(0, size).list();
            }
            int bar = afterKey.indexOf('|');
            Instant due = Instant.parse(afterKey.substring(0, bar));
            UUID id = UUID.fromString(afterKey.substring(bar + 1));
            return find(base + " and (reviewDueAt > ?3 or (reviewDueAt = ?3 and orderId > ?4)) order by reviewDueAt, orderId", agency, now, due, id)
                    .page(0, size).list();
        }

        public Uni<OrderEntity> activeFor(UUID subject) {
            return find("subjectId = :s and state = 'ORDER_STATE_ACTIVE' order by startsAt desc", Parameters.with("s", subject)).firstResult();
        }

        /** {@link #activeFor}, its row locked for update (the expiry job skips it meanwhile). */
        public Uni<OrderEntity> activeForUpdate(UUID subject) {
            return find("subjectId = :s and state = 'ORDER_STATE_ACTIVE'", Parameters.with("s", subject))
                    .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
        }
    }

    @ApplicationScoped
    public static class Devices implements PanacheRepositoryBase<DeviceEntity, UUID> {
        public Uni<List<DeviceEntity>> page(String agency, UUID after, int size) {
            return after == null ? find("owningAgencyId = ?1 order by deviceId", agency).page(0, size).list()
                    : find("owningAgencyId = ?1 and deviceId > ?2 order by deviceId", agency, after).page(0, size).list();
        }

        public Uni<DeviceEntity> assignedTo(UUID subject) {
            return find("assignedSubjectId", subject).firstResult();
        }

        public Uni<DeviceEntity> bySerial(String agency, String serial) {
            return find("owningAgencyId = ?1 and serial = ?2", agency, serial).firstResult();
        }
    }

    @ApplicationScoped
    public static class Grants implements PanacheRepositoryBase<GrantEntity, UUID> {
        /** Grants not revoked and not lapsed at {@code now}, oldest first. */
        public Uni<List<GrantEntity>> inForce(UUID subject, Instant now) {
            return find("subjectId = ?1 and revokedAt is null and validUntil > ?2 order by createdAt, grantId", subject, now).list();
        }

        /** A page of the grants in force, by grant id (time-ordered). */
        public Uni<List<GrantEntity>> inForcePage(UUID subject, Instant now, UUID after, int size) {
            return after == null ? find("subjectId = ?1 and revokedAt is null and validUntil > ?2 order by grantId", subject, now).page(0, size).list()
                    : find("subjectId = ?1 and revokedAt is null and validUntil > ?2 and grantId > ?3 order by grantId", subject, now, after)
                            .page(0, size).list();
        }

        public Uni<List<GrantEntity>> inForceFor(UUID subject, String agency, Instant now) {
            return find("subjectId = ?1 and agencyId = ?2 and revokedAt is null and validUntil > ?3", subject, agency, now).list();
        }
    }

    /** Idempotency keys and the outbox, through native SQL in the caller's transaction. */
    @ApplicationScoped
    public static class Ledger {
        /**
         * Claims an idempotency key for the current transaction: null when this call claimed it (it
         * must then create and {@link #remember} the result), else the resource the call that holds it
         * made. A claim by a transaction still running makes this one wait for it (the primary key's
         * insert lock): once it commits, its result is returned; if it rolls back, this call claims.
         */
        public Uni<String> claim(String agency, String operation, String key) {
            return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                    insert into idempotency_key (agency_id, operation, key, resource_id, created_at) values (?1, ?2, ?3, '', ?4)
                    on conflict (agency_id, operation, key) do nothing""")
                    .setParameter(1, agency).setParameter(2, operation).setParameter(3, key).setParameter(4, Instant.now())
                    .executeUpdate()
                    .flatMap(claimed -> claimed == 1 ? Uni.createFrom().<String>nullItem() : s.createNativeQuery(
                            "select resource_id from idempotency_key where agency_id = ?1 and operation = ?2 and key = ?3", String.class)
                            .setParameter(1, agency).setParameter(2, operation).setParameter(3, key).getSingleResult()));
        }

        /** Records what the call that {@link #claim claimed} the key made, in the same transaction. */
        public Uni<Void> remember(String agency, String operation, String key, String resourceId) {
            return Panache.getSession().flatMap(s -> s.createNativeQuery(
                    "update idempotency_key set resource_id = ?4 where agency_id = ?1 and operation = ?2 and key = ?3")
                    .setParameter(1, agency).setParameter(2, operation).setParameter(3, key).setParameter(4, resourceId)
                    .executeUpdate()).replaceWithVoid();
        }

        /**
         * How a subject of {@code agency} was purged ("purge-id at time"), or null when it was not (or
         * belonged to another agency, which must not learn of it).
         */
        public Uni<String> purgedBy(String agency, UUID subject) {
            return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                    select cast(purge_id as text) || ' at ' || to_char(purged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    from purged_subject where subject_id = ?1 and owning_agency_id = ?2""", String.class)
                    .setParameter(1, subject).setParameter(2, agency).getResultList()).map(l -> l.isEmpty() ? null : l.get(0));
        }

        /**
         * Writes a message for a peer into the common outbox (io.sentinel.common.outbox) in the session's
         * transaction; messages of one target and ordering key are delivered in order. Answers the row's id.
         */
        public Uni<Long> enqueue(String target, String kind, String orderingKey, UUID subjectId, byte[] payload) {
            return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                    insert into outbox_message (target, kind, ordering_key, subject_id, payload) values (?1, ?2, ?3, ?4, ?5)
                    returning id""", Long.class)
                    .setParameter(1, target).setParameter(2, kind).setParameter(3, orderingKey).setParameter(4, subjectId)
                    .setParameter(5, payload).getSingleResult());
        }

        /** Monotonic versions for what peers hold (conditions, schedules, assignments). */
        public Uni<Long> nextVersion() {
            return Panache.getSession().flatMap(s -> s.createNativeQuery("select nextval('change_version')", Long.class)
                    .getSingleResult());
        }
    }
}
