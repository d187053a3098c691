package io.sentinel.biometric.grpc;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;

import io.quarkus.grpc.GrpcService;
import io.quarkus.security.Authenticated;
import io.sentinel.api.audit.v1.AuditService;
import io.sentinel.api.audit.v1.QueryAuditLogRequest;
import io.sentinel.api.audit.v1.QueryAuditLogResponse;
import io.sentinel.api.audit.v1.VerifyAuditLogRequest;
import io.sentinel.api.audit.v1.VerifyAuditLogResponse;
import io.sentinel.common.audit.AuditApi;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.CurrentCaller;
import io.smallrye.mutiny.Uni;

/** biometric-svc's audit log for auditors over gRPC: a thin edge over {@link AuditApi}, which checks the role and the agency. */
@GrpcService
@Authenticated
public class AuditGrpcService implements AuditService {
    private final AuditApi api;
    private final CurrentCaller caller;
    private final ObjectMapper json;

    public AuditGrpcService(AuditApi api, CurrentCaller caller, ObjectMapper json) {
        this.api = api;
        this.caller = caller;
        this.json = json;
    }

    @Override
    public Uni<QueryAuditLogResponse> queryAuditLog(QueryAuditLogRequest request) {
        Justification why = Justification.ofGrpcCall();
        return Uni.createFrom().deferred(() -> api.query(caller.get(), why, tree(request)))
                .map(m -> message(m, QueryAuditLogResponse.newBuilder()).build());
    }

    @Override
    public Uni<VerifyAuditLogResponse> verifyAuditLog(VerifyAuditLogRequest request) {
        return Uni.createFrom().deferred(() -> api.verify(caller.get())).map(m -> message(m, VerifyAuditLogResponse.newBuilder()).build());
    }

    private JsonNode tree(Message request) {
        try {
            return json.readTree(ProtoJson.print(request));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the JSON form of a proto message does not parse", e);
        }
    }

    private <B extends Message.Builder> B message(Map<String, Object> answer, B builder) {
        try {
            return ProtoJson.parse(json.writeValueAsString(answer), builder);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an audit answer does not serialise", e);
        }
    }
}
