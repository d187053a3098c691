package io.sentinel.rules.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Sharing grants. */
@ApplicationScoped
public class SharingGrantRepository implements PanacheRepositoryBase<SharingGrantEntity, UUID> {
}
