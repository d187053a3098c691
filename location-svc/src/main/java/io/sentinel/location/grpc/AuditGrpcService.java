package io.sentinel.location.grpc;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
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

/** location-svc's audit log over gRPC for auditors of their own agency; {@link AuditApi} does the work and the role checks. */
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
        // Read at entry, on the call's own context: the justification travels as metadata.
        Justification why = Justification.ofGrpcCall();
        return Uni.createFrom().deferred(() -> {
            try {
                return api.query(caller.get(), why, json.readTree(ProtoJson.print(request)))
                        .map(m -> response(m, QueryAuditLogResponse.newBuilder()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public Uni<VerifyAuditLogResponse> verifyAuditLog(VerifyAuditLogRequest request) {
        return Uni.createFrom().deferred(() -> api.verify(caller.get())).map(m -> response(m, VerifyAuditLogResponse.newBuilder()));
    }

    @SuppressWarnings("unchecked")
    private <T extends Message> T response(Map<String, Object> answer, Message.Builder builder) {
        try {
            return (T) ProtoJson.parse(json.writeValueAsString(answer), builder).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
