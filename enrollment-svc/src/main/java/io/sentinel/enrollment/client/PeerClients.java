package io.sentinel.enrollment.client;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.quarkus.grpc.GrpcClient;
import io.sentinel.api.biometric.v1.BiometricService;
import io.sentinel.api.biometric.v1.PutCheckInScheduleRequest;
import io.sentinel.api.location.v1.LocationService;
import io.sentinel.api.location.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.rules.v1.PutSubjectConditionsRequest;
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

    public Uni<Void> deliver(String target, String kind, byte[] payload) {
        try {
            return switch (target + "/" + kind) {
                case OutboxDispatcher.RULES + "/" + OutboxDispatcher.PUT_CONDITIONS ->
                    rules.putSubjectConditions(PutSubjectConditionsRequest.parseFrom(payload)).replaceWithVoid();
                case OutboxDispatcher.LOCATION + "/" + OutboxDispatcher.PUT_ASSIGNMENT ->
                    location.putDeviceAssignment(PutDeviceAssignmentRequest.parseFrom(payload)).replaceWithVoid();
                case OutboxDispatcher.BIOMETRIC + "/" + OutboxDispatcher.PUT_SCHEDULE ->
                    biometric.putCheckInSchedule(PutCheckInScheduleRequest.parseFrom(payload)).replaceWithVoid();
                default -> Uni.createFrom().failure(new IllegalStateException("no route for outbox message " + target + "/" + kind));
            };
        } catch (InvalidProtocolBufferException e) {
            return Uni.createFrom().failure(e);
        }
    }
}
