package io.sentinel.biometric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
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
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.sentinel.api.audit.v1.AuditServiceGrpc;
import io.sentinel.api.audit.v1.VerifyAuditLogRequest;
import io.sentinel.api.audit.v1.VerifyAuditLogResponse;
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.ListReviewQueueRequest;
import io.sentinel.common.audit.AuditChainer;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.SentinelTestResource;
import io.sentinel.common.testing.TestPostgres;
import io.sentinel.common.testing.TestTokens;

/**
 * biometric-svc's audit log resists tampering: whoever edits or deletes records with the database's
 * superuser (bypassing the append-only trigger) is caught by {@code AuditService/VerifyAuditLog},
 * which names the record; and the role the service runs as cannot edit, delete, truncate, or
 * disable or drop the trigger at all. Each case has its own agency, since chains are per agency.
 */
@QuarkusTest
@TestProfile(ManualSealing.class)
class AuditTamperTest {
    static final String DATABASE = "biometric_test";

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

    static String newAgency() {
        return "agency-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** {@code n} audited reads by a reviewer of {@code agency}, sealed into its chain (seq 1 to n). */
    void sealedRecords(String agency, int n) {
        var reviewer = BiometricServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("rita", agency, "reviewer")))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        for (int i = 1; i <= n; i++) {
            Justify.grpc(reviewer, "daily review", "queue-check-" + i).listReviewQueue(ListReviewQueueRequest.getDefaultInstance());
        }
        chainer.sealPending().await().atMost(Duration.ofSeconds(30));
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isTrue();
        assertThat(v.getRecordsChecked()).isEqualTo(n);
        assertThat(v.getCheckpointSeq()).isEqualTo(n);
        assertThat(v.getUnsealedRecords()).isZero();
    }

    VerifyAuditLogResponse verify(String agency) {
        return AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("audrey", agency, "auditor")))
                .withDeadlineAfter(30, TimeUnit.SECONDS).verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    }

    static Connection connect(String role) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", role);
        p.setProperty("sslmode", "verify-full");
        p.setProperty("sslrootcert", TestPostgres.caCertificate());
        return new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:" + TestPostgres.port() + "/" + DATABASE, p);
    }

    /** Runs {@code sql} (one {@code ?}: the agency) as the superuser, with triggers off, as an intruder with full access would. */
    static int asSuperuser(String sql, String agency) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("set session_replication_role = replica");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, agency);
                return ps.executeUpdate();
            }
        }
    }

    @Test
    void aMiddleRecordEditedByTheSuperuserIsNamedAsEdited() throws SQLException {
        String agency = newAgency();
        sealedRecords(agency, 5);

        assertThat(asSuperuser("update audit_entry set purpose = 'nothing to see' where agency_id = ? and seq = 3", agency)).isEqualTo(1);

        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(3);
        assertThat(v.getRecordsChecked()).isEqualTo(2);
        assertThat(v.getReason()).isEqualTo("record 3 was edited: its content does not match its MAC");
    }

    @Test
    void theNewestRecordsDeletedByTheSuperuserAreNamedThanksToTheCheckpoint() throws SQLException {
        String agency = newAgency();
        sealedRecords(agency, 5);

        assertThat(asSuperuser("delete from audit_entry where agency_id = ? and seq >= 4", agency)).isEqualTo(2);

        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(4);
        assertThat(v.getCheckpointSeq()).isEqualTo(5);
        assertThat(v.getReason()).startsWith("records 4 to 5 were deleted: the checkpoint of ").endsWith(" names record 5 but the log ends at 3");
    }

    @Test
    void aMiddleRecordDeletedByTheSuperuserIsNamedAsAGap() throws SQLException {
        String agency = newAgency();
        sealedRecords(agency, 5);

        assertThat(asSuperuser("delete from audit_entry where agency_id = ? and seq = 3", agency)).isEqualTo(1);

        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(3);
        assertThat(v.getReason()).isEqualTo("record 3 was deleted (the next record is 4)");
    }

    @Test
    void theServicesOwnRoleCanNeitherRewriteNorEraseTheLogNorDisarmItsTriggers() throws SQLException {
        String agency = newAgency();
        sealedRecords(agency, 3);

        try (Connection c = connect(SentinelTestResource.APP_ROLE)) {
            try (Statement s = c.createStatement(); var rs = s.executeQuery("select current_user")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(SentinelTestResource.APP_ROLE);
            }
            String quoted = "'" + agency + "'";
            for (String sql : new String[] {
                    "truncate audit_entry",
                    "delete from audit_entry where agency_id = " + quoted,
                    "update audit_entry set purpose = 'x' where agency_id = " + quoted,
                    // The seal columns it may write, but not once a record is sealed: the trigger refuses.
                    "update audit_entry set seq = seq + 100 where agency_id = " + quoted,
                    "alter table audit_entry disable trigger all",
                    "alter table audit_entry disable trigger audit_entry_append_only",
                    "drop trigger audit_entry_append_only on audit_entry",
                    "drop trigger audit_entry_no_truncate on audit_entry",
                    "drop table audit_entry",
                    "set session_replication_role = replica" }) {
                assertThatThrownBy(() -> {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                }).as(sql).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).as(sql + ": " + e.getMessage())
                        .isEqualTo("42501"));
            }
        }

        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isTrue();
        assertThat(v.getRecordsChecked()).isEqualTo(3);
    }

    @Test
    void onlyAnAuditorMayVerify() {
        String agency = newAgency();
        assertThatThrownBy(() -> AuditServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("rita", agency, "reviewer"))).withDeadlineAfter(10, TimeUnit.SECONDS)
                .verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("reading the audit log needs role auditor");
                });
        assertThatThrownBy(() -> AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }
}
