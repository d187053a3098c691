package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.audit.v1.AuditServiceGrpc;
import io.sentinel.api.audit.v1.VerifyAuditLogRequest;
import io.sentinel.api.audit.v1.VerifyAuditLogResponse;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.common.audit.AuditChainer;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.SentinelTestResource;
import io.sentinel.common.testing.TestPostgres;
import io.sentinel.common.testing.TestTokens;

/**
 * rules-svc's audit log resists tampering: whoever edits or deletes sealed records in the database
 * (a superuser, bypassing the append-only trigger) is caught by VerifyAuditLog, which names the
 * record; the role the service runs as cannot edit, delete, truncate or unprotect the log at all.
 * Each case tampers with an agency of its own, since chains are per agency.
 */
@QuarkusTest
class AuditTamperTest {
    static final String DATABASE = "rules_test";

    @Inject
    AuditChainer chainer;

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A fresh agency with {@code reads} audited reads, all sealed into its chain and under a signed checkpoint. */
    String agencyWithSealedRecords(int reads) {
        String agency = "agency-tamper-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < reads; i++) {
            RulesFixtures.caseworker(channel, agency).listAlerts(ListAlertsRequest.getDefaultInstance());
        }
        // The scheduled sealer may hold the sealing lock at the moment; seal until it is all sealed and checkpointed.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            chainer.sealPending().await().atMost(Duration.ofSeconds(10));
            VerifyAuditLogResponse v = verify(agency);
            assertThat(v.getUnsealedRecords()).isZero();
            assertThat(v.getCheckpointSeq()).isEqualTo(reads);
        });
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isTrue();
        assertThat(v.getRecordsChecked()).isEqualTo(reads);
        return agency;
    }

    VerifyAuditLogResponse verify(String agency) {
        return AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("audrey", agency, "auditor")))
                .withDeadlineAfter(10, TimeUnit.SECONDS).verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    }

    /** Runs {@code sql} as the superuser with triggers off, as an intruder with full database access would. */
    static String asSuperuserBypassingTriggers(String sql) {
        return RulesFixtures.psql("set session_replication_role = replica; " + sql);
    }

    @Test
    void anEditedMiddleRecordIsNamedAsEdited() {
        String agency = agencyWithSealedRecords(5);
        asSuperuserBypassingTriggers("update audit_entry set purpose = 'nothing to see here' where agency_id = '" + agency + "' and seq = 3");
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(3);
        assertThat(v.getRecordsChecked()).isEqualTo(2);
        assertThat(v.getReason()).isEqualTo("record 3 was edited: its content does not match its MAC");
    }

    @Test
    void deletedNewestRecordsAreNamedThanksToTheCheckpoint() {
        String agency = agencyWithSealedRecords(5);
        asSuperuserBypassingTriggers("delete from audit_entry where agency_id = '" + agency + "' and seq >= 4");
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(4);
        assertThat(v.getCheckpointSeq()).isEqualTo(5);
        assertThat(v.getReason()).startsWith("records 4 to 5 were deleted: the checkpoint of ").endsWith(" names record 5 but the log ends at 3");
    }

    @Test
    void aDeletedMiddleRecordIsNamedAsAGap() {
        String agency = agencyWithSealedRecords(5);
        asSuperuserBypassingTriggers("delete from audit_entry where agency_id = '" + agency + "' and seq = 2");
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(2);
        assertThat(v.getReason()).isEqualTo("record 2 was deleted (the next record is 3)");
    }

    @Test
    void theServicesOwnDatabaseRoleCannotRewriteOrUnprotectTheLog() {
        String agency = agencyWithSealedRecords(3);
        String count = "select count(*) from audit_entry where agency_id = '" + agency + "'";
        String table = "permission denied for table audit_entry";
        String owner = "must be owner of table audit_entry";
        String ownerOfRelation = "must be owner of relation audit_entry";
        for (List<String> attempt : List.of(
                List.of("truncate audit_entry", table),
                List.of("delete from audit_entry where agency_id = '" + agency + "'", table),
                List.of("update audit_entry set purpose = 'x' where agency_id = '" + agency + "'", table),
                List.of("alter table audit_entry disable trigger all", owner),
                List.of("alter table audit_entry disable trigger audit_entry_append_only", owner),
                List.of("drop trigger audit_entry_append_only on audit_entry", ownerOfRelation),
                List.of("drop trigger audit_entry_no_truncate on audit_entry", ownerOfRelation),
                List.of("drop table audit_entry", owner),
                // The columns it may set (to seal new records) cannot be rewritten on a sealed record.
                List.of("update audit_entry set seq = seq + 100 where agency_id = '" + agency + "'", "audit_entry is append-only"),
                List.of("set session_replication_role = replica", "permission denied to set parameter"))) {
            assertThat(asServiceRole(attempt.get(0))).as(attempt.get(0)).contains("ERROR").contains(attempt.get(1));
        }
        assertThat(asServiceRole(count)).isEqualTo("3");
        assertThat(verify(agency).getIntact()).isTrue();
        // The previous table is read-only for it too.
        assertThat(asServiceRole("insert into audit_log (occurred_at, actor, agency_id, roles, action, outcome)"
                + " values (now(), 'x', 'x', 'x', 'x', 'x')")).contains("permission denied for table audit_log");
    }

    /** Runs {@code sql} as the role the service runs as, over TLS like the service; returns psql's output (errors included). */
    static String asServiceRole(String sql) {
        String conninfo = "host=127.0.0.1 port=" + TestPostgres.port() + " dbname=" + DATABASE + " user=" + SentinelTestResource.APP_ROLE
                + " sslmode=verify-full sslrootcert=" + TestPostgres.caCertificate();
        try {
            Process p = new ProcessBuilder("psql", conninfo, "-v", "ON_ERROR_STOP=1", "-tAc", sql).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return out;
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
