package io.sentinel.rules.repository;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Evaluation progress per fix source. */
@ApplicationScoped
public class FixProgressRepository implements PanacheRepositoryBase<FixProgressEntity, String> {
}
