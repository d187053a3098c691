package io.sentinel.rules.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Versions of sharing grants per subject. */
@ApplicationScoped
public class SharingGrantsRepository implements PanacheRepositoryBase<SharingGrantsEntity, UUID> {
}
