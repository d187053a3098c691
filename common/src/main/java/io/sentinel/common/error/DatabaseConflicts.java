package io.sentinel.common.error;

import java.sql.SQLException;

import io.vertx.pgclient.PgException;

/**
 * Recognises refusals the database itself enforces, so they reach callers as what they are and
 * never as INTERNAL: a unique violation (SQLSTATE 23505) is a conflict with a record that exists
 * (ALREADY_EXISTS), a foreign-key violation (23503) a reference to one that does not (any more:
 * FAILED_PRECONDITION), and a serialization failure or deadlock (40001, 40P01) a concurrent change
 * the caller may simply retry (ABORTED). Services that know what a constraint means map it
 * themselves first with a precise message ({@link #violates}); this is the fallback for the rest.
 * Messages name the constraint, never the conflicting values (they may be personal data).
 */
public final class DatabaseConflicts {
    public static final String UNIQUE_VIOLATION = "23505";
    public static final String FOREIGN_KEY_VIOLATION = "23503";
    public static final String SERIALIZATION_FAILURE = "40001";
    public static final String DEADLOCK_DETECTED = "40P01";

    private DatabaseConflicts() {
    }

    /** What the database said: its SQLSTATE and, where it names one, the constraint. */
    public record Violation(String sqlState, String constraint) {
    }

    /** The first database refusal in {@code t}'s cause chain, or null. */
    public static Violation find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PgException pg && pg.getSqlState() != null) {
                return new Violation(pg.getSqlState(), pg.getConstraint());
            }
            if (c instanceof org.hibernate.exception.ConstraintViolationException cv && cv.getSQLState() != null) {
                // Hibernate Reactive wraps the client's error; its own cause may carry the constraint too.
                Violation inner = find(cv.getCause());
                return new Violation(inner != null ? inner.sqlState() : cv.getSQLState(),
                        inner != null && inner.constraint() != null ? inner.constraint() : cv.getConstraintName());
            }
            if (c instanceof org.hibernate.JDBCException jdbc && jdbc.getSQLState() != null) {
                Violation inner = find(jdbc.getCause());
                return inner != null ? inner : new Violation(jdbc.getSQLState(), null);
            }
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                return new Violation(sql.getSQLState(), null);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /** True when {@code t} is a violation of the named constraint (or unique index) with {@code sqlState}. */
    public static boolean violates(Throwable t, String sqlState, String constraint) {
        Violation v = find(t);
        return v != null && sqlState.equals(v.sqlState()) && constraint.equals(v.constraint());
    }

    /** True when {@code t} is a unique violation of the named constraint or unique index. */
    public static boolean uniqueViolation(Throwable t, String constraint) {
        return violates(t, UNIQUE_VIOLATION, constraint);
    }

    /** The refusal {@code t} means to a caller, or null when it is not one of these database refusals. */
    public static SentinelException toRefusal(Throwable t) {
        Violation v = find(t);
        if (v == null) {
            return null;
        }
        String which = v.constraint() == null ? "" : " (" + v.constraint() + ")";
        return switch (v.sqlState()) {
            case UNIQUE_VIOLATION -> SentinelException.alreadyExists(null,
                    "the request conflicts with a record that already exists" + which + "; read it before retrying");
            case FOREIGN_KEY_VIOLATION -> SentinelException.precondition(null,
                    "the request refers to a record that does not exist or was just removed" + which);
            case SERIALIZATION_FAILURE, DEADLOCK_DETECTED -> new SentinelException(SentinelException.Kind.ABORTED, null,
                    "a concurrent change got in the way; retry the request");
            default -> null;
        };
    }
}
