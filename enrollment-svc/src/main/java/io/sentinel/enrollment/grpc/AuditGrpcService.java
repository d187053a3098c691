package io.sentinel.enrollment.grpc;

import java.util.Map;
import java.util.function.Supplier;

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

/** enrollment-svc's audit log over gRPC ({@code sentinel.audit.v1.AuditService}); AuditApi checks the auditor role and agency. */
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
        return Uni.createFrom().deferred(() -> {
            JsonNode q = tree(ProtoJson.print(request));
            return api.query(caller.get(), why, q).map(m -> parse(m, QueryAuditLogResponse::newBuilder));
        });
    }

    @Override
    public Uni<VerifyAuditLogResponse> verifyAuditLog(VerifyAuditLogRequest request) {
        return Uni.createFrom().deferred(() -> api.verify(caller.get()).map(m -> parse(m, VerifyAuditLogResponse::newBuilder)));
    }

    private JsonNode tree(String s) {
        try {
            return json.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private <M extends Message, B extends Message.Builder> M parse(Map<String, Object> m, Supplier<B> builder) {
        try {
            return (M) ProtoJson.parse(json.writeValueAsString(m), builder.get()).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
