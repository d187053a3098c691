package io.sentinel.biometric.grpc;

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
import io.sentinel.biometric.service.CheckInEventOutbox;
import io.sentinel.biometric.service.CheckInService;
import io.sentinel.common.error.PageToken;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.common.security.TokenBoundStreams;
import io.smallrye.mutiny.Uni;

/** The gRPC edge of biometric-svc, for devices and agencies. */
@GrpcService
public class BiometricGrpcService implements BiometricService {
    private final CheckInService service;
    private final io.sentinel.biometric.service.FaceVerification face;
    private final CurrentCaller caller;
    private final CheckInEventOutbox outbox;
    private final io.sentinel.biometric.service.GroupReportService groupReports;
    private final io.sentinel.biometric.service.PromptScheduler prompts;
    private final io.sentinel.biometric.service.PromptWatch promptWatch;

    public BiometricGrpcService(CheckInService service,
            io.sentinel.biometric.service.FaceVerification face, CurrentCaller caller, CheckInEventOutbox outbox,
            io.sentinel.biometric.service.GroupReportService groupReports, io.sentinel.biometric.service.PromptScheduler prompts,
            io.sentinel.biometric.service.PromptWatch promptWatch) {
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
        byte[] image = r.getImage().toByteArray();
        String problem = service.imageProblem(image, r.getContentType());
        if (problem != null) {
            return Uni.createFrom().failure(io.sentinel.common.error.SentinelException.invalid(null, problem));
        }
        if (!face.available()) {
            return Uni.createFrom().failure(io.sentinel.common.error.SentinelException.precondition(null,
                    "no face model is installed (scripts/fetch-face-models.sh): a reference cannot be enrolled"));
        }
        return offLoop(() -> service.prepareReference(image))
                .flatMap(prepared -> call(() -> service.enrolReference(who, r.getSubjectId(), prepared)))
                .map(ref -> EnrolReferenceResponse.newBuilder().setReferenceId(ref.referenceId.toString())
                        .setModelId(ref.modelId == null ? "" : ref.modelId).build());
    }

    @Override
    @RolesAllowed({ Roles.DEVICE_GATEWAY, Roles.CASEWORKER })
    public Uni<SubmitCheckInResponse> submitCheckIn(SubmitCheckInRequest r) {
        var who = caller.get();
        byte[] image = r.getImage().toByteArray();
        return call(() -> service.referencesFor(who, r.getSubjectId()))
                .flatMap(refs -> offLoop(() -> service.check(image, r.getContentType(), refs)))
                .flatMap(checked -> call(() -> service.submit(who, r.getSubjectId(), r.getCapturedAt(), r.getContentType(), checked)))
                .map(c -> SubmitCheckInResponse.newBuilder().setCheckIn(c).build());
    }

    @Override
    @RolesAllowed({ Roles.CASEWORKER, Roles.REVIEWER })
    public Uni<GetCheckInResponse> getCheckIn(GetCheckInRequest r) {
        var who = caller.get();
        return call(() -> service.get(who, r.getCheckInId())).map(c -> GetCheckInResponse.newBuilder().setCheckIn(c).build());
    }

    @Override
    @RolesAllowed(Roles.REVIEWER)
    public Uni<ListReviewQueueResponse> listReviewQueue(ListReviewQueueRequest r) {
        var who = caller.get();
        return call(() -> service.reviewQueue(who, r.getPageSize(), r.getPageToken())).map(l -> {
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
        return call(() -> service.decide(who, r.getCheckInId(), r.getIsMatch(), r.getReason())).invoke(outbox::afterDecision)
                .map(c -> RecordReviewDecisionResponse.newBuilder().setCheckIn(c).build());
    }

    @Override
    @RolesAllowed({ Roles.AUDITOR, Roles.ADMIN })
    public Uni<io.sentinel.api.biometric.v1.GetGroupReportResponse> getGroupReport(io.sentinel.api.biometric.v1.GetGroupReportRequest r) {
        var who = caller.get();
        return call(() -> groupReports.report(who, r));
    }

    @Override
    @RolesAllowed({ Roles.DEVICE_GATEWAY, Roles.CASEWORKER })
    public Uni<io.sentinel.api.biometric.v1.ListOpenPromptsResponse> listOpenPrompts(io.sentinel.api.biometric.v1.ListOpenPromptsRequest r) {
        var who = caller.get();
        return call(() -> service.ownedSubject(who, r.getSubjectId()).flatMap(subject -> prompts.open(subject, java.time.Instant.now())))
                .map(l -> io.sentinel.api.biometric.v1.ListOpenPromptsResponse.newBuilder().addAllPrompts(l).build());
    }

    @Override
    @RolesAllowed(Roles.DEVICE_GATEWAY)
    public io.smallrye.mutiny.Multi<io.sentinel.api.biometric.v1.IssuedPrompt> watchPrompts(io.sentinel.api.biometric.v1.WatchPromptsRequest r) {
        var who = caller.get();
        return TokenBoundStreams.untilExpiry(who, promptWatch.watch(who.agencyId()));
    }
}
