package io.sentinel.rules.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Persisted monitor states. */
@ApplicationScoped
public class MonitorStateRepository implements PanacheRepositoryBase<MonitorStateEntity, UUID> {
}
