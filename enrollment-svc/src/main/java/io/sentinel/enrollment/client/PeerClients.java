package io.sentinel.enrollment.client;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

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
import io.sentinel.api.internal.v1.RecordReviewOverdueResponse;
import io.sentinel.api.internal.v1.PutSubjectConditionsResponse;
import io.sentinel.api.internal.v1.PutSharingGrantsResponse;
import io.sentinel.api.internal.v1.PutDeviceAssignmentResponse;
import io.sentinel.api.internal.v1.PutCheckInScheduleResponse;
import io.sentinel.api.internal.v1.PurgeSubjectResponse;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.common.grpc.ServiceTokenClientInterceptor;
import io.sentinel.common.security.ServiceTokens;
import io.sentinel.common.security.Services;
import io.smallrye.mutiny.Uni;

/**
 * The peers enrollment-svc keeps informed, through their internal contracts, each call carrying
 * enrollment-svc's service token for that peer. Each call carries the deadline configured for its
 * client; retries are the outbox's (io.sentinel.common.outbox, driven from the service layer, which
 * this package never calls back into), which makes them safe: every message is versioned and the
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
                Services.RULES, MutinySubjectDataServiceGrpc.newMutinyStub(toRules),
                Services.LOCATION, MutinySubjectDataServiceGrpc.newMutinyStub(toLocation),
                Services.BIOMETRIC, MutinySubjectDataServiceGrpc.newMutinyStub(toBiometric));
    }

    /**
     * Each call has its own deadline here: Quarkus's per-client deadline setting fixes one instant
     * when the stub is made, so every call after it would fail.
     */
    static final java.time.Duration DEADLINE = java.time.Duration.ofSeconds(10);

    public Uni<PutSubjectConditionsResponse> putSubjectConditions(PutSubjectConditionsRequest r) {
        return deadline(Services.RULES, rules.putSubjectConditions(r));
    }

    public Uni<RecordReviewOverdueResponse> recordReviewOverdue(RecordReviewOverdueRequest r) {
        return deadline(Services.RULES, rules.recordReviewOverdue(r));
    }

    public Uni<PutDeviceAssignmentResponse> putDeviceAssignment(PutDeviceAssignmentRequest r) {
        return deadline(Services.LOCATION, location.putDeviceAssignment(r));
    }

    public Uni<PutCheckInScheduleResponse> putCheckInSchedule(PutCheckInScheduleRequest r) {
        return deadline(Services.BIOMETRIC, biometric.putCheckInSchedule(r));
    }

    /** The same subject-data contract at each of the three peers. */
    public Uni<PutSharingGrantsResponse> putSharingGrants(String target, PutSharingGrantsRequest r) {
        return deadline(target, subjectData(target).putSharingGrants(r));
    }

    /** Answers the per-category counts the peer reports for the subject. */
    public Uni<PurgeSubjectResponse> purgeSubject(String target, PurgeSubjectRequest r) {
        return deadline(target, subjectData(target).purgeSubject(r));
    }

    private static <T> Uni<T> deadline(String target, Uni<T> call) {
        return call.ifNoItem().after(DEADLINE).failWith(() -> new io.grpc.StatusRuntimeException(io.grpc.Status.DEADLINE_EXCEEDED
                .withDescription(target + " did not answer within " + DEADLINE.toSeconds() + " s")));
    }

    private MutinySubjectDataServiceStub subjectData(String target) {
        MutinySubjectDataServiceStub peer = subjectData.get(target);
        if (peer == null) {
            throw new IllegalArgumentException("unknown peer " + target);
        }
        return peer;
    }
}
