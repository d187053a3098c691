package io.sentinel.common.audit;

import java.util.Arrays;
import java.util.List;

import io.vertx.mutiny.sqlclient.Row;

/** Reading {@code audit_entry} rows. */
final class AuditRows {
    static final String COLUMNS = "id, occurred_at, agency_id, actor, roles, purpose, reference, grant_id, action, subject_ids, outcome, detail,"
            + " seq, prev_mac, mac";

    private AuditRows() {
    }

    static AuditRecord record(Row r) {
        String[] subjects = r.getArrayOfStrings("subject_ids");
        return new AuditRecord(r.getOffsetDateTime("occurred_at").toInstant(), r.getString("agency_id"), r.getString("actor"),
                r.getString("roles"), r.getString("purpose"), r.getString("reference"), r.getString("grant_id"), r.getString("action"),
                subjects == null ? List.of() : Arrays.asList(subjects), r.getString("outcome"), r.getString("detail"));
    }

    static AuditSeal.Sealed sealed(Row r) {
        return new AuditSeal.Sealed(r.getLong("seq"), record(r), r.getString("prev_mac"), r.getString("mac"));
    }
}
