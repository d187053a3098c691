package io.sentinel.enrollment.client;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.quarkus.grpc.GrpcClient;
import io.sentinel.api.biometric.v1.BiometricService;
import io.sentinel.api.biometric.v1.PutCheckInScheduleRequest;
import io.sentinel.api.location.v1.LocationService;
import io.sentinel.api.location.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.rules.v1.PutSubjectConditionsRequest;
import io.sentinel.api.rules.v1.RecordReviewOverdueRequest;
import io.sentinel.api.rules.v1.RulesService;
import io.sentinel.enrollment.service.OutboxDispatcher;
import io.smallrye.mutiny.Uni;

/**
 * The peers enrollment-svc keeps informed. Each call carries the deadline configured for its
 * client; retries are the outbox's, which makes them safe: every message is versioned and the
 * peers ignore versions they already hold.
 */
@ApplicationScoped
public class PeerClients {
    private final RulesService rules;
    private final LocationService location;
    private final BiometricService biometric;

    public PeerClients(@GrpcClient("rules") RulesService rules, @GrpcClient("location") LocationService location,
            @GrpcClient("biometric") BiometricService biometric) {
        this.rules = rules;
        this.location = location;
        this.biometric = biometric;
    }

    /**
     * Each call has its own deadline here: Quarkus's per-client deadline setting fixes one instant
     * when the stub is made, so every call after it would fail.
     */
    static final java.time.Duration DEADLINE = java.time.Duration.ofSeconds(10);

    /** Delivers one outbox message; answers the per-category counts a peer reports for a purge, else an empty map. */
    public Uni<Map<String, Long>> deliver(String target, String kind, byte[] payload) {
        return call(target, kind, payload).ifNoItem().after(DEADLINE)
                .failWith(() -> new io.grpc.StatusRuntimeException(io.grpc.Status.DEADLINE_EXCEEDED
                        .withDescription(target + " did not answer within " + DEADLINE.toSeconds() + " s")));
    }

    private Uni<Map<String, Long>> call(String target, String kind, byte[] payload) {
        try {
            return switch (target + "/" + kind) {
                case OutboxDispatcher.RULES + "/" + OutboxDispatcher.PUT_CONDITIONS ->
                    rules.putSubjectConditions(PutSubjectConditionsRequest.parseFrom(payload)).replaceWith(Map.of());
                case OutboxDispatcher.LOCATION + "/" + OutboxDispatcher.PUT_ASSIGNMENT ->
                    location.putDeviceAssignment(PutDeviceAssignmentRequest.parseFrom(payload)).replaceWith(Map.of());
                case OutboxDispatcher.BIOMETRIC + "/" + OutboxDispatcher.PUT_SCHEDULE ->
                    biometric.putCheckInSchedule(PutCheckInScheduleRequest.parseFrom(payload)).replaceWith(Map.of());
                case OutboxDispatcher.RULES + "/" + OutboxDispatcher.PUT_GRANTS ->
                    rules.putSharingGrants(io.sentinel.api.rules.v1.PutSharingGrantsRequest.parseFrom(payload)).replaceWith(Map.of());
                case OutboxDispatcher.LOCATION + "/" + OutboxDispatcher.PUT_GRANTS ->
                    location.putSharingGrants(io.sentinel.api.location.v1.PutSharingGrantsRequest.parseFrom(payload)).replaceWith(Map.of());
                case OutboxDispatcher.BIOMETRIC + "/" + OutboxDispatcher.PUT_GRANTS ->
                    biometric.putSharingGrants(io.sentinel.api.biometric.v1.PutSharingGrantsRequest.parseFrom(payload)).replaceWith(Map.of());
                case OutboxDispatcher.RULES + "/" + OutboxDispatcher.REVIEW_OVERDUE ->
                    rules.recordReviewOverdue(RecordReviewOverdueRequest.parseFrom(payload)).replaceWith(Map.of());
                case OutboxDispatcher.RULES + "/" + OutboxDispatcher.PURGE_SUBJECT ->
                    rules.purgeSubject(io.sentinel.api.rules.v1.PurgeSubjectRequest.parseFrom(payload)).map(r -> Map.copyOf(r.getCountsMap()));
                case OutboxDispatcher.LOCATION + "/" + OutboxDispatcher.PURGE_SUBJECT ->
                    location.purgeSubject(io.sentinel.api.location.v1.PurgeSubjectRequest.parseFrom(payload)).map(r -> Map.copyOf(r.getCountsMap()));
                case OutboxDispatcher.BIOMETRIC + "/" + OutboxDispatcher.PURGE_SUBJECT ->
                    biometric.purgeSubject(io.sentinel.api.biometric.v1.PurgeSubjectRequest.parseFrom(payload)).map(r -> Map.copyOf(r.getCountsMap()));
                default -> Uni.createFrom().failure(new IllegalStateException("no route for outbox message " + target + "/" + kind));
            };
        } catch (InvalidProtocolBufferException e) {
            return Uni.createFrom().failure(e);
        }
    }

    /** One peer's export of everything it holds about a subject, as the JSON it returned. */
    public Uni<String> export(String target, String subjectId) {
        return switch (target) {
            case OutboxDispatcher.RULES -> rules.exportSubject(io.sentinel.api.rules.v1.ExportSubjectRequest.newBuilder().setSubjectId(subjectId).build())
                    .map(r -> r.getJson());
            case OutboxDispatcher.LOCATION -> location.exportSubject(io.sentinel.api.location.v1.ExportSubjectRequest.newBuilder()
                    .setSubjectId(subjectId).build()).map(r -> r.getJson());
            case OutboxDispatcher.BIOMETRIC -> biometric.exportSubject(io.sentinel.api.biometric.v1.ExportSubjectRequest.newBuilder()
                    .setSubjectId(subjectId).build()).map(r -> r.getJson());
            default -> Uni.createFrom().failure(new IllegalArgumentException("unknown peer " + target));
        };
    }
}
