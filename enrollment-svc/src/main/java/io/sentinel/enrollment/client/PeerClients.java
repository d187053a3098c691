package io.sentinel.enrollment.client;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.sentinel.api.internal.v1.MutinyBiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.MutinyBiometricIntakeServiceGrpc.MutinyBiometricIntakeServiceStub;
import io.sentinel.api.internal.v1.MutinyLocationIntakeServiceGrpc;
import io.sentinel.api.internal.v1.MutinyLocationIntakeServiceGrpc.MutinyLocationIntakeServiceStub;
import io.sentinel.api.internal.v1.MutinyRulesIntakeServiceGrpc;
import io.sentinel.api.internal.v1.MutinyRulesIntakeServiceGrpc.MutinyRulesIntakeServiceStub;
import io.sentinel.api.internal.v1.MutinySubjectDataServiceGrpc;
import io.sentinel.api.internal.v1.MutinySubjectDataServiceGrpc.MutinySubjectDataServiceStub;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.common.grpc.ServiceTokenClientInterceptor;
import io.sentinel.common.security.ServiceTokens;
import io.sentinel.common.security.Services;
import io.sentinel.enrollment.service.OutboxDispatcher;
import io.smallrye.mutiny.Uni;

/**
 * The peers enrollment-svc keeps informed, through their internal contracts, each call carrying
 * enrollment-svc's service token for that peer. Each call carries the deadline configured for its
 * client; retries are the outbox's, which makes them safe: every message is versioned and the
 * peers ignore versions they already hold.
 */
@ApplicationScoped
public class PeerClients {
    private final MutinyRulesIntakeServiceStub rules;
    private final MutinyLocationIntakeServiceStub location;
    private final MutinyBiometricIntakeServiceStub biometric;
    private final Map<String, MutinySubjectDataServiceStub> subjectData;

    public PeerClients(@GrpcClient("rules") Channel rules, @GrpcClient("location") Channel location,
            @GrpcClient("biometric") Channel biometric, ServiceTokens tokens) {
        Channel toRules = ServiceTokenClientInterceptor.toPeer(rules, tokens, Services.RULES);
        Channel toLocation = ServiceTokenClientInterceptor.toPeer(location, tokens, Services.LOCATION);
        Channel toBiometric = ServiceTokenClientInterceptor.toPeer(biometric, tokens, Services.BIOMETRIC);
        this.rules = MutinyRulesIntakeServiceGrpc.newMutinyStub(toRules);
        this.location = MutinyLocationIntakeServiceGrpc.newMutinyStub(toLocation);
        this.biometric = MutinyBiometricIntakeServiceGrpc.newMutinyStub(toBiometric);
        this.subjectData = Map.of(
                OutboxDispatcher.RULES, MutinySubjectDataServiceGrpc.newMutinyStub(toRules),
                OutboxDispatcher.LOCATION, MutinySubjectDataServiceGrpc.newMutinyStub(toLocation),
                OutboxDispatcher.BIOMETRIC, MutinySubjectDataServiceGrpc.newMutinyStub(toBiometric));
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
            return switch (kind) {
                case OutboxDispatcher.PUT_CONDITIONS -> OutboxDispatcher.RULES.equals(target)
                        ? rules.putSubjectConditions(PutSubjectConditionsRequest.parseFrom(payload)).replaceWith(Map.of())
                        : noRoute(target, kind);
                case OutboxDispatcher.REVIEW_OVERDUE -> OutboxDispatcher.RULES.equals(target)
                        ? rules.recordReviewOverdue(RecordReviewOverdueRequest.parseFrom(payload)).replaceWith(Map.of())
                        : noRoute(target, kind);
                case OutboxDispatcher.PUT_ASSIGNMENT -> OutboxDispatcher.LOCATION.equals(target)
                        ? location.putDeviceAssignment(PutDeviceAssignmentRequest.parseFrom(payload)).replaceWith(Map.of())
                        : noRoute(target, kind);
                case OutboxDispatcher.PUT_SCHEDULE -> OutboxDispatcher.BIOMETRIC.equals(target)
                        ? biometric.putCheckInSchedule(PutCheckInScheduleRequest.parseFrom(payload)).replaceWith(Map.of())
                        : noRoute(target, kind);
                case OutboxDispatcher.PUT_GRANTS -> subjectData(target) == null ? noRoute(target, kind)
                        : subjectData(target).putSharingGrants(PutSharingGrantsRequest.parseFrom(payload)).replaceWith(Map.of());
                case OutboxDispatcher.PURGE_SUBJECT -> subjectData(target) == null ? noRoute(target, kind)
                        : subjectData(target).purgeSubject(PurgeSubjectRequest.parseFrom(payload)).map(r -> Map.copyOf(r.getCountsMap()));
                default -> noRoute(target, kind);
            };
        } catch (InvalidProtocolBufferException e) {
            return Uni.createFrom().failure(e);
        }
    }

    private MutinySubjectDataServiceStub subjectData(String target) {
        return subjectData.get(target);
    }

    private static <T> Uni<T> noRoute(String target, String kind) {
        return Uni.createFrom().failure(new IllegalStateException("no route for outbox message " + target + "/" + kind));
    }
}
