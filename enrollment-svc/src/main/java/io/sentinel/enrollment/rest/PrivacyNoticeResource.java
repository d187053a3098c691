package io.sentinel.enrollment.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.domain.PrivacyNotice;
import io.sentinel.enrollment.service.AuditActions;
import io.sentinel.enrollment.service.PrivacyNoticeService;
import io.smallrye.mutiny.Uni;

/**
 * A subject's privacy notice, as JSON or as a plain HTML page (by Accept header). It needs the
 * X-Sentinel-Purpose and X-Sentinel-Reference headers.
 */
@Path("/api/v1/subjects/{subjectId}/privacy-notice")
@RolesAllowed(Roles.CASEWORKER)
public class PrivacyNoticeResource {
    private final PrivacyNoticeService notices;
    private final CurrentCaller caller;
    private final CurrentJustification justification;
    private final AuditLog audit;

    public PrivacyNoticeResource(PrivacyNoticeService notices, CurrentCaller caller, CurrentJustification justification, AuditLog audit) {
        this.notices = notices;
        this.caller = caller;
        this.justification = justification;
        this.audit = audit;
    }

    private Uni<PrivacyNotice.Notice> notice(String subjectId, String lang) {
        var who = caller.get();
        var why = justification.get();
        return audit.read(who, why, AuditActions.PRIVACY_NOTICE_READ, List.of(subjectId), () -> notices.notice(who, subjectId, lang),
                n -> List.of(n.subjectId()));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<PrivacyNotice.Notice> json(@PathParam("subjectId") String subjectId, @QueryParam("lang") String lang) {
        return notice(subjectId, lang);
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<String> html(@PathParam("subjectId") String subjectId, @QueryParam("lang") String lang) {
        return notice(subjectId, lang).map(PrivacyNotice::html);
    }
}
