package io.sentinel.common.grpc;

import java.net.ConnectException;

import io.vertx.pgclient.PgException;

/**
 * Recognises failures that mean "the database is not there right now" (refused connections,
 * server shutting down or starting, lost connections), so callers get a retryable UNAVAILABLE
 * or 503 instead of an INTERNAL error.
 */
public final class DatabaseUnavailable {
    public static final String MESSAGE = "the service's database is unavailable; retry later";

    private DatabaseUnavailable() {
    }

    public static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
            if (c instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("57P") || pg.getSqlState().startsWith("08"))) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
