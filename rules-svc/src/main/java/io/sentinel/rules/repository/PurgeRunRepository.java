package io.sentinel.rules.repository;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Applied purge runs. */
@ApplicationScoped
public class PurgeRunRepository implements PanacheRepositoryBase<PurgeRunEntity, PurgeRunEntity.Key> {
}
