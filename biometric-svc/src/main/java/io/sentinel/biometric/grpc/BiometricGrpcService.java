package io.sentinel.biometric.grpc;

import java.util.function.Supplier;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.biometric.v1.BiometricService;
import io.sentinel.api.biometric.v1.EnrolReferenceRequest;
import io.sentinel.api.biometric.v1.EnrolReferenceResponse;
import io.sentinel.api.biometric.v1.GetCheckInRequest;
import io.sentinel.api.biometric.v1.GetCheckInResponse;
import io.sentinel.api.biometric.v1.ListReviewQueueRequest;
import io.sentinel.api.biometric.v1.ListReviewQueueResponse;
import io.sentinel.api.biometric.v1.PutCheckInScheduleRequest;
import io.sentinel.api.biometric.v1.PutCheckInScheduleResponse;
import io.sentinel.api.biometric.v1.RecordReviewDecisionRequest;
import io.sentinel.api.biometric.v1.RecordReviewDecisionResponse;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.biometric.v1.SubmitCheckInResponse;
import io.sentinel.biometric.service.CheckInService;
import io.sentinel.common.error.PageToken;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Uni;

/** The gRPC edge of biometric-svc, for devices and agencies. */
@GrpcService
public class BiometricGrpcService implements BiometricService {
    private final CheckInService service;
    private final CurrentCaller caller;

    public BiometricGrpcService(CheckInService service, CurrentCaller caller) {
        this.service = service;
        this.caller = caller;
    }

    private static <T> Uni<T> call(Supplier<Uni<? extends T>> s) {
        return Uni.createFrom().deferred(s);
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<PutCheckInScheduleResponse> putCheckInSchedule(PutCheckInScheduleRequest r) {
        return call(() -> service.putSchedule(r)).map(v -> PutCheckInScheduleResponse.newBuilder().setVersion(v).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<EnrolReferenceResponse> enrolReference(EnrolReferenceRequest r) {
        var who = caller.get();
        return call(() -> service.enrolReference(who, r.getSubjectId(), r.getImage().toByteArray(), r.getContentType()))
                .map(ref -> EnrolReferenceResponse.newBuilder().setReferenceId(ref.referenceId.toString())
                        .setModelId(ref.modelId == null ? "" : ref.modelId).build());
    }

    @Override
    @RolesAllowed({ Roles.DEVICE_GATEWAY, Roles.CASEWORKER })
    public Uni<SubmitCheckInResponse> submitCheckIn(SubmitCheckInRequest r) {
        var who = caller.get();
        return call(() -> service.submit(who, r.getSubjectId(), r.getCapturedAt(), r.getImage().toByteArray(), r.getContentType()))
                .map(c -> SubmitCheckInResponse.newBuilder().setCheckIn(c).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.REVIEWER })
    public Uni<GetCheckInResponse> getCheckIn(GetCheckInRequest r) {
        var who = caller.get();
        return call(() -> service.get(who, r.getCheckInId())).map(c -> GetCheckInResponse.newBuilder().setCheckIn(c).build());
    }

    @Override
    @RolesAllowed(Roles.REVIEWER)
    public Uni<ListReviewQueueResponse> listReviewQueue(ListReviewQueueRequest r) {
        var who = caller.get();
        return call(() -> service.reviewQueue(who, r.getPageSize(), r.getPageToken())).map(l -> {
            ListReviewQueueResponse.Builder b = ListReviewQueueResponse.newBuilder().addAllCheckIns(l);
            int size = r.getPageSize() == 0 ? 50 : r.getPageSize();
            if (l.size() == size) {
                b.setNextPageToken(PageToken.encode(l.get(l.size() - 1).getCheckInId()));
            }
            return b.build();
        });
    }

    @Override
    @RolesAllowed(Roles.REVIEWER)
    public Uni<RecordReviewDecisionResponse> recordReviewDecision(RecordReviewDecisionRequest r) {
        var who = caller.get();
        return call(() -> service.decide(who, r.getCheckInId(), r.getIsMatch(), r.getReason()))
                .map(c -> RecordReviewDecisionResponse.newBuilder().setCheckIn(c).build());
    }
}
