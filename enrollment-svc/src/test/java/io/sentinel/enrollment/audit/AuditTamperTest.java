package io.sentinel.enrollment.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.audit.v1.AuditServiceGrpc;
import io.sentinel.api.audit.v1.VerifyAuditLogRequest;
import io.sentinel.api.audit.v1.VerifyAuditLogResponse;
import io.sentinel.api.enrollment.v1.CreateSubjectRequest;
import io.sentinel.api.enrollment.v1.EnrollmentServiceGrpc;
import io.sentinel.api.enrollment.v1.GetSubjectRequest;
import io.sentinel.common.audit.AuditChainer;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.enrollment.Db;
import io.sentinel.enrollment.Justified;

/**
 * enrollment-svc's audit log resists tampering: what a superuser changes behind the triggers'
 * back is found by VerifyAuditLog (an edited record by its MAC, deleted newest records by the
 * signed checkpoint, a deleted middle record by the gap), and the role the service runs as cannot
 * change, erase, or disarm the log at all. Each case uses its own agency, as chains are per agency.
 */
@QuarkusTest
class AuditTamperTest {
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

    VerifyAuditLogResponse verify(String agency) {
        return AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("audrey", agency, "auditor")))
                .withDeadlineAfter(20, TimeUnit.SECONDS).verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    }

    /**
     * A new agency with five audited calls (a subject created, then read four times), all sealed
     * into its chain and its newest record named by a signed checkpoint.
     */
    String agencyWithFiveSealedRecords() {
        String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        var cw = EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(Justified.bearer(TestTokens.token("alice", agency, "caseworker")))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        String subject = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("s").setSubject(io.sentinel.api.enrollment.v1.Subject
                .newBuilder().setGivenNames("Sam").setFamilyName("Example").setDateOfBirth("1990-04-01").setNationality("GBR")
                .setPreferredLanguage("en")).build()).getSubject().getSubjectId();
        for (int i = 0; i < 4; i++) {
            cw.getSubject(GetSubjectRequest.newBuilder().setSubjectId(subject).build());
        }
        // The scheduled chainer may hold the sealing lock at any moment: seal until this agency has nothing unsealed.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            chainer.sealPending().await().atMost(Duration.ofSeconds(10));
            return count("select count(*) from audit_entry where agency_id = ? and seq is null", agency) == 0;
        });
        assertThat(seqs(agency)).containsExactly(1L, 2L, 3L, 4L, 5L);
        VerifyAuditLogResponse intact = await().atMost(Duration.ofSeconds(30)).until(() -> verify(agency), v -> v.getCheckpointSeq() == 5);
        assertThat(intact.getIntact()).as(intact.getReason()).isTrue();
        assertThat(intact.getRecordsChecked()).isEqualTo(5);
        assertThat(intact.getUnsealedRecords()).isZero();
        assertThat(intact.hasCheckpointWrittenAt()).isTrue();
        return agency;
    }

    static long count(String sql, Object... args) {
        return Long.parseLong(Db.rows(sql, args).get(0).get(0));
    }

    static List<Long> seqs(String agency) {
        return Db.rows("select seq from audit_entry where agency_id = ? order by seq", agency).stream().map(r -> Long.parseLong(r.get(0))).toList();
    }

    /** As the superuser, with triggers bypassed: what only someone holding the database, not the audit key, can do. */
    static void asSuperuserBehindTheTriggers(String sql) throws SQLException {
        Db.execute(Db.SUPERUSER, "set session_replication_role = replica", sql);
    }

    @Test
    void aMiddleRecordEditedBehindTheTriggersIsNamedAsEdited() throws SQLException {
        String agency = agencyWithFiveSealedRecords();
        String edit = "update audit_entry set purpose = 'routine check' where agency_id = '" + agency + "' and seq = 3";
        // Even the superuser is stopped by the trigger; only bypassing it gets through.
        assertThatThrownBy(() -> Db.execute(Db.SUPERUSER, edit)).hasMessageContaining("audit_entry is append-only");
        asSuperuserBehindTheTriggers(edit);

        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(3);
        assertThat(v.getRecordsChecked()).isEqualTo(2);
        assertThat(v.getReason()).isEqualTo("record 3 was edited: its content does not match its MAC");
    }

    @Test
    void theNewestRecordsDeletedBehindTheTriggersAreNamedThanksToTheCheckpoint() throws SQLException {
        String agency = agencyWithFiveSealedRecords();
        asSuperuserBehindTheTriggers("delete from audit_entry where agency_id = '" + agency + "' and seq >= 4");
        assertThat(seqs(agency)).containsExactly(1L, 2L, 3L);

        // What is left is a well-formed chain: only the signed checkpoint outside the database shows the loss.
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(4);
        assertThat(v.getCheckpointSeq()).isEqualTo(5);
        assertThat(v.getReason()).startsWith("records 4 to 5 were deleted: the checkpoint of ").endsWith(" names record 5 but the log ends at 3");
    }

    @Test
    void aMiddleRecordDeletedBehindTheTriggersIsNamedByTheGap() throws SQLException {
        String agency = agencyWithFiveSealedRecords();
        asSuperuserBehindTheTriggers("delete from audit_entry where agency_id = '" + agency + "' and seq = 3");

        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(3);
        assertThat(v.getReason()).isEqualTo("record 3 was deleted (the next record is 4)");
    }

    @Test
    void theServicesOwnDatabaseRoleCannotEraseEditOrDisarmTheLog() {
        String agency = agencyWithFiveSealedRecords();
        long before = count("select count(*) from audit_entry");
        List<String> attempts = List.of(
                "truncate audit_entry",
                "delete from audit_entry",
                "update audit_entry set purpose = 'x'",
                // It may seal unsealed rows, but not reseal sealed ones.
                "update audit_entry set mac = 'x' where agency_id = '" + agency + "'",
                "alter table audit_entry disable trigger all",
                "drop trigger audit_entry_append_only on audit_entry",
                "drop trigger audit_entry_no_truncate on audit_entry",
                "drop table audit_entry",
                "set session_replication_role = replica");
        for (String sql : attempts) {
            assertThatThrownBy(() -> Db.execute(Db.APP, sql)).as(sql).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).as(sql + ": " + e.getMessage()).isEqualTo("42501"));
        }
        assertThat(count("select count(*) from audit_entry")).isGreaterThanOrEqualTo(before);
        assertThat(count("select count(*) from pg_trigger where tgrelid = 'audit_entry'::regclass and tgenabled = 'O' and not tgisinternal"))
                .isEqualTo(2);
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).as(v.getReason()).isTrue();
        assertThat(v.getRecordsChecked()).isEqualTo(5);
    }

    @Test
    void onlyAnAuditorVerifiesAndOnlyTheirOwnAgencysChain() {
        String agency = agencyWithFiveSealedRecords();
        assertThatThrownBy(() -> AuditServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("alice", agency, "caseworker")))
                .verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        // An auditor of an agency with no records here verifies an empty chain: nothing of this agency's is counted.
        VerifyAuditLogResponse other = verify("agency-" + UUID.randomUUID().toString().substring(0, 8));
        assertThat(other.getIntact()).isTrue();
        assertThat(other.getRecordsChecked()).isZero();
    }
}
