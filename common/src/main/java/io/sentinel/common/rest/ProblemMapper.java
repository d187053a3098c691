package io.sentinel.common.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.sentinel.common.error.DatabaseConflicts;
import io.sentinel.common.error.SentinelException;

/** Maps failures of REST calls to RFC 9457 problem responses. */
public class ProblemMapper {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public RestResponse<Problem> sentinel(SentinelException e, UriInfo uri) {
        return problem(e.kind().httpStatus, e.kind().slug, title(e.kind()), e.describe(), uri, e.field());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> unauthorized(UnauthorizedException e, UriInfo uri) {
        return problem(401, "unauthenticated", "Not authenticated", "a valid bearer token is required", uri, null);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> forbidden(ForbiddenException e, UriInfo uri) {
        return problem(403, "permission-denied", "Permission denied", "the token's roles do not allow this call", uri, null);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> databaseUnavailable(io.vertx.pgclient.PgException e, UriInfo uri) {
        return database(e, uri);
    }

    /** Hibernate's wrapping of the same database failures (constraint violations among them). */
    @ServerExceptionMapper
    public RestResponse<Problem> persistence(jakarta.persistence.PersistenceException e, UriInfo uri) {
        return database(e, uri);
    }

    /** Unavailable (503), a constraint the database held against the request (409/422), else 500. */
    private RestResponse<Problem> database(Throwable e, UriInfo uri) {
        if (io.sentinel.common.grpc.DatabaseUnavailable.is(e)) {
            return problem(503, "unavailable", "Unavailable", io.sentinel.common.grpc.DatabaseUnavailable.MESSAGE, uri, null);
        }
        SentinelException refused = DatabaseConflicts.toRefusal(e);
        if (refused != null) {
            return sentinel(refused, uri);
        }
        LOG.error("unexpected database failure in a REST call", e);
        return problem(500, "internal", "Internal error", "internal error", uri, null);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> cannotConnect(java.net.ConnectException e, UriInfo uri) {
        return problem(503, "unavailable", "Unavailable", io.sentinel.common.grpc.DatabaseUnavailable.MESSAGE, uri, null);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> malformedJson(JsonProcessingException e, UriInfo uri) {
        String field = null;
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : jme.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            field = path.toString();
        }
        String detail = "malformed JSON: " + e.getOriginalMessage();
        return problem(400, "malformed-body", "Malformed request body", field == null ? detail : field + ": " + detail, uri, field);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        String reason = Response.Status.fromStatusCode(status) != null ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error";
        return problem(status, "http-" + status, reason, e.getMessage(), uri, null);
    }

    private static RestResponse<Problem> problem(int status, String slug, String title, String detail, UriInfo uri, String field) {
        Problem body = new Problem(Problem.TYPE_BASE + slug, title, status, detail, uri.getPath(), field);
        return RestResponse.ResponseBuilder.<Problem>create(status).entity(body).header("Content-Type", Problem.MEDIA_TYPE).build();
    }

    private static String title(SentinelException.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> "Invalid argument";
            case UNPROCESSABLE -> "Unprocessable request";
            case UNAUTHENTICATED -> "Not authenticated";
            case PERMISSION_DENIED -> "Permission denied";
            case NOT_FOUND -> "Not found";
            case ALREADY_EXISTS -> "Already exists";
            case ABORTED -> "Stale version";
            case FAILED_PRECONDITION -> "Failed precondition";
            case OUT_OF_RANGE -> "Out of range";
            case RESOURCE_EXHAUSTED -> "Too large";
            case UNAVAILABLE -> "Unavailable";
        };
    }
}
