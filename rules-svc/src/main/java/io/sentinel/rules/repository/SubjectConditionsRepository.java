package io.sentinel.rules.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Stored conditions per subject. */
@ApplicationScoped
public class SubjectConditionsRepository implements PanacheRepositoryBase<SubjectConditionsEntity, UUID> {
}
