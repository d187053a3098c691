package io.sentinel.biometric.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.BiometricIntakeService;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.PutCheckInScheduleResponse;
import io.sentinel.biometric.service.CheckInService;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Uni;

/**
 * biometric-svc's internal intake: check-in schedules from enrollment-svc, recorded in the audit log
 * as that service's change (it acts on a caseworker's order upstream, so it states no purpose of its own).
 */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class BiometricIntakeGrpcService implements BiometricIntakeService {
    private final CheckInService checkIns;
    private final CurrentCaller caller;

    public BiometricIntakeGrpcService(CheckInService checkIns, CurrentCaller caller) {
        this.checkIns = checkIns;
        this.caller = caller;
    }

    @Override
    public Uni<PutCheckInScheduleResponse> putCheckInSchedule(PutCheckInScheduleRequest request) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return Uni.createFrom().deferred(() -> checkIns.putSchedule(who, why, request))
                .map(v -> PutCheckInScheduleResponse.newBuilder().setVersion(v).build());
    }
}
