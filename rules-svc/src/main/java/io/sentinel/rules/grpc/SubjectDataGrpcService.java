package io.sentinel.rules.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.ExportSubjectResponse;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectResponse;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsResponse;
import io.sentinel.api.internal.v1.SubjectDataService;
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.sentinel.rules.service.SharingGrants;
import io.sentinel.rules.service.SubjectData;
import io.smallrye.mutiny.Uni;

/** rules-svc's part of the subject-data contract: grants, purges and exports from enrollment-svc. */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class SubjectDataGrpcService implements SubjectDataService {
    private final SharingGrants grants;
    private final SubjectData subjectData;

    public SubjectDataGrpcService(SharingGrants grants, SubjectData subjectData) {
        this.grants = grants;
        this.subjectData = subjectData;
    }

    @Override
    public Uni<PutSharingGrantsResponse> putSharingGrants(PutSharingGrantsRequest request) {
        return Uni.createFrom().deferred(() -> grants.put(request))
                .map(v -> PutSharingGrantsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    public Uni<PurgeSubjectResponse> purgeSubject(PurgeSubjectRequest request) {
        return Uni.createFrom().deferred(() -> subjectData.purge(request))
                .map(counts -> PurgeSubjectResponse.newBuilder().putAllCounts(counts).build());
    }

    @Override
    public Uni<ExportSubjectResponse> exportSubject(ExportSubjectRequest request) {
        return Uni.createFrom().deferred(() -> subjectData.export(request.getSubjectId()))
                .map(json -> ExportSubjectResponse.newBuilder().setJson(json).build());
    }
}
