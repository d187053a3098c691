package io.sentinel.common.error;

/**
 * A failure the caller must be told about precisely. One type crosses both edges: gRPC maps
 * {@link Kind} to a status code, REST to an HTTP status and an RFC 9457 problem body.
 */
public class SentinelException extends RuntimeException {

    /** What went wrong, independent of the protocol. */
    public enum Kind {
        INVALID_ARGUMENT(400, "invalid-argument"),
        UNPROCESSABLE(422, "unprocessable"),
        UNAUTHENTICATED(401, "unauthenticated"),
        PERMISSION_DENIED(403, "permission-denied"),
        NOT_FOUND(404, "not-found"),
        ALREADY_EXISTS(409, "already-exists"),
        ABORTED(409, "stale-version"),
        FAILED_PRECONDITION(422, "failed-precondition"),
        /** A value valid in itself but outside what the system now accepts (a fix outside its order's window). */
        OUT_OF_RANGE(422, "out-of-range"),
        RESOURCE_EXHAUSTED(413, "too-large"),
        UNAVAILABLE(503, "unavailable");

        public final int httpStatus;
        public final String slug;

        Kind(int httpStatus, String slug) {
            this.httpStatus = httpStatus;
            this.slug = slug;
        }
    }

    private final Kind kind;
    private final String field;
    private final String reason;

    public SentinelException(Kind kind, String field, String message) {
        this(kind, field, message, null);
    }

    /**
     * {@code reason} is a machine-readable refinement of {@code kind} that senders act on (gRPC
     * trailer {@code sentinel-reason}), such as {@link #SUBJECT_PURGED}; null for none.
     */
    public SentinelException(Kind kind, String field, String message, String reason) {
        super(message);
        this.kind = kind;
        this.field = field;
        this.reason = reason;
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null when the failure is not about one field. */
    public String field() {
        return field;
    }

    /** The machine-readable refinement of the kind, or null. */
    public String reason() {
        return reason;
    }

    /** "field: message" when a field is named, else the message. */
    public String describe() {
        return field == null ? getMessage() : field + ": " + getMessage();
    }

    public static SentinelException invalid(String field, String message) {
        return new SentinelException(Kind.INVALID_ARGUMENT, field, message);
    }

    public static SentinelException notFound(String what, String id) {
        return new SentinelException(Kind.NOT_FOUND, null, what + " " + id + " not found");
    }

    public static SentinelException alreadyExists(String field, String message) {
        return new SentinelException(Kind.ALREADY_EXISTS, field, message);
    }

    public static SentinelException stale(String message) {
        return new SentinelException(Kind.ABORTED, "version", message);
    }

    public static SentinelException denied(String message) {
        return new SentinelException(Kind.PERMISSION_DENIED, null, message);
    }

    public static SentinelException unauthenticated(String message) {
        return new SentinelException(Kind.UNAUTHENTICATED, null, message);
    }

    public static SentinelException precondition(String field, String message) {
        return new SentinelException(Kind.FAILED_PRECONDITION, field, message);
    }

    /**
     * Reason of a refusal because the subject was purged: a tombstone of its id refuses anything
     * more about it. Permanent: a sender parks the message rather than retrying it.
     */
    public static final String SUBJECT_PURGED = "SUBJECT_PURGED";

    /** FAILED_PRECONDITION naming {@code field}: the subject was purged and nothing more is accepted for it. */
    public static SentinelException purged(String field, String subjectId, String purge) {
        return new SentinelException(Kind.FAILED_PRECONDITION, field, "subject " + subjectId + " was purged (" + purge
                + "); nothing more is accepted for it", SUBJECT_PURGED);
    }

    /** OUT_OF_RANGE naming {@code field}: see {@link Kind#OUT_OF_RANGE}. */
    public static SentinelException outOfRange(String field, String message) {
        return new SentinelException(Kind.OUT_OF_RANGE, field, message);
    }

    public static SentinelException tooLarge(String field, String message) {
        return new SentinelException(Kind.RESOURCE_EXHAUSTED, field, message);
    }
}
