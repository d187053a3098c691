package io.sentinel.enrollment.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.api.enrollment.v1.VerifyAuditChainResponse;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.audit.AuditTrail;
import io.smallrye.mutiny.Uni;

/** Verification of the audit trail's hash chain, for auditors. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.AUDITOR)
public class AuditResource {
    private final AuditTrail audit;

    public AuditResource(AuditTrail audit) {
        this.audit = audit;
    }

    @GET
    @Path("/verification")
    public Uni<String> verify() {
        return audit.verify().map(v -> ProtoJson.print(VerifyAuditChainResponse.newBuilder().setIntact(v.intact())
                .setRecordsChecked(v.checked()).setFirstBrokenSeq(v.brokenSeq()).setReason(v.reason())));
    }
}
