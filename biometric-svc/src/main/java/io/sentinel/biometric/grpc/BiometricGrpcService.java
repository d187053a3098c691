package io.sentinel.biometric.grpc;

import java.util.List;
import java.util.function.Supplier;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.biometric.v1.BiometricService;
import io.sentinel.api.biometric.v1.EnrolReferenceRequest;
import io.sentinel.api.biometric.v1.EnrolReferenceResponse;
import io.sentinel.api.biometric.v1.GetCheckInRequest;
import io.sentinel.api.biometric.v1.GetCheckInResponse;
import io.sentinel.api.biometric.v1.ListReviewQueueRequest;
import io.sentinel.api.biometric.v1.ListReviewQueueResponse;
import io.sentinel.api.biometric.v1.RecordReviewDecisionRequest;
import io.sentinel.api.biometric.v1.RecordReviewDecisionResponse;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.biometric.v1.SubmitCheckInResponse;
import io.sentinel.biometric.service.AuditActions;
import io.sentinel.biometric.service.CheckInEventOutbox;
import io.sentinel.biometric.service.CheckInService;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.PageToken;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.common.security.TokenBoundStreams;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC edge of biometric-svc, for devices and agencies. The caller's justification
 * ({@code x-sentinel-purpose}, {@code x-sentinel-reference} metadata) is read at each method's
 * entry, before any asynchronous hop; reads require it, changes record it when given.
 */
@GrpcService
public class BiometricGrpcService implements BiometricService {
    private final CheckInService service;
    private final io.sentinel.biometric.service.FaceVerification face;
    private final CurrentCaller caller;
    private final CheckInEventOutbox outbox;
    private final io.sentinel.biometric.service.GroupReportService groupReports;
    private final io.sentinel.biometric.service.PromptScheduler prompts;
    private final io.sentinel.biometric.service.PromptWatch promptWatch;
    private final AuditLog audit;

    public BiometricGrpcService(CheckInService service,
            io.sentinel.biometric.service.FaceVerification face, CurrentCaller caller, CheckInEventOutbox outbox,
            io.sentinel.biometric.service.GroupReportService groupReports, io.sentinel.biometric.service.PromptScheduler prompts,
            io.sentinel.biometric.service.PromptWatch promptWatch, AuditLog audit) {
        this.audit = audit;
        this.prompts = prompts;
        this.promptWatch = promptWatch;
        this.outbox = outbox;
        this.groupReports = groupReports;
        this.service = service;
        this.face = face;
        this.caller = caller;
    }

    private static <T> Uni<T> call(Supplier<Uni<? extends T>> s) {
        return Uni.createFrom().deferred(s);
    }

    /** The justification stated with this call; read at method entry, while the gRPC context is current. */
    private static Justification why() {
        Justification j = Justification.ofGrpcCall();
        return j == null ? Justification.NONE : j;
    }

    /**
     * Runs the face model on a worker thread (tens of milliseconds of native inference must not
     * block the event loop), then comes back to the request's Vert.x context, where the reactive
     * database session lives.
     */
    private static <T> Uni<T> offLoop(java.util.function.Supplier<T> work) {
        io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
        Uni<T> u = Uni.createFrom().item(work).runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool());
        return ctx == null ? u : u.emitOn(command -> ctx.runOnContext(v -> command.run()));
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<EnrolReferenceResponse> enrolReference(EnrolReferenceRequest r) {
        var who = caller.get();
        var why = why();
        byte[] image = r.getImage().toByteArray();
        String problem = service.imageProblem(image, r.getContentType());
        if (problem != null) {
            return Uni.createFrom().failure(io.sentinel.common.error.SentinelException.invalid(null, problem));
        }
        if (!face.available()) {
            return Uni.createFrom().failure(io.sentinel.common.error.SentinelException.precondition(null,
                    "no face model is installed (scripts/fetch-face-models.sh): a reference cannot be enrolled"));
        }
        return audit.recordingRefusal(who, why, AuditActions.REFERENCE_ENROL, List.of(r.getSubjectId()), offLoop(() -> service.prepareReference(image))
                .flatMap(prepared -> call(() -> service.enrolReference(who, why, r.getSubjectId(), prepared))))
                .map(ref -> EnrolReferenceResponse.newBuilder().setReferenceId(ref.referenceId.toString())
                        .setModelId(ref.modelId == null ? "" : ref.modelId).build());
    }

    @Override
    @RolesAllowed({ Roles.DEVICE_GATEWAY, Roles.CASEWORKER })
    public Uni<SubmitCheckInResponse> submitCheckIn(SubmitCheckInRequest r) {
        var who = caller.get();
        var why = why();
        byte[] image = r.getImage().toByteArray();
        return audit.recordingRefusal(who, why, AuditActions.CHECK_IN_SUBMIT, List.of(r.getSubjectId()),
                call(() -> service.referencesFor(who, r.getSubjectId()))
                        .flatMap(refs -> offLoop(() -> service.check(image, r.getContentType(), refs)))
                        .flatMap(checked -> call(() -> service.submit(who, why, r.getSubjectId(), r.getCapturedAt(), r.getContentType(), checked))))
                .map(c -> SubmitCheckInResponse.newBuilder().setCheckIn(c).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.REVIEWER })
    public Uni<GetCheckInResponse> getCheckIn(GetCheckInRequest r) {
        var who = caller.get();
        var why = why();
        return call(() -> service.get(who, why, r.getCheckInId())).map(c -> GetCheckInResponse.newBuilder().setCheckIn(c).build());
    }

    @Override
    @RolesAllowed(Roles.REVIEWER)
    public Uni<ListReviewQueueResponse> listReviewQueue(ListReviewQueueRequest r) {
        var who = caller.get();
        var why = why();
        return call(() -> service.reviewQueue(who, why, r.getPageSize(), r.getPageToken())).map(l -> {
            ListReviewQueueResponse.Builder b = ListReviewQueueResponse.newBuilder().addAllCheckIns(l);
            int size = r.getPageSize() == 0 ? 50 : r.getPageSize();
            if (l.size() == size) {
                b.setNextPageToken(PageToken.encode(l.get(l.size() - 1).getCheckInId()));
            }
            return b.build();
        });
    }

    @Override
    @RolesAllowed(Roles.REVIEWER)
    public Uni<RecordReviewDecisionResponse> recordReviewDecision(RecordReviewDecisionRequest r) {
        var who = caller.get();
        var why = why();
        return audit.recordingRefusal(who, why, AuditActions.REVIEW_DECIDE, List.of(),
                call(() -> service.decide(who, why, r.getCheckInId(), r.getIsMatch(), r.getReason()))).invoke(outbox::afterDecision)
                .map(c -> RecordReviewDecisionResponse.newBuilder().setCheckIn(c).build());
    }

    @Override
    @RolesAllowed({ Roles.AUDITOR, Roles.ADMIN })
    public Uni<io.sentinel.api.biometric.v1.GetGroupReportResponse> getGroupReport(io.sentinel.api.biometric.v1.GetGroupReportRequest r) {
        var who = caller.get();
        var why = why();
        return call(() -> groupReports.report(who, why, r));
    }

    @Override
    @RolesAllowed({ Roles.DEVICE_GATEWAY, Roles.CASEWORKER })
    public Uni<io.sentinel.api.biometric.v1.ListOpenPromptsResponse> listOpenPrompts(io.sentinel.api.biometric.v1.ListOpenPromptsRequest r) {
        var who = caller.get();
        var why = why();
        Supplier<Uni<List<io.sentinel.api.biometric.v1.CheckInPrompt>>> open = () -> call(() -> service.ownedSubject(who, r.getSubjectId())
                .flatMap(subject -> prompts.open(subject, java.time.Instant.now())));
        // A gateway relaying prompts to the subject's own device is the check-in machinery at work under
        // the order (like a device reporting fixes), not a person reading: it states no purpose and is not
        // recorded per poll. A caseworker looking at them is a person reading a subject's data.
        Uni<List<io.sentinel.api.biometric.v1.CheckInPrompt>> listed = who.has(Roles.CASEWORKER)
                ? audit.read(who, why, AuditActions.PROMPTS_READ, List.of(r.getSubjectId()), open)
                : open.get();
        return listed.map(l -> io.sentinel.api.biometric.v1.ListOpenPromptsResponse.newBuilder().addAllPrompts(l).build());
    }

    @Override
    @RolesAllowed(Roles.DEVICE_GATEWAY)
    public io.smallrye.mutiny.Multi<io.sentinel.api.biometric.v1.IssuedPrompt> watchPrompts(io.sentinel.api.biometric.v1.WatchPromptsRequest r) {
        var who = caller.get();
        return TokenBoundStreams.untilExpiry(who, promptWatch.watch(who.agencyId()));
    }
}
