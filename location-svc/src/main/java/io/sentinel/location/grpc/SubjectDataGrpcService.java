package io.sentinel.location.grpc;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.ExportSubjectResponse;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectResponse;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsResponse;
import io.sentinel.api.internal.v1.SubjectDataService;
import io.sentinel.common.grpc.FlowControl;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.sentinel.location.service.SharingService;
import io.sentinel.location.service.SubjectRecords;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * location-svc's part of the subject-data contract: grants, purges and exports from enrollment-svc,
 * each recorded in the audit log with the calling service as actor.
 */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class SubjectDataGrpcService implements SubjectDataService {
    private final SharingService sharing;
    private final SubjectRecords subjectData;
    private final CurrentCaller caller;

    public SubjectDataGrpcService(SharingService sharing, SubjectRecords subjectData, CurrentCaller caller) {
        this.sharing = sharing;
        this.subjectData = subjectData;
        this.caller = caller;
    }

    @Override
    public Uni<PutSharingGrantsResponse> putSharingGrants(PutSharingGrantsRequest request) {
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> sharing.put(who, request))
                .map(v -> PutSharingGrantsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    public Uni<PurgeSubjectResponse> purgeSubject(PurgeSubjectRequest request) {
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> subjectData.purge(who, request))
                .map(counts -> PurgeSubjectResponse.newBuilder().putAllCounts(counts).build());
    }

    @Override
    public Multi<ExportSubjectResponse> exportSubject(ExportSubjectRequest request) {
        Caller who = caller.get();
        // Paced by enrollment-svc's reading: the trail's pages are read as it takes them.
        return FlowControl.paced(Multi.createFrom().deferred(() -> subjectData.export(who, request.getSubjectId()))
                .map(p -> ExportSubjectResponse.newBuilder().setKind(p.kind()).setSingle(p.single()).addAllRecords(p.records()).build()));
    }
}
