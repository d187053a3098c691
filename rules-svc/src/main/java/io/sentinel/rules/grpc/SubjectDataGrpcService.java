package io.sentinel.rules.grpc;

import jakarta.annotation.security.RolesAllowed;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.ExportSubjectResponse;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectResponse;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsResponse;
import io.sentinel.api.internal.v1.SubjectDataService;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.export.ExportParts;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.sentinel.rules.service.SharingGrants;
import io.sentinel.rules.service.SubjectData;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * rules-svc's part of the subject-data contract: grants, purges and exports from enrollment-svc, each
 * recorded in the audit log as enrollment-svc's act (it acts for a person who stated the purpose
 * upstream, or on its retention schedule).
 */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class SubjectDataGrpcService implements SubjectDataService {
    private final SharingGrants grants;
    private final SubjectData subjectData;
    private final CurrentCaller caller;
    private final ObjectMapper json;

    public SubjectDataGrpcService(SharingGrants grants, SubjectData subjectData, CurrentCaller caller, ObjectMapper json) {
        this.json = json;
        this.caller = caller;
        this.grants = grants;
        this.subjectData = subjectData;
    }

    @Override
    public Uni<PutSharingGrantsResponse> putSharingGrants(PutSharingGrantsRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> grants.put(who, why, request))
                .map(v -> PutSharingGrantsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    public Uni<PurgeSubjectResponse> purgeSubject(PurgeSubjectRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> subjectData.purge(who, why, request))
                .map(counts -> PurgeSubjectResponse.newBuilder().putAllCounts(counts).build());
    }

    @Override
    public Multi<ExportSubjectResponse> exportSubject(ExportSubjectRequest request) {
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> subjectData.export(who, why, request.getSubjectId()))
                .onItem().transformToMulti(root -> Multi.createFrom().iterable(ExportParts.of(root, json)))
                .map(p -> ExportSubjectResponse.newBuilder().setKind(p.kind()).setSingle(p.single()).addAllRecords(p.records()).build());
    }
}
