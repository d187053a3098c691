package io.sentinel.common.audit;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Verifies one agency's audit chain against its key and its newest signed checkpoint. */
@ApplicationScoped
public class AuditVerifier {
    private static final int PAGE = 1000;
    private final Pool pool;
    private final AuditSeal seal;
    private final CheckpointSink checkpoints;

    public AuditVerifier(Pool pool, AuditSeal seal, CheckpointSink checkpoints) {
        this.pool = pool;
        this.seal = seal;
        this.checkpoints = checkpoints;
    }

    /** The verdict, the checkpoint it was held against (null when none yet) and how many records await sealing. */
    public record Report(ChainCheck.Verdict verdict, ChainCheck.Checkpoint checkpoint, long unsealed) {
    }

    public Uni<Report> verify(String agencyId) {
        return Uni.createFrom().item(() -> checkpoints.newest(agencyId)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(cp -> pool.withConnection(c -> {
                    ChainCheck check = new ChainCheck(seal, cp);
                    return page(c, agencyId, 0, check).flatMap(v -> c.preparedQuery(
                            "select count(*) from audit_entry where agency_id = $1 and seq is null").execute(Tuple.of(agencyId))
                            .map(rows -> new Report(v, cp, rows.iterator().next().getLong(0))));
                }));
    }

    private Uni<ChainCheck.Verdict> page(SqlConnection c, String agency, long afterSeq, ChainCheck check) {
        return c.preparedQuery("select " + AuditRows.COLUMNS + " from audit_entry where agency_id = $1 and seq > $2 order by seq limit " + PAGE)
                .execute(Tuple.of(agency, afterSeq)).flatMap(rows -> {
                    List<AuditSeal.Sealed> page = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        page.add(AuditRows.sealed(r));
                    }
                    if (!check.accept(page) || page.size() < PAGE) {
                        return Uni.createFrom().item(check.verdict());
                    }
                    return page(c, agency, page.get(page.size() - 1).seq(), check);
                });
    }
}
