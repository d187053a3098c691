package io.sentinel.biometric;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** What the audit tests read back from {@code audit_entry}, as the service's own role. */
public final class AuditTrail {
    private static final String COLUMNS = "id, seq, agency_id, actor, roles, purpose, reference, grant_id, action, subject_ids, outcome, detail, xmin::text as xmin";

    private AuditTrail() {
    }

    /** One stored record; {@code xmin} is the transaction that wrote this row version. */
    public record Entry(long id, Long seq, String agencyId, String actor, String roles, String purpose, String reference, String grantId,
            String action, List<String> subjectIds, String outcome, String detail, String xmin) {
    }

    /** The records of {@code agency}'s {@code action}, oldest first. */
    public static List<Entry> of(Pool pool, String agency, String action) {
        return query(pool, "select " + COLUMNS + " from audit_entry where agency_id = $1 and action = $2 order by id", Tuple.of(agency, action));
    }

    /** Every record of {@code agency}, oldest first. */
    public static List<Entry> ofAgency(Pool pool, String agency) {
        return query(pool, "select " + COLUMNS + " from audit_entry where agency_id = $1 order by id", Tuple.of(agency));
    }

    /** The records naming {@code subject} with {@code action}, whoever acted, oldest first. */
    public static List<Entry> naming(Pool pool, String subject, String action) {
        return query(pool, "select " + COLUMNS + " from audit_entry where $1 = any(subject_ids) and action = $2 order by id",
                Tuple.of(subject, action));
    }

    /** The transaction that wrote the current version of a business row. */
    public static String xmin(Pool pool, String table, String keyColumn, UUID key) {
        return pool.preparedQuery("select xmin::text from " + table + " where " + keyColumn + " = $1").execute(Tuple.of(key))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getString(0);
    }

    private static List<Entry> query(Pool pool, String sql, Tuple args) {
        List<Entry> out = new ArrayList<>();
        for (Row r : pool.preparedQuery(sql).execute(args).await().atMost(Duration.ofSeconds(10))) {
            out.add(new Entry(r.getLong("id"), r.getLong("seq"), r.getString("agency_id"), r.getString("actor"), r.getString("roles"),
                    r.getString("purpose"), r.getString("reference"), r.getString("grant_id"), r.getString("action"),
                    Arrays.asList(r.getArrayOfStrings("subject_ids")), r.getString("outcome"), r.getString("detail"), r.getString("xmin")));
        }
        return out;
    }
}
