package io.sentinel.location.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.LocationIntakeService;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.internal.v1.PutDeviceAssignmentResponse;
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

    public LocationIntakeGrpcService(AssignmentService assignments) {
        this.assignments = assignments;
    }

    @Override
    public Uni<PutDeviceAssignmentResponse> putDeviceAssignment(PutDeviceAssignmentRequest request) {
        return Uni.createFrom().deferred(() -> assignments.put(request))
                .map(v -> PutDeviceAssignmentResponse.newBuilder().setVersion(v).build());
    }
}
