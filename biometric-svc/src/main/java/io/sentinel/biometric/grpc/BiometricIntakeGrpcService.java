package io.sentinel.biometric.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.BiometricIntakeService;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutCheckInScheduleResponse;
import io.sentinel.biometric.service.CheckInService;
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Uni;

/** biometric-svc's internal intake: check-in schedules from enrollment-svc. */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class BiometricIntakeGrpcService implements BiometricIntakeService {
    private final CheckInService checkIns;

    public BiometricIntakeGrpcService(CheckInService checkIns) {
        this.checkIns = checkIns;
    }

    @Override
    public Uni<PutCheckInScheduleResponse> putCheckInSchedule(PutCheckInScheduleRequest request) {
        return Uni.createFrom().deferred(() -> checkIns.putSchedule(request))
                .map(v -> PutCheckInScheduleResponse.newBuilder().setVersion(v).build());
    }
}
