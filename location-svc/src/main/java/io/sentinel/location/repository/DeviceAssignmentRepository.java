package io.sentinel.location.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Stored device assignments. */
@ApplicationScoped
public class DeviceAssignmentRepository implements PanacheRepositoryBase<DeviceAssignmentEntity, UUID> {
}
