package io.sentinel.common.outbox;

import java.util.UUID;

/**
 * One message claimed from the outbox for delivery. {@code orderingKey} with {@code target} names the
 * sequence it belongs to (rows of one sequence are delivered one at a time, in id order);
 * {@code subjectId} lets a purge delete the payloads about a subject; {@code correlationId} ties rows
 * to a run (a purge's id).
 */
public record OutboxMessage(long id, String target, String kind, String orderingKey, UUID subjectId, UUID correlationId,
        byte[] payload, int attempts) {
}
