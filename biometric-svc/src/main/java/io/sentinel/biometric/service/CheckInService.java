package io.sentinel.biometric.service;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.PutCheckInScheduleRequest;
import io.sentinel.api.biometric.v1.ReviewState;
import io.sentinel.api.biometric.v1.VerificationOutcome;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.PageToken;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.util.Uuids;
import io.sentinel.biometric.repository.CheckInEntity;
import io.sentinel.biometric.repository.ReferenceEntity;
import io.sentinel.biometric.repository.Repositories;
import io.sentinel.biometric.repository.ScheduleEntity;
import io.smallrye.mutiny.Uni;

/**
 * Check-ins and their human review. Anything the algorithm does not clearly MATCH goes to a
 * reviewer; nothing here treats an algorithm's failure as the person's non-compliance.
 */
@ApplicationScoped
public class CheckInService {
    static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(5);
    /** Said plainly on every check-in verified while no face model is installed. */
    static final String NO_MODEL = "no face model is configured: a reviewer must compare the photo";

    private final Repositories.Schedules schedules;
    private final Repositories.References references;
    private final Repositories.CheckIns checkIns;
    private final int maxImageBytes;

    public CheckInService(Repositories.Schedules schedules, Repositories.References references, Repositories.CheckIns checkIns,
            @ConfigProperty(name = "sentinel.biometric.max-image-bytes") int maxImageBytes) {
        this.schedules = schedules;
        this.references = references;
        this.checkIns = checkIns;
        this.maxImageBytes = maxImageBytes;
    }

    @WithTransaction
    public Uni<Long> putSchedule(PutCheckInScheduleRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        Check.required("owning_agency_id", r.getOwningAgencyId());
        if (r.getPerDay() < 0 || r.getPerDay() > 5) {
            throw SentinelException.invalid("per_day", "must be 0 to 5, got " + r.getPerDay());
        }
        return schedules.findById(subject).flatMap(existing -> {
            if (existing != null && existing.version >= r.getVersion()) {
                return Uni.createFrom().item(existing.version);
            }
            ScheduleEntity e = existing != null ? existing : new ScheduleEntity();
            e.subjectId = subject;
            e.owningAgencyId = r.getOwningAgencyId();
            e.timeZone = r.getTimeZone();
            e.perDay = r.getPerDay();
            e.windowStart = r.getWindowStart();
            e.windowEnd = r.getWindowEnd();
            e.version = r.getVersion();
            e.active = r.getActive();
            e.updatedAt = Instant.now();
            return (existing != null ? Uni.createFrom().item(e) : schedules.persist(e)).map(s -> s.version);
        });
    }

    /** The subject's schedule if the caller's agency owns the subject; otherwise NOT_FOUND. */
    private Uni<ScheduleEntity> monitored(Caller caller, UUID subject) {
        return schedules.findById(subject).map(s -> {
            if (s == null || !s.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("monitored subject", subject.toString());
            }
            return s;
        });
    }

    @WithTransaction
    public Uni<ReferenceEntity> enrolReference(Caller caller, String subjectId, byte[] image, String contentType) {
        UUID subject = Check.uuid("subject_id", subjectId);
        ImageChecks.check("image", image, contentType, maxImageBytes);
        return monitored(caller, subject).flatMap(s -> {
            ReferenceEntity e = new ReferenceEntity();
            e.referenceId = Uuids.v7();
            e.subjectId = subject;
            e.contentType = contentType;
            e.image = image;
            e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return references.persist(e);
        });
    }

    @WithTransaction
    public Uni<CheckIn> submit(Caller caller, String subjectId, com.google.protobuf.Timestamp capturedAt, byte[] image, String contentType) {
        UUID subject = Check.uuid("subject_id", subjectId);
        Instant captured = Timestamps.required("captured_at", capturedAt);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (captured.isAfter(now.plus(MAX_FUTURE_SKEW))) {
            throw SentinelException.invalid("captured_at", "is more than 5 minutes in the future");
        }
        return monitored(caller, subject).flatMap(schedule -> {
            CheckInEntity e = new CheckInEntity();
            e.checkInId = Uuids.v7();
            e.subjectId = subject;
            e.owningAgencyId = schedule.owningAgencyId;
            e.capturedAt = captured;
            e.receivedAt = now;
            e.contentType = contentType;
            try {
                ImageChecks.check("image", image, contentType, maxImageBytes);
                e.image = image;
                e.outcome = VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE.name();
                e.outcomeReason = NO_MODEL;
            } catch (SentinelException bad) {
                // A bad photo is recorded as INCONCLUSIVE for a person to follow up, never as a failure.
                e.image = null;
                e.outcome = VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE.name();
                e.outcomeReason = bad.describe();
            }
            e.reviewState = ReviewState.REVIEW_STATE_PENDING.name();
            return checkIns.persist(e).map(CheckInService::toProto);
        });
    }

    @WithSession
    public Uni<CheckIn> get(Caller caller, String checkInId) {
        UUID id = Check.uuid("check_in_id", checkInId);
        return checkIns.findById(id).map(e -> {
            if (e == null || !e.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("check-in", checkInId);
            }
            return toProto(e);
        });
    }

    @WithSession
    public Uni<List<CheckIn>> reviewQueue(Caller caller, int pageSize, String pageToken) {
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        String after = PageToken.decode("page_token", pageToken);
        return checkIns.pending(caller.agencyId(), after == null ? null : Check.uuid("page_token", after), size)
                .map(l -> l.stream().map(CheckInService::toProto).toList());
    }

    @WithTransaction
    public Uni<CheckIn> decide(Caller caller, String checkInId, boolean isMatch, String reason) {
        UUID id = Check.uuid("check_in_id", checkInId);
        Check.length("reason", reason, 1, 500);
        return checkIns.findById(id).map(e -> {
            if (e == null || !e.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("check-in", checkInId);
            }
            if (!ReviewState.REVIEW_STATE_PENDING.name().equals(e.reviewState)) {
                throw SentinelException.precondition("check_in_id", "check-in is not waiting for review (state " + e.reviewState + ")");
            }
            e.reviewState = (isMatch ? ReviewState.REVIEW_STATE_CONFIRMED_MATCH : ReviewState.REVIEW_STATE_CONFIRMED_NO_MATCH).name();
            e.reviewedBy = caller.subject();
            e.reviewedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            e.reviewReason = reason;
            return toProto(e);
        });
    }

    static CheckIn toProto(CheckInEntity e) {
        CheckIn.Builder b = CheckIn.newBuilder().setCheckInId(e.checkInId.toString()).setSubjectId(e.subjectId.toString())
                .setCapturedAt(Timestamps.of(e.capturedAt)).setReceivedAt(Timestamps.of(e.receivedAt))
                .setOutcome(VerificationOutcome.valueOf(e.outcome)).setOutcomeReason(e.outcomeReason)
                .setReviewState(ReviewState.valueOf(e.reviewState));
        if (e.similarity != null) {
            b.setSimilarity(e.similarity);
        }
        if (e.reviewedBy != null) {
            b.setReviewedBy(e.reviewedBy).setReviewedAt(Timestamps.of(e.reviewedAt));
        }
        return b.build();
    }
}
