package io.sentinel.biometric.grpc;

import jakarta.annotation.security.RolesAllowed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.ExportSubjectResponse;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectResponse;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsResponse;
import io.sentinel.api.internal.v1.SubjectDataService;
import io.sentinel.biometric.service.SubjectRecords;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.export.ExportParts;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.InternalRpc;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * biometric-svc's part of the subject-data contract: grants, purges and exports from enrollment-svc,
 * each recorded in the audit log as that service's act (the person who asked stated the purpose
 * upstream; a scheduled purge has none), in the transaction of the change or export.
 */
@GrpcService
@InternalRpc
@RolesAllowed(Roles.SERVICE)
public class SubjectDataGrpcService implements SubjectDataService {
    private final SubjectRecords subjectData;
    private final CurrentCaller caller;
    private final ObjectMapper json;

    public SubjectDataGrpcService(SubjectRecords subjectData, CurrentCaller caller, ObjectMapper json) {
        this.json = json;
        this.subjectData = subjectData;
        this.caller = caller;
    }

    @Override
    public Uni<PutSharingGrantsResponse> putSharingGrants(PutSharingGrantsRequest request) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return Uni.createFrom().deferred(() -> subjectData.putGrants(who, why, request))
                .map(v -> PutSharingGrantsResponse.newBuilder().setVersion(v).build());
    }

    @Override
    public Uni<PurgeSubjectResponse> purgeSubject(PurgeSubjectRequest request) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return Uni.createFrom().deferred(() -> subjectData.purge(who, why, request))
                .map(counts -> PurgeSubjectResponse.newBuilder().putAllCounts(counts).build());
    }

    @Override
    public Multi<ExportSubjectResponse> exportSubject(ExportSubjectRequest request) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        // What is held here is small (schedule, check-ins, prompts): assembled, then sent in bounded parts.
        return Uni.createFrom().deferred(() -> subjectData.export(who, why, request.getSubjectId()))
                .onItem().transformToMulti(text -> Multi.createFrom().iterable(ExportParts.of(object(text), json)))
                .map(p -> ExportSubjectResponse.newBuilder().setKind(p.kind()).setSingle(p.single()).addAllRecords(p.records()).build());
    }

    private ObjectNode object(String text) {
        try {
            return (ObjectNode) json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
