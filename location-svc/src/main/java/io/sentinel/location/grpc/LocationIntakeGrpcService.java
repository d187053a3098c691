package io.sentinel.location.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.LocationIntakeService;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.internal.v1.PutDeviceAssignmentResponse;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.sentinel.location.service.AssignmentService;
import io.smallrye.mutiny.Uni;

/** location-svc's internal intake: device assignments from enrollment-svc. */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class LocationIntakeGrpcService implements LocationIntakeService {
    private final AssignmentService assignments;
    private final CurrentCaller caller;

    public LocationIntakeGrpcService(AssignmentService assignments, CurrentCaller caller) {
        this.assignments = assignments;
        this.caller = caller;
    }

    @Override
    public Uni<PutDeviceAssignmentResponse> putDeviceAssignment(PutDeviceAssignmentRequest request) {
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> assignments.put(who, request))
                .map(v -> PutDeviceAssignmentResponse.newBuilder().setVersion(v).build());
    }
}
