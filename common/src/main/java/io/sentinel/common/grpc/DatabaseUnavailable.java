package io.sentinel.common.grpc;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;

import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;

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

    /**
     * The connection went away under a statement (the server restarted or the network dropped it
     * mid-batch): the client reports that without an SQL state, so it used to surface as INTERNAL
     * before the next attempt met a refused connection and answered UNAVAILABLE.
     */
    static boolean lostConnection(Throwable c) {
        if (c instanceof ClosedConnectionException || c instanceof ClosedChannelException) {
            return true;
        }
        String m = c.getMessage();
        if (m == null) {
            return false;
        }
        if (c instanceof VertxException || "io.vertx.core.impl.NoStackTraceThrowable".equals(c.getClass().getName())) {
            return m.equals("Connection was closed") || m.startsWith("Connection is not active now") || m.startsWith("Pool closed");
        }
        return c instanceof IOException && (m.contains("Connection reset") || m.contains("Broken pipe"));
    }

    public static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || lostConnection(c)) {
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
