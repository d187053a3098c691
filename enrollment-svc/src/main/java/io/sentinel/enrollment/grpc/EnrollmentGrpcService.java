package io.sentinel.enrollment.grpc;

import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.annotation.security.RolesAllowed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.enrollment.v1.*;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.grpc.FlowControl;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.domain.PrivacyNotice;
import io.sentinel.enrollment.service.AuditActions;
import io.sentinel.enrollment.service.CaseService;
import io.sentinel.enrollment.service.ExportService;
import io.sentinel.common.outbox.Outbox;
import io.sentinel.enrollment.service.PrivacyNoticeService;
import io.sentinel.enrollment.service.RetentionService;
import io.sentinel.enrollment.service.SharingService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC edge of enrollment-svc, for partner agencies' systems. Every read of personal data goes
 * through {@link AuditLog#read}, which requires the caller's purpose and reference (and, for a
 * partner, the grant it reads under) from the call's metadata and records the subjects returned;
 * every change records itself in its own transaction, and a refused change is recorded here.
 */
@GrpcService
public class EnrollmentGrpcService implements EnrollmentService {
    private final CaseService service;
    private final Outbox outbox;
    private final CurrentCaller caller;
    private final SharingService sharing;
    private final AuditLog audit;
    private final RetentionService retention;
    private final PrivacyNoticeService notices;
    private final ObjectMapper json;
    private final ExportService exports;

    public EnrollmentGrpcService(CaseService service, Outbox outbox, CurrentCaller caller, SharingService sharing,
            AuditLog audit, RetentionService retention, PrivacyNoticeService notices, ObjectMapper json, ExportService exports) {
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

    /** A read of personal data: justified, and recorded with the subjects {@code returned} picks from the result. */
    private <T> Uni<T> read(Caller who, Justification why, String action, Collection<String> asked, Supplier<Uni<T>> work,
            Function<T, Collection<String>> returned) {
        return audit.read(who, why, action, asked, work, returned);
    }

    /** A change that records itself in its transaction; a refusal (not found, denied) is recorded here, as its transaction rolled back. */
    private <T> Uni<T> change(Caller who, Justification why, String action, Collection<String> asked, Supplier<Uni<? extends T>> work) {
        return audit.recordingRefusal(who, why, action, asked, call(work));
    }

    /** Defers so validation failures surface as gRPC status, not as exceptions thrown past the stub. */
    private static <T> Uni<T> call(Supplier<Uni<? extends T>> s) {
        return Uni.createFrom().deferred(s);
    }

    private static List<String> subject(String id) {
        return id == null || id.isBlank() ? List.of() : List.of(id);
    }

    @Override
    @RolesAllowed(Roles.PLATFORM_ADMIN)
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
        var why = Justification.ofGrpcCall();
        return this.<Subject>change(who, why, AuditActions.SUBJECT_CREATE, List.of(),
                () -> service.createSubject(who, why, r.getIdempotencyKey(), r.getSubject()))
                .map(s -> CreateSubjectResponse.newBuilder().setSubject(s).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<GetSubjectResponse> getSubject(GetSubjectRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return read(who, why, AuditActions.SUBJECT_READ, subject(r.getSubjectId()),
                () -> service.getSubject(who, why.grantId(), r.getSubjectId()), s -> List.of(s.getSubjectId()))
                .map(s -> GetSubjectResponse.newBuilder().setSubject(s).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListSubjectsResponse> listSubjects(ListSubjectsRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return read(who, why, AuditActions.SUBJECT_LIST, List.of(), () -> service.listSubjects(who, r.getPageSize(), r.getPageToken()),
                p -> p.items().stream().map(Subject::getSubjectId).toList())
                .map(p -> ListSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<CreateOrderResponse> createOrder(CreateOrderRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<MonitoringOrder>change(who, why, AuditActions.ORDER_CREATE, subject(r.getOrder().getSubjectId()),
                () -> service.createOrder(who, why, r.getIdempotencyKey(), r.getOrder()))
                .invoke(outbox::wake)
                .map(o -> CreateOrderResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<GetOrderResponse> getOrder(GetOrderRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return read(who, why, AuditActions.ORDER_READ, List.of(), () -> service.getOrder(who, why.grantId(), r.getOrderId()),
                o -> List.of(o.getSubjectId()))
                .map(o -> GetOrderResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER })
    public Uni<ListOrdersResponse> listOrders(ListOrdersRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return read(who, why, AuditActions.ORDER_LIST, subject(r.getSubjectId()),
                () -> service.listOrders(who, why.grantId(), r.getSubjectId(), r.getPageSize(), r.getPageToken()),
                p -> subject(r.getSubjectId()))
                .map(p -> ListOrdersResponse.newBuilder().addAllOrders(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<RegisterDeviceResponse> registerDevice(RegisterDeviceRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<Device>change(who, why, AuditActions.DEVICE_REGISTER, List.of(), () -> service.registerDevice(who, why, r.getIdempotencyKey(), r.getDevice()))
                .map(d -> RegisterDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GetDeviceResponse> getDevice(GetDeviceRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        // A device's assignment says whom it tracks: reading it is a read of that person's data.
        return read(who, why, AuditActions.DEVICE_READ, List.of(), () -> service.getDevice(who, r.getDeviceId()), CaseService::subjectsOf)
                .map(d -> GetDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListDevicesResponse> listDevices(ListDevicesRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return read(who, why, AuditActions.DEVICE_LIST, List.of(), () -> service.listDevices(who, r.getPageSize(), r.getPageToken()),
                p -> p.items().stream().flatMap(d -> CaseService.subjectsOf(d).stream()).toList())
                .map(p -> ListDevicesResponse.newBuilder().addAllDevices(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<AssignDeviceResponse> assignDevice(AssignDeviceRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<CaseService.Assignment>change(who, why, AuditActions.DEVICE_ASSIGN, subject(r.getSubjectId()),
                () -> service.assignDevice(who, why, r.getDeviceId(), r.getSubjectId()))
                .invoke(outbox::wake)
                .map(a -> AssignDeviceResponse.newBuilder().setDevice(a.device()).setLocationPending(a.locationPending()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<UnassignDeviceResponse> unassignDevice(UnassignDeviceRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<Device>change(who, why, AuditActions.DEVICE_UNASSIGN, List.of(), () -> service.unassignDevice(who, why, r.getDeviceId()))
                .invoke(outbox::wake)
                .map(d -> UnassignDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<SetDeviceGatewaysResponse> setDeviceGateways(SetDeviceGatewaysRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        // Audited: it decides whose reports of a person's whereabouts are taken.
        return this.<Device>change(who, why, AuditActions.DEVICE_SET_GATEWAYS, List.of(),
                () -> service.setDeviceGateways(who, why, r.getDeviceId(), r.getGatewayIdsList()))
                .invoke(outbox::wake)
                .map(d -> SetDeviceGatewaysResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<AmendConditionsResponse> amendConditions(AmendConditionsRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<MonitoringOrder>change(who, why, AuditActions.ORDER_AMEND, List.of(),
                () -> service.amendConditions(who, why, r.getOrderId(), r.getVersion(), r.getConditions()))
                .invoke(outbox::wake)
                .map(o -> AmendConditionsResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<EndOrderResponse> endOrder(EndOrderRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<MonitoringOrder>change(who, why, AuditActions.ORDER_END, List.of(),
                () -> service.endOrder(who, why, r.getOrderId(), r.getVersion(), r.getEndedAt()))
                .invoke(outbox::wake)
                .map(o -> EndOrderResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListOverdueReviewsResponse> listOverdueReviews(ListOverdueReviewsRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return read(who, why, AuditActions.ORDER_OVERDUE_LIST, List.of(), () -> service.listOverdueReviews(who, r.getPageSize(), r.getPageToken()),
                p -> p.items().stream().map(MonitoringOrder::getSubjectId).toList())
                .map(p -> ListOverdueReviewsResponse.newBuilder().addAllOrders(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<SearchSubjectsResponse> searchSubjects(SearchSubjectsRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        // The search terms are personal data themselves: the record names the subjects found, never the terms.
        return read(who, why, AuditActions.SUBJECT_SEARCH, List.of(), () -> service.searchSubjects(who, r.getFamilyNamePrefix(), r.getDateOfBirth(),
                r.getNationality(), r.getPageSize(), r.getPageToken()), p -> p.items().stream().map(Subject::getSubjectId).toList())
                .map(p -> SearchSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GrantSharingResponse> grantSharing(GrantSharingRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<io.sentinel.api.common.v1.SharingGrant>change(who, why, AuditActions.GRANT_CREATE, subject(r.getSubjectId()),
                () -> sharing.grant(who, why, r.getIdempotencyKey(), r.getSubjectId(), r.getGrant()))
                .invoke(outbox::wake)
                .map(g -> GrantSharingResponse.newBuilder().setGrant(g).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<RevokeSharingResponse> revokeSharing(RevokeSharingRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<Void>change(who, why, AuditActions.GRANT_REVOKE, subject(r.getSubjectId()),
                () -> sharing.revoke(who, why, r.getSubjectId(), r.getGrantId()))
                .invoke(outbox::wake)
                .map(x -> RevokeSharingResponse.getDefaultInstance());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListSharingGrantsResponse> listSharingGrants(ListSharingGrantsRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return read(who, why, AuditActions.GRANT_LIST, subject(r.getSubjectId()),
                () -> sharing.list(who, r.getSubjectId(), r.getPageSize(), r.getPageToken()), p -> subject(r.getSubjectId()))
                .map(p -> ListSharingGrantsResponse.newBuilder().addAllGrants(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed({ Roles.ADMIN, Roles.CASEWORKER })
    public Uni<GetRetentionPolicyResponse> getRetentionPolicy(GetRetentionPolicyRequest r) {
        var who = caller.get();
        return call(() -> {
            String agency = r.getAgencyId().isEmpty() ? who.agencyId() : r.getAgencyId();
            if (!agency.equals(who.agencyId())) {
                throw SentinelException.denied("an agency reads only its own retention policy");
            }
            return retention.policy(agency);
        }).map(p -> GetRetentionPolicyResponse.newBuilder().addAllPeriods(RetentionService.toProto(p)).build());
    }

    @Override
    @RolesAllowed(Roles.ADMIN)
    public Uni<SetRetentionPolicyResponse> setRetentionPolicy(SetRetentionPolicyRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return call(() -> retention.setPolicy(who, why, r.getPeriodsList()))
                .map(p -> SetRetentionPolicyResponse.newBuilder().addAllPeriods(RetentionService.toProto(p)).build());
    }

    @Override
    @RolesAllowed(Roles.ADMIN)
    public Uni<RunRetentionPurgeResponse> runRetentionPurge(RunRetentionPurgeRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        // An agency's admin purges that agency's subjects only; the schedule runs each agency in turn.
        return call(() -> retention.purge(who, why, who.agencyId()))
                .map(p -> RunRetentionPurgeResponse.newBuilder().setReport(p).build());
    }

    @Override
    @RolesAllowed({ Roles.ADMIN, Roles.AUDITOR })
    public Uni<GetPurgeReportResponse> getPurgeReport(GetPurgeReportRequest r) {
        var who = caller.get();
        return call(() -> retention.report(who.agencyId(), r.getPurgeId())).map(p -> GetPurgeReportResponse.newBuilder().setReport(p).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GetPrivacyNoticeResponse> getPrivacyNotice(GetPrivacyNoticeRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return read(who, why, AuditActions.PRIVACY_NOTICE_READ, subject(r.getSubjectId()),
                () -> notices.notice(who, r.getSubjectId(), r.getLanguage()), n -> List.of(n.subjectId()))
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
    public Multi<ExportSubjectDataResponse> exportSubjectData(ExportSubjectDataRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        // The read is recorded once the subject is found to be the caller's agency's; then the
        // document streams, paced by the caller's reading.
        return FlowControl.paced(read(who, why, AuditActions.SUBJECT_EXPORT, subject(r.getSubjectId()), () -> exports.ownPart(who, r.getSubjectId()),
                e -> subject(r.getSubjectId()))
                .onItem().transformToMulti(own -> exports.export(r.getSubjectId(), own))
                .map(p -> ExportSubjectDataResponse.newBuilder().setJson(p.json()).setLast(p.last())
                        .setComplete(p.last() && p.missing().isEmpty()).addAllMissing(p.missing()).build()));
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<RecordOrderReviewResponse> recordOrderReview(RecordOrderReviewRequest r) {
        var who = caller.get();
        var why = Justification.ofGrpcCall();
        return this.<MonitoringOrder>change(who, why, AuditActions.ORDER_REVIEW, List.of(),
                () -> service.recordReview(who, why, r.getOrderId(), r.getVersion(), r.getNextReviewDueAt()))
                .map(o -> RecordOrderReviewResponse.newBuilder().setOrder(o).build());
    }
}
