package io.sentinel.enrollment.grpc;

import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.annotation.security.RolesAllowed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.enrollment.v1.*;
import io.sentinel.enrollment.service.CaseService;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.enrollment.audit.AuditTrail;
import io.sentinel.enrollment.audit.StatedPurpose;
import io.sentinel.enrollment.domain.PrivacyNotice;
import io.sentinel.enrollment.service.ExportService;
import io.sentinel.enrollment.service.PrivacyNoticeService;
import io.sentinel.enrollment.service.RetentionService;
import io.sentinel.enrollment.service.SharingService;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.service.OutboxDispatcher;
import io.smallrye.mutiny.Uni;

/** The gRPC edge of enrollment-svc, for partner agencies' systems. */
@GrpcService
public class EnrollmentGrpcService implements EnrollmentService {
    private final CaseService service;
    private final OutboxDispatcher outbox;
    private final CurrentCaller caller;
    private final SharingService sharing;
    private final AuditTrail audit;
    private final RetentionService retention;
    private final PrivacyNoticeService notices;
    private final ObjectMapper json;
    private final ExportService exports;

    public EnrollmentGrpcService(CaseService service, OutboxDispatcher outbox, CurrentCaller caller, SharingService sharing,
            AuditTrail audit, RetentionService retention, PrivacyNoticeService notices, ObjectMapper json, ExportService exports) {
        this.exports = exports;
        this.notices = notices;
        this.json = json;
        this.retention = retention;
        this.service = service;
        this.outbox = outbox;
        this.caller = caller;
        this.sharing = sharing;
        this.audit = audit;
    }

    /** Like {@link #call}, and records the outcome in the audit trail under the caller's stated purpose. */
    private <T> Uni<T> audited(Caller who, String action, String subjectHint, Supplier<Uni<? extends T>> s, Function<T, String> subjectOf) {
        return audit.around(who, StatedPurpose.current(), action, subjectHint, call(s), subjectOf);
    }

    /** Defers so validation failures surface as gRPC status, not as exceptions thrown past the stub. */
    private static <T> Uni<T> call(Supplier<Uni<? extends T>> s) {
        return Uni.createFrom().deferred(s);
    }

    @Override
    @RolesAllowed(Roles.ADMIN)
    public Uni<CreateAgencyResponse> createAgency(CreateAgencyRequest r) {
        var who = caller.get();
        return call(() -> service.createAgency(who, r.getIdempotencyKey(), r.getAgency()))
                .map(a -> CreateAgencyResponse.newBuilder().setAgency(a).build());
    }

    @Override
    @RolesAllowed({ Roles.ADMIN, Roles.CASEWORKER, Roles.PARTNER })
    public Uni<GetAgencyResponse> getAgency(GetAgencyRequest r) {
        return call(() -> service.getAgency(r.getAgencyId())).map(a -> GetAgencyResponse.newBuilder().setAgency(a).build());
    }

    @Override
    @RolesAllowed({ Roles.ADMIN, Roles.CASEWORKER, Roles.PARTNER })
    public Uni<ListAgenciesResponse> listAgencies(ListAgenciesRequest r) {
        return call(() -> service.listAgencies(r.getPageSize(), r.getPageToken()))
                .map(p -> ListAgenciesResponse.newBuilder().addAllAgencies(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<CreateSubjectResponse> createSubject(CreateSubjectRequest r) {
        var who = caller.get();
        return audited(who, "CreateSubject", "", () -> service.createSubject(who, r.getIdempotencyKey(), r.getSubject()), Subject::getSubjectId)
                .map(s -> CreateSubjectResponse.newBuilder().setSubject(s).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<GetSubjectResponse> getSubject(GetSubjectRequest r) {
        var who = caller.get();
        return audited(who, "GetSubject", r.getSubjectId(), () -> service.getSubject(who, r.getSubjectId()), null).map(s -> GetSubjectResponse.newBuilder().setSubject(s).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListSubjectsResponse> listSubjects(ListSubjectsRequest r) {
        var who = caller.get();
        return audited(who, "ListSubjects", "", () -> service.listSubjects(who, r.getPageSize(), r.getPageToken()), null)
                .map(p -> ListSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<CreateOrderResponse> createOrder(CreateOrderRequest r) {
        var who = caller.get();
        return audited(who, "CreateOrder", r.getOrder().getSubjectId(), () -> service.createOrder(who, r.getIdempotencyKey(), r.getOrder()), null)
                .invoke(outbox::wake)
                .map(o -> CreateOrderResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<GetOrderResponse> getOrder(GetOrderRequest r) {
        var who = caller.get();
        return audited(who, "GetOrder", "", () -> service.getOrder(who, r.getOrderId()), MonitoringOrder::getSubjectId).map(o -> GetOrderResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<ListOrdersResponse> listOrders(ListOrdersRequest r) {
        var who = caller.get();
        return audited(who, "ListOrders", r.getSubjectId(), () -> service.listOrders(who, r.getSubjectId(), r.getPageSize(), r.getPageToken()), null)
                .map(p -> ListOrdersResponse.newBuilder().addAllOrders(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<RegisterDeviceResponse> registerDevice(RegisterDeviceRequest r) {
        var who = caller.get();
        return call(() -> service.registerDevice(who, r.getIdempotencyKey(), r.getDevice()))
                .map(d -> RegisterDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GetDeviceResponse> getDevice(GetDeviceRequest r) {
        var who = caller.get();
        return call(() -> service.getDevice(who, r.getDeviceId())).map(d -> GetDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListDevicesResponse> listDevices(ListDevicesRequest r) {
        var who = caller.get();
        return call(() -> service.listDevices(who, r.getPageSize(), r.getPageToken()))
                .map(p -> ListDevicesResponse.newBuilder().addAllDevices(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<AssignDeviceResponse> assignDevice(AssignDeviceRequest r) {
        var who = caller.get();
        return audited(who, "AssignDevice", r.getSubjectId(), () -> service.assignDevice(who, r.getDeviceId(), r.getSubjectId()), null)
                .invoke(outbox::wake)
                .map(d -> AssignDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<UnassignDeviceResponse> unassignDevice(UnassignDeviceRequest r) {
        var who = caller.get();
        return audited(who, "UnassignDevice", "", () -> service.unassignDevice(who, r.getDeviceId()), null)
                .invoke(outbox::wake)
                .map(d -> UnassignDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<SetDeviceGatewaysResponse> setDeviceGateways(SetDeviceGatewaysRequest r) {
        var who = caller.get();
        // Audited: it decides whose reports of a person's whereabouts are taken.
        return audited(who, "SetDeviceGateways", "", () -> service.setDeviceGateways(who, r.getDeviceId(), r.getGatewayIdsList()),
                Device::getAssignedSubjectId)
                .invoke(outbox::wake)
                .map(d -> SetDeviceGatewaysResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<AmendConditionsResponse> amendConditions(AmendConditionsRequest r) {
        var who = caller.get();
        return audited(who, "AmendConditions", "", () -> service.amendConditions(who, r.getOrderId(), r.getVersion(), r.getConditions()),
                MonitoringOrder::getSubjectId)
                .invoke(outbox::wake)
                .map(o -> AmendConditionsResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<EndOrderResponse> endOrder(EndOrderRequest r) {
        var who = caller.get();
        return audited(who, "EndOrder", "", () -> service.endOrder(who, r.getOrderId(), r.getVersion(), r.getEndedAt()),
                MonitoringOrder::getSubjectId)
                .invoke(outbox::wake)
                .map(o -> EndOrderResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListOverdueReviewsResponse> listOverdueReviews(ListOverdueReviewsRequest r) {
        var who = caller.get();
        return audited(who, "ListOverdueReviews", "", () -> service.listOverdueReviews(who, r.getPageSize(), r.getPageToken()), null)
                .map(p -> ListOverdueReviewsResponse.newBuilder().addAllOrders(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<SearchSubjectsResponse> searchSubjects(SearchSubjectsRequest r) {
        var who = caller.get();
        return audited(who, "SearchSubjects", "", () -> service.searchSubjects(who, r.getFamilyNamePrefix(), r.getDateOfBirth(),
                r.getNationality(), r.getPageSize(), r.getPageToken()), null)
                .map(p -> SearchSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GrantSharingResponse> grantSharing(GrantSharingRequest r) {
        var who = caller.get();
        return audited(who, "GrantSharing", r.getSubjectId(), () -> sharing.grant(who, r.getIdempotencyKey(), r.getSubjectId(), r.getGrant()), null)
                .invoke(outbox::wake)
                .map(g -> GrantSharingResponse.newBuilder().setGrant(g).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<RevokeSharingResponse> revokeSharing(RevokeSharingRequest r) {
        var who = caller.get();
        return audited(who, "RevokeSharing", r.getSubjectId(), () -> sharing.revoke(who, r.getSubjectId(), r.getGrantId()), null)
                .invoke(outbox::wake)
                .map(x -> RevokeSharingResponse.getDefaultInstance());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListSharingGrantsResponse> listSharingGrants(ListSharingGrantsRequest r) {
        var who = caller.get();
        return audited(who, "ListSharingGrants", r.getSubjectId(), () -> sharing.list(who, r.getSubjectId(), r.getPageSize(), r.getPageToken()), null)
                .map(p -> ListSharingGrantsResponse.newBuilder().addAllGrants(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.AUDITOR)
    public Uni<VerifyAuditChainResponse> verifyAuditChain(VerifyAuditChainRequest r) {
        return call(audit::verify).map(v -> VerifyAuditChainResponse.newBuilder().setIntact(v.intact()).setRecordsChecked(v.checked())
                .setFirstBrokenSeq(v.brokenSeq()).setReason(v.reason()).build());
    }

    @Override
    @RolesAllowed({ Roles.ADMIN, Roles.CASEWORKER })
    public Uni<GetRetentionPolicyResponse> getRetentionPolicy(GetRetentionPolicyRequest r) {
        var who = caller.get();
        return call(() -> {
            String agency = r.getAgencyId().isEmpty() ? who.agencyId() : r.getAgencyId();
            if (!agency.equals(who.agencyId())) {
                throw io.sentinel.common.error.SentinelException.denied("an agency reads only its own retention policy");
            }
            return retention.policy(agency);
        }).map(p -> GetRetentionPolicyResponse.newBuilder().addAllPeriods(RetentionService.toProto(p)).build());
    }

    @Override
    @RolesAllowed(Roles.ADMIN)
    public Uni<SetRetentionPolicyResponse> setRetentionPolicy(SetRetentionPolicyRequest r) {
        var who = caller.get();
        return call(() -> retention.setPolicy(who, r.getPeriodsList()))
                .map(p -> SetRetentionPolicyResponse.newBuilder().addAllPeriods(RetentionService.toProto(p)).build());
    }

    @Override
    @RolesAllowed(Roles.ADMIN)
    public Uni<RunRetentionPurgeResponse> runRetentionPurge(RunRetentionPurgeRequest r) {
        var who = caller.get();
        return audited(who, "RunRetentionPurge", "", retention::purge, null)
                .map(p -> RunRetentionPurgeResponse.newBuilder().setReport(p).build());
    }

    @Override
    @RolesAllowed({ Roles.ADMIN, Roles.AUDITOR })
    public Uni<GetPurgeReportResponse> getPurgeReport(GetPurgeReportRequest r) {
        return call(() -> retention.report(r.getPurgeId())).map(p -> GetPurgeReportResponse.newBuilder().setReport(p).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GetPrivacyNoticeResponse> getPrivacyNotice(GetPrivacyNoticeRequest r) {
        var who = caller.get();
        return audited(who, "GetPrivacyNotice", r.getSubjectId(), () -> notices.notice(who, r.getSubjectId(), r.getLanguage()), null)
                .map(n -> {
                    try {
                        return GetPrivacyNoticeResponse.newBuilder().setLanguage(n.language()).setFallback(n.fallback())
                                .setJson(json.writeValueAsString(n)).setHtml(PrivacyNotice.html(n)).build();
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ExportSubjectDataResponse> exportSubjectData(ExportSubjectDataRequest r) {
        var who = caller.get();
        return audited(who, "ExportSubjectData", r.getSubjectId(), () -> exports.export(who, r.getSubjectId()), null)
                .map(e -> ExportSubjectDataResponse.newBuilder().setJson(e.json()).setComplete(e.missing().isEmpty())
                        .addAllMissing(e.missing()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<RecordOrderReviewResponse> recordOrderReview(RecordOrderReviewRequest r) {
        var who = caller.get();
        return audited(who, "RecordOrderReview", "", () -> service.recordReview(who, r.getOrderId(), r.getVersion(), r.getNextReviewDueAt()),
                MonitoringOrder::getSubjectId)
                .map(o -> RecordOrderReviewResponse.newBuilder().setOrder(o).build());
    }
}
