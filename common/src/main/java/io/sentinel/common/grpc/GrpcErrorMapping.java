package io.sentinel.common.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.sentinel.common.error.DatabaseConflicts;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.TokenRefusal;

/**
 * Turns failures into gRPC status codes with a precise description ("latitude: must be within
 * [-90, 90]"). Anything unexpected becomes INTERNAL without leaking internals to the caller.
 */
@ApplicationScoped
public class GrpcErrorMapping implements ExceptionHandlerProvider {
    private static final Logger LOG = Logger.getLogger(GrpcErrorMapping.class);

    /** Trailer naming the offending request field, for clients that want it machine-readable. */
    public static final Metadata.Key<String> FIELD_KEY = Metadata.Key.of("sentinel-field", Metadata.ASCII_STRING_MARSHALLER);
    /**
     * Trailer refining the status code for senders that act on it (e.g. {@code SUBJECT_PURGED}: an
     * outbox parks the message instead of retrying it); see {@link SentinelException#reason()}.
     */
    public static final Metadata.Key<String> REASON_KEY = Metadata.Key.of("sentinel-reason", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable t, ServerCall<ReqT, RespT> call, Metadata metadata) {
                StatusException e = toStatus(t);
                Metadata trailers = e.getTrailers() != null ? e.getTrailers() : new Metadata();
                call.close(e.getStatus(), trailers);
            }
        };
    }

    @Override
    public Throwable transform(Throwable t) {
        return toStatus(t);
    }

    /**
     * The status for a failure, its description ASCII only: gRPC carries descriptions
     * percent-encoded outside printable ASCII, and some clients (grpc-js) hand that encoding to the
     * caller as is, so "got 'Zoë'" would read "got 'Zo%C3%AB'". Other characters are written as
     * Java-style escapes (\u00eb), which read the same everywhere.
     */
    public static StatusException toStatus(Throwable t) {
        StatusException e = mapped(t);
        String d = e.getStatus().getDescription();
        String safe = asciiSafe(d);
        return safe == d ? e : new StatusException(e.getStatus().withDescription(safe), e.getTrailers());
    }

    /** The text with every character outside printable ASCII, and '%', written as \\uXXXX; the same object when none is. */
    public static String asciiSafe(String text) {
        if (text == null || text.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '%')) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '%') {
                out.append(c);
            } else {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static StatusException mapped(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof StatusException se) {
            return se;
        }
        if (cause instanceof StatusRuntimeException sre) {
            return new StatusException(sre.getStatus(), sre.getTrailers());
        }
        if (cause instanceof SentinelException se) {
            Metadata trailers = new Metadata();
            if (se.field() != null) {
                trailers.put(FIELD_KEY, se.field());
            }
            if (se.reason() != null) {
                trailers.put(REASON_KEY, se.reason());
            }
            return new StatusException(code(se.kind()).withDescription(se.describe()), trailers);
        }
        if (DatabaseUnavailable.is(cause)) {
            // Retryable: the caller should back off, not treat it as a bug of ours or theirs.
            return Status.UNAVAILABLE.withDescription(DatabaseUnavailable.MESSAGE).asException();
        }
        SentinelException refused = DatabaseConflicts.toRefusal(cause);
        if (refused != null) {
            // A constraint held against a concurrent request: the caller's answer, not our failure.
            return mapped(refused);
        }
        if (cause instanceof UnauthorizedException || cause instanceof AuthenticationFailedException) {
            String reason = TokenRefusal.reason(cause);
            return Status.UNAUTHENTICATED.withDescription(reason != null ? reason : "a valid bearer token is required").asException();
        }
        if (cause instanceof ForbiddenException) {
            return Status.PERMISSION_DENIED.withDescription("the token's roles do not allow this call").asException();
        }
        LOG.error("unexpected failure in a gRPC call", cause);
        return Status.INTERNAL.withDescription("internal error").asException();
    }

    static Status code(SentinelException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT, UNPROCESSABLE -> Status.INVALID_ARGUMENT;
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case ABORTED -> Status.ABORTED;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
        };
    }

    /**
     * True when a peer refused a call because its subject was purged (FAILED_PRECONDITION with the
     * {@code SUBJECT_PURGED} reason): the message will never be accepted, so a sender parks it.
     */
    public static boolean subjectPurged(Throwable t) {
        Status status = Status.fromThrowable(t);
        Metadata trailers = Status.trailersFromThrowable(t);
        return status.getCode() == Status.Code.FAILED_PRECONDITION && trailers != null
                && SentinelException.SUBJECT_PURGED.equals(trailers.get(REASON_KEY));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof io.smallrye.mutiny.CompositeException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
