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
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.biometric.v1.ReviewState;
import io.sentinel.api.biometric.v1.VerificationOutcome;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.purge.PurgedSubjects;
import io.sentinel.common.error.PageToken;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.util.Uuids;
import io.sentinel.common.window.OrderWindow;
import io.sentinel.api.internal.v1.CheckInEventKind;
import io.sentinel.biometric.repository.CheckInEntity;
import io.sentinel.biometric.repository.CheckInEventEntity;
import io.sentinel.biometric.repository.ReferenceEntity;
import io.sentinel.biometric.repository.Repositories;
import io.sentinel.biometric.repository.ScheduleEntity;
import io.sentinel.biometric.verification.CleanPhoto;
import io.sentinel.biometric.verification.FaceRejectedException;
import io.sentinel.biometric.verification.FaceVerifier;
import io.smallrye.mutiny.Uni;

/**
 * Check-ins and their human review. Anything the algorithm does not clearly MATCH goes to a
 * reviewer; nothing here treats an algorithm's failure as the person's non-compliance. Every read
 * of a check-in, photo or reference goes through {@link AuditLog#read} (purpose and reference
 * required); every change writes its audit record in its own transaction.
 */
@ApplicationScoped
public class CheckInService {
    static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(5);
    /** Said plainly on every check-in verified while no face model is installed. */
    static final String NO_MODEL = "no face model is configured: a reviewer must compare the photo";

    private final Repositories.Schedules schedules;
    private final Repositories.References references;
    private final Repositories.CheckIns checkIns;
    private final Repositories.CheckInEvents events;
    private final int maxImageBytes;
    private final TemplateCipher cipher;
    private final FaceVerification face;
    private final AuditLog audit;

    public CheckInService(Repositories.Schedules schedules, Repositories.References references, Repositories.CheckIns checkIns,
            Repositories.CheckInEvents events, @ConfigProperty(name = "sentinel.biometric.max-image-bytes") int maxImageBytes, TemplateCipher cipher,
            FaceVerification face, AuditLog audit) {
        this.audit = audit;
        this.schedules = schedules;
        this.references = references;
        this.checkIns = checkIns;
        this.events = events;
        this.maxImageBytes = maxImageBytes;
        this.cipher = cipher;
        this.face = face;
    }

    /** What the algorithm said about a check-in photo, computed off the event loop before storing. */
    public record Verdict(VerificationOutcome outcome, String reason, Double similarity) {
    }

    /**
     * A check-in photo ready to store: re-encoded without metadata, or null when it cannot be kept
     * (wrong type, too large, undecodable; raw upload bytes are never stored), and its verdict.
     */
    public record CheckedPhoto(CleanPhoto.Stored photo, Verdict verdict) {
    }

    /** A reference photo ready to store: re-encoded without metadata, with the template of its face. */
    public record PreparedReference(CleanPhoto.Stored photo, FaceVerifier.Extraction extraction) {
    }

    /** The subject's reference templates usable with the installed model, and how many need re-enrolment. */
    public record References(List<float[]> usable, int stale) {
    }

    /** Checks the photo's type and size; a bad photo is still recorded, as INCONCLUSIVE with the reason. */
    public String imageProblem(byte[] image, String contentType) {
        try {
            ImageChecks.check("image", image, contentType, maxImageBytes);
            return null;
        } catch (SentinelException bad) {
            return bad.describe();
        }
    }

    @WithSession
    public Uni<References> referencesFor(Caller caller, String subjectId) {
        UUID subject = Check.uuid("subject_id", subjectId);
        return monitored(caller, subject).flatMap(s -> references.list("subjectId = ?1 and template is not null", subject)).map(refs -> {
            String model = face.modelId().orElse(null);
            List<float[]> usable = new java.util.ArrayList<>();
            int stale = 0;
            for (ReferenceEntity r : refs) {
                if (model != null && model.equals(r.modelId)) {
                    usable.add(cipher.decrypt(r.template, subjectId, r.modelId));
                } else {
                    stale++;
                }
            }
            return new References(usable, stale);
        });
    }

    /**
     * Removes the metadata of a check-in photo and runs the face model on its upright pixels; a
     * pure function of its inputs (tens of milliseconds of CPU), for a worker thread.
     */
    public CheckedPhoto check(byte[] image, String contentType, References refs) {
        String problem = imageProblem(image, contentType);
        if (problem != null) {
            return new CheckedPhoto(null, new Verdict(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE, problem, null));
        }
        CleanPhoto clean;
        try {
            clean = CleanPhoto.of(image);
        } catch (FaceRejectedException undecodable) {
            // Nothing to re-encode, so nothing is kept; the check-in is still recorded for a person to follow up.
            return new CheckedPhoto(null, new Verdict(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE, undecodable.getMessage(), null));
        }
        return new CheckedPhoto(clean.stored(), verdict(clean, refs));
    }

    private Verdict verdict(CleanPhoto photo, References refs) {
        if (!face.available()) {
            return new Verdict(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE, NO_MODEL, null);
        }
        if (refs.usable().isEmpty()) {
            return new Verdict(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE, refs.stale() > 0
                    ? "the references were made with another face model: the subject must be re-enrolled"
                    : "no reference image is enrolled for this subject", null);
        }
        var r = face.verify(photo.pixels(), refs.usable());
        return switch (r.decision()) {
            case MATCH -> new Verdict(VerificationOutcome.VERIFICATION_OUTCOME_MATCH, "similarity at or above the match threshold", r.similarity());
            case NO_MATCH -> new Verdict(VerificationOutcome.VERIFICATION_OUTCOME_NO_MATCH,
                    "similarity below the no-match threshold: a reviewer must decide", r.similarity());
            case INCONCLUSIVE -> new Verdict(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE,
                    "similarity between the thresholds: a reviewer must decide", r.similarity());
            case REJECTED -> new Verdict(VerificationOutcome.VERIFICATION_OUTCOME_INCONCLUSIVE, r.reason(), null);
        };
    }

    /**
     * Withdraws the subject's prompts not yet answered that the schedule no longer allows: all of them
     * when monitoring has ended, else those outside the order's window (a window shortened by EndOrder).
     * Drawn prompts are never revealed before their moment, so nobody was told of them.
     */
    private Uni<Void> withdrawPrompts(ScheduleEntity s) {
        return schedules.getSession().flatMap(session -> session.createNativeQuery("""
                delete from check_in_prompt where subject_id = ?1 and state = 'PENDING'
                  and (not ?2 or prompt_at < coalesce(cast(cast(?3 as text) as timestamptz), '-infinity')
                       or prompt_at >= coalesce(cast(cast(?4 as text) as timestamptz), 'infinity'))""")
                .setParameter(1, s.subjectId).setParameter(2, s.active)
                .setParameter(3, s.orderStartsAt == null ? null : s.orderStartsAt.toString())
                .setParameter(4, s.orderEndsAt == null ? null : s.orderEndsAt.toString()).executeUpdate()).replaceWithVoid();
    }

    /** Applies enrollment-svc's schedule; the change (or the no-op of an older version) is recorded in its transaction. */
    @WithTransaction
    public Uni<Long> putSchedule(Caller caller, Justification why, PutCheckInScheduleRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        Check.required("owning_agency_id", r.getOwningAgencyId());
        if (r.getPerDay() < 0 || r.getPerDay() > 5) {
            throw SentinelException.invalid("per_day", "must be 0 to 5, got " + r.getPerDay());
        }
        OrderWindow window = OrderWindow.of("order_", r.getOrderStartsAt(), r.getOrderEndsAt());
        // A purged subject's tombstone refuses a schedule that arrives late (its lock before any other).
        return schedules.getSession().flatMap(s -> PurgedSubjects.refuseIfPurged(s, "subject_id", subject))
                .chain(() -> schedules.findById(subject)).flatMap(existing -> {
            if (existing != null && existing.version >= r.getVersion()) {
                return record(caller, why, AuditActions.SCHEDULE_PUT, subject,
                        "version " + r.getVersion() + " not newer than " + existing.version + ": unchanged").replaceWith(existing.version);
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
            e.demographicGroup = r.getDemographicGroup().isBlank() ? null : r.getDemographicGroup().strip();
            e.orderStartsAt = window.startsAt();
            e.orderEndsAt = window.endsAt();
            e.updatedAt = Instant.now();
            return (existing != null ? Uni.createFrom().item(e) : schedules.persist(e))
                    .call(s -> withdrawPrompts(s))
                    .call(s -> record(caller, why, AuditActions.SCHEDULE_PUT, subject, "version " + s.version)).map(s -> s.version);
        });
    }

    /** Writes the record of a change in the current Hibernate transaction, so it commits (or not) with the change. */
    private Uni<Void> record(Caller caller, Justification why, String action, UUID subject, String detail) {
        return checkIns.getSession().flatMap(s -> audit.write(s, AuditRecord.of(caller, why, action, List.of(subject.toString()),
                AuditRecord.ALLOWED, detail)));
    }

    /** Checks that the caller's agency owns the subject (NOT_FOUND otherwise). */
    @WithSession
    public Uni<UUID> ownedSubject(Caller caller, String subjectId) {
        UUID subject = Check.uuid("subject_id", subjectId);
        return monitored(caller, subject).map(s -> subject);
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

    /**
     * Removes the metadata of a reference photo (checked with {@link #imageProblem} already) and
     * extracts its face's template from the upright pixels; for a worker thread.
     *
     * @throws SentinelException INVALID_ARGUMENT naming {@code image} when the photo cannot be
     *         decoded or its face is unusable as a reference
     */
    public PreparedReference prepareReference(byte[] image) {
        try {
            CleanPhoto clean = CleanPhoto.of(image);
            return new PreparedReference(clean.stored(), face.enrol(clean.pixels()));
        } catch (FaceRejectedException e) {
            throw SentinelException.invalid("image", e.getMessage());
        }
    }

    @WithTransaction
    public Uni<ReferenceEntity> enrolReference(Caller caller, Justification why, String subjectId, PreparedReference prepared) {
        UUID subject = Check.uuid("subject_id", subjectId);
        FaceVerifier.Extraction extraction = prepared.extraction();
        return monitored(caller, subject).flatMap(s -> {
            ReferenceEntity e = new ReferenceEntity();
            e.referenceId = Uuids.v7();
            e.subjectId = subject;
            e.contentType = prepared.photo().contentType();
            e.image = prepared.photo().bytes();
            e.modelId = extraction.modelId();
            e.template = cipher.encrypt(extraction.embedding(), subject.toString(), extraction.modelId());
            e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return references.persist(e).call(ref -> record(caller, why, AuditActions.REFERENCE_ENROL, subject, "reference " + ref.referenceId));
        });
    }

    @WithTransaction
    public Uni<CheckIn> submit(Caller caller, Justification why, String subjectId, com.google.protobuf.Timestamp capturedAt, String contentType,
            CheckedPhoto checked) {
        Verdict verdict = checked.verdict();
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
            // Only the re-encoded photo is stored, never the upload's bytes; a bad photo is kept out
            // of storage but its check-in is recorded, for a person to follow up.
            e.contentType = checked.photo() != null ? checked.photo().contentType() : contentType;
            e.image = checked.photo() != null ? checked.photo().bytes() : null;
            e.outcome = verdict.outcome().name();
            e.outcomeReason = verdict.reason();
            e.similarity = verdict.similarity();
            // Only a clear MATCH skips review; anything else is for a person to decide.
            e.reviewState = (verdict.outcome() == VerificationOutcome.VERIFICATION_OUTCOME_MATCH ? ReviewState.REVIEW_STATE_NOT_REQUIRED
                    : ReviewState.REVIEW_STATE_PENDING).name();
            return checkIns.persist(e).flatMap(saved -> answerPrompt(saved))
                    .call(x -> record(caller, why, AuditActions.CHECK_IN_SUBMIT, subject, "check-in " + e.checkInId))
                    .map(x -> toProto(e));
        });
    }

    /**
     * A check-in received while a prompt is open (between its moment and its deadline) answers the
     * earliest such prompt. Server receipt time decides, not the device's claimed capture time.
     */
    private Uni<Integer> answerPrompt(CheckInEntity e) {
        return checkIns.getSession().flatMap(s -> s.createNativeQuery("""
                update check_in_prompt set state = 'ANSWERED', check_in_id = :checkIn
                where prompt_id = (select prompt_id from check_in_prompt
                                   where subject_id = :subject and state = 'PENDING' and prompt_at <= :at and deadline_at > :at
                                   order by prompt_at limit 1)""")
                .setParameter("checkIn", e.checkInId).setParameter("subject", e.subjectId).setParameter("at", e.receivedAt)
                .executeUpdate());
    }

    /** One check-in's result, recorded with its subject. */
    @WithSession
    public Uni<CheckIn> get(Caller caller, Justification why, String checkInId) {
        return audit.read(caller, why, AuditActions.CHECK_IN_READ, List.of(), () -> ownedCheckIn(caller, checkInId).map(CheckInService::toProto),
                c -> List.of(c.getSubjectId()));
    }

    /** A stored photo with its declared type, and whose it is. */
    public record Photo(String subjectId, String contentType, byte[] bytes) {
    }

    /** A reference of the subject a check-in belongs to, as the reviewer's tool lists it. */
    public record ReferenceInfo(String referenceId, Instant createdAt, String modelId, boolean imageHeld) {
    }

    private record SubjectReferences(String subjectId, List<ReferenceInfo> references) {
    }

    /** The check-in photo, for the reviewer to compare with the references. */
    @WithSession
    public Uni<Photo> probePhoto(Caller caller, Justification why, String checkInId) {
        return audit.read(caller, why, AuditActions.CHECK_IN_PHOTO_READ, List.of(), () -> probe(caller, checkInId), p -> List.of(p.subjectId()));
    }

    private Uni<Photo> probe(Caller caller, String checkInId) {
        return ownedCheckIn(caller, checkInId).map(e -> {
            if (e.image == null) {
                throw new SentinelException(SentinelException.Kind.NOT_FOUND, null, e.imageDeletedAt != null
                        ? "the photo of check-in " + checkInId + " was deleted at " + e.imageDeletedAt + " after the retention period"
                        : "the photo of check-in " + checkInId + " was not stored: " + e.outcomeReason);
            }
            return new Photo(e.subjectId.toString(), e.contentType, e.image);
        });
    }

    /** The references of the check-in's subject, newest first. */
    @WithSession
    public Uni<List<ReferenceInfo>> referencesOfCheckIn(Caller caller, Justification why, String checkInId) {
        return audit.read(caller, why, AuditActions.REFERENCE_LIST, List.of(), () -> ownedCheckIn(caller, checkInId)
                .flatMap(e -> references.list("subjectId = ?1 order by createdAt desc", e.subjectId)
                        .map(l -> new SubjectReferences(e.subjectId.toString(),
                                l.stream().map(r -> new ReferenceInfo(r.referenceId.toString(), r.createdAt, r.modelId, r.image != null)).toList()))),
                s -> List.of(s.subjectId())).map(SubjectReferences::references);
    }

    /** One reference photo of the check-in's subject. */
    @WithSession
    public Uni<Photo> referencePhoto(Caller caller, Justification why, String checkInId, String referenceId) {
        return audit.read(caller, why, AuditActions.REFERENCE_PHOTO_READ, List.of(), () -> reference(caller, checkInId, referenceId),
                p -> List.of(p.subjectId()));
    }

    private Uni<Photo> reference(Caller caller, String checkInId, String referenceId) {
        UUID ref = Check.uuid("reference_id", referenceId);
        return ownedCheckIn(caller, checkInId).flatMap(e -> references.findById(ref).map(r -> {
            if (r == null || !r.subjectId.equals(e.subjectId)) {
                throw SentinelException.notFound("reference of the check-in's subject", referenceId);
            }
            if (r.image == null) {
                throw new SentinelException(SentinelException.Kind.NOT_FOUND, null,
                        "reference photo " + referenceId + " was deleted at " + r.imageDeletedAt + " after the retention period");
            }
            return new Photo(r.subjectId.toString(), r.contentType, r.image);
        }));
    }

    private Uni<CheckInEntity> ownedCheckIn(Caller caller, String checkInId) {
        UUID id = Check.uuid("check_in_id", checkInId);
        return checkIns.findById(id).map(e -> {
            if (e == null || !e.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("check-in", checkInId);
            }
            return e;
        });
    }

    /** A page of the caller's agency's review queue, recorded with every subject on it. */
    @WithSession
    public Uni<List<CheckIn>> reviewQueue(Caller caller, Justification why, int pageSize, String pageToken) {
        return audit.read(caller, why, AuditActions.REVIEW_QUEUE_LIST, List.of(), () -> {
            int size = Check.pageSize("page_size", pageSize, 50, 500);
            String after = PageToken.decode("page_token", pageToken);
            return checkIns.pending(caller.agencyId(), after == null ? null : Check.uuid("page_token", after), size)
                    .map(l -> l.stream().map(CheckInService::toProto).toList());
        }, AuditLog.each(CheckIn::getSubjectId));
    }

    /** A reviewer's final decision; its audit record commits with it (and with the NO_MATCH event). */
    @WithTransaction
    public Uni<CheckIn> decide(Caller caller, Justification why, String checkInId, boolean isMatch, String reason) {
        UUID id = Check.uuid("check_in_id", checkInId);
        Check.length("reason", reason, 1, 500);
        return checkIns.findById(id).flatMap(e -> {
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
            Uni<Void> recorded = record(caller, why, AuditActions.REVIEW_DECIDE, e.subjectId, "check-in " + e.checkInId);
            if (isMatch) {
                return recorded.map(x -> toProto(e));
            }
            // Only a person's confirmation makes a failed check-in; the event commits with the decision.
            CheckInEventEntity event = new CheckInEventEntity();
            event.eventId = UUID.randomUUID();
            event.subjectId = e.subjectId;
            event.kind = CheckInEventKind.CHECK_IN_EVENT_KIND_FAILED_CONFIRMED.name();
            event.checkInId = e.checkInId;
            event.reviewedBy = e.reviewedBy;
            event.occurredAt = e.reviewedAt;
            return events.persist(event).call(x -> recorded).map(x -> toProto(e));
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
