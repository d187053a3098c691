package io.sentinel.rules.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

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
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.smallrye.mutiny.Uni;

/** rules-svc's audit log over gRPC: a thin edge over {@link AuditApi}, which checks the role and the agency. */
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
            Caller who = caller.get();
            try {
                return api.query(who, why, json.readTree(ProtoJson.print(request)))
                        .map(m -> ProtoJson.parse(write(m), QueryAuditLogResponse.newBuilder()).build());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public Uni<VerifyAuditLogResponse> verifyAuditLog(VerifyAuditLogRequest request) {
        return Uni.createFrom().deferred(() -> api.verify(caller.get())
                .map(m -> ProtoJson.parse(write(m), VerifyAuditLogResponse.newBuilder()).build()));
    }

    private String write(Object map) {
        try {
            return json.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
