package io.sentinel.common.audit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.common.error.PageToken;
import io.sentinel.common.error.SentinelException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads the audit log: an auditor's filtered pages of one agency, and one subject's access log. */
@ApplicationScoped
public class AuditQueries {
    public static final int MAX_PAGE = 500;
    private final Pool pool;

    public AuditQueries(Pool pool) {
        this.pool = pool;
    }

    /** What an auditor asks for; null or blank fields do not filter. */
    public record Filter(String subjectId, String actor, String purposeContains, Instant from, Instant to) {
    }

    /** One stored record: {@code seq} is 0 until it is sealed into the chain. */
    public record Entry(long id, long seq, AuditRecord record) {
    }

    public record Page(List<Entry> entries, String nextPageToken) {
    }

    /** Newest first, a page at a time, of {@code agencyId}'s records only. */
    public Uni<Page> page(String agencyId, Filter f, int pageSize, String pageToken) {
        int size = pageSize == 0 ? 50 : pageSize;
        if (size < 1 || size > MAX_PAGE) {
            throw SentinelException.invalid("page_size", "must be between 1 and " + MAX_PAGE + " (0 means 50)");
        }
        if (f.from() != null && f.to() != null && f.to().isBefore(f.from())) {
            throw SentinelException.invalid("to", "must not be before from");
        }
        long before = Long.MAX_VALUE;
        if (pageToken != null && !pageToken.isBlank()) {
            try {
                before = Long.parseLong(PageToken.decode("page_token", pageToken));
            } catch (NumberFormatException e) {
                throw SentinelException.invalid("page_token", "is not a token this service issued");
            }
        }
        StringBuilder sql = new StringBuilder("select " + AuditRows.COLUMNS + " from audit_entry where agency_id = $1 and id < $2");
        List<Object> args = new ArrayList<>(List.of(agencyId, before));
        if (notBlank(f.subjectId())) {
            args.add(f.subjectId().strip());
            sql.append(" and $").append(args.size()).append(" = any(subject_ids)");
        }
        if (notBlank(f.actor())) {
            args.add(f.actor().strip());
            sql.append(" and actor = $").append(args.size());
        }
        if (notBlank(f.purposeContains())) {
            args.add("%" + f.purposeContains().strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            sql.append(" and purpose ilike $").append(args.size());
        }
        if (f.from() != null) {
            args.add(f.from().atOffset(ZoneOffset.UTC));
            sql.append(" and occurred_at >= $").append(args.size());
        }
        if (f.to() != null) {
            args.add(f.to().atOffset(ZoneOffset.UTC));
            sql.append(" and occurred_at < $").append(args.size());
        }
        sql.append(" order by id desc limit ").append(size + 1);
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(args)).map(rows -> {
            List<Entry> out = new ArrayList<>();
            for (Row r : rows) {
                out.add(entry(r));
            }
            String next = "";
            if (out.size() > size) {
                out = out.subList(0, size);
                next = PageToken.encode(Long.toString(out.get(size - 1).id()));
            }
            return new Page(List.copyOf(out), next);
        });
    }

    /** Every record naming {@code subjectId}, oldest first: who looked at this person's data, when and why. */
    public Uni<List<Entry>> forSubject(SqlClient client, String subjectId) {
        return client.preparedQuery("select " + AuditRows.COLUMNS + " from audit_entry where $1 = any(subject_ids) order by id limit 100000")
                .execute(Tuple.of(subjectId)).map(rows -> {
                    List<Entry> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(entry(r));
                    }
                    return out;
                });
    }

    public Uni<List<Entry>> forSubject(String subjectId) {
        return forSubject(pool, subjectId);
    }

    /**
     * The access log as a subject-access export shows it: who (actor, agency, roles), when, what,
     * why (purpose, reference, grant) and the outcome, from this service.
     */
    public static List<java.util.Map<String, Object>> accessLog(String service, List<Entry> entries) {
        List<java.util.Map<String, Object>> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            AuditRecord r = e.record();
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("service", service);
            m.put("at", r.at().toString());
            m.put("actor", r.actor());
            m.put("agency_id", r.agencyId());
            m.put("roles", r.roles());
            m.put("action", r.action());
            m.put("purpose", r.purpose());
            m.put("reference", r.reference());
            m.put("grant_id", r.grantId());
            m.put("outcome", r.outcome());
            out.add(m);
        }
        return out;
    }

    private static Entry entry(Row r) {
        Long seq = r.getLong("seq");
        return new Entry(r.getLong("id"), seq == null ? 0 : seq, AuditRows.record(r));
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
