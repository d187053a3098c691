package io.sentinel.enrollment.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.audit.AuditTrail;
import io.sentinel.enrollment.audit.StatedPurpose;
import io.sentinel.enrollment.domain.PrivacyNotice;
import io.sentinel.enrollment.service.PrivacyNoticeService;
import io.smallrye.mutiny.Uni;

/** A subject's privacy notice, as JSON or as a plain HTML page (by Accept header). */
@Path("/api/v1/subjects/{subjectId}/privacy-notice")
@RolesAllowed(Roles.CASEWORKER)
public class PrivacyNoticeResource {
    private final PrivacyNoticeService notices;
    private final CurrentCaller caller;
    private final AuditTrail audit;

    public PrivacyNoticeResource(PrivacyNoticeService notices, CurrentCaller caller, AuditTrail audit) {
        this.notices = notices;
        this.caller = caller;
        this.audit = audit;
    }

    private Uni<PrivacyNotice.Notice> notice(String subjectId, String lang, String purpose) {
        var who = caller.get();
        return audit.around(who, StatedPurpose.clip(purpose), "GetPrivacyNotice", subjectId,
                Uni.createFrom().deferred(() -> notices.notice(who, subjectId, lang)), null);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<PrivacyNotice.Notice> json(@PathParam("subjectId") String subjectId, @QueryParam("lang") String lang,
            @HeaderParam(StatedPurpose.HEADER) String purpose) {
        return notice(subjectId, lang, purpose);
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<String> html(@PathParam("subjectId") String subjectId, @QueryParam("lang") String lang,
            @HeaderParam(StatedPurpose.HEADER) String purpose) {
        return notice(subjectId, lang, purpose).map(PrivacyNotice::html);
    }
}
