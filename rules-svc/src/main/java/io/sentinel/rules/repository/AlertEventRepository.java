package io.sentinel.rules.repository;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

/** Alert feed events, by event id; the feed itself is read by cursor in {@code AlertFeed}. */
@ApplicationScoped
public class AlertEventRepository implements PanacheRepositoryBase<AlertEventEntity, Long> {
}
