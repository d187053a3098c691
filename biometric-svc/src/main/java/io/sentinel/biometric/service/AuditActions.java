package io.sentinel.biometric.service;

/** The action names biometric-svc writes to its audit log ("<resource>.<verb>"), one place so tests and auditors can rely on them. */
public final class AuditActions {
    /** A check-in's result (GetCheckIn). */
    public static final String CHECK_IN_READ = "checkin.read";
    /** The review queue, a page of pending check-ins (ListReviewQueue, REST GET /api/v1/review-queue). */
    public static final String REVIEW_QUEUE_LIST = "review_queue.list";
    /** A check-in photo (REST .../probe). */
    public static final String CHECK_IN_PHOTO_READ = "checkin_photo.read";
    /** The list of a subject's references (REST .../references). */
    public static final String REFERENCE_LIST = "reference.list";
    /** A reference photo (REST .../references/{referenceId}). */
    public static final String REFERENCE_PHOTO_READ = "reference_photo.read";
    /** A subject's open prompts, read by a person (ListOpenPrompts by a caseworker). */
    public static final String PROMPTS_READ = "prompts.read";
    /** The per-group report: aggregates, no subjects, but still a stated read. */
    public static final String GROUP_REPORT_READ = "group_report.read";

    /** A reviewer's decision on a check-in. */
    public static final String REVIEW_DECIDE = "review.decide";
    /** A check-in photo submitted and verified. */
    public static final String CHECK_IN_SUBMIT = "checkin.submit";
    /** A reference photo enrolled. */
    public static final String REFERENCE_ENROL = "reference.enrol";
    /** A check-in schedule from enrollment-svc (internal). */
    public static final String SCHEDULE_PUT = "schedule.put";
    /** The sharing grants in force for a subject, from enrollment-svc (internal). */
    public static final String GRANTS_PUT = "grants.put";
    /** A retention purge from enrollment-svc (internal). */
    public static final String SUBJECT_PURGE = "subject.purge";
    /** A subject-access export for enrollment-svc (internal). */
    public static final String SUBJECT_EXPORT = "subject.export";

    private AuditActions() {
    }
}
