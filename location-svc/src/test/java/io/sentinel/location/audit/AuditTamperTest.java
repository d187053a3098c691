package io.sentinel.location.audit;

import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.psql;
import static io.sentinel.location.Fixtures.psqlAs;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import io.sentinel.common.audit.AuditChainer;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.SentinelTestResource;
import io.sentinel.common.testing.TestTokens;

/**
 * location-svc's audit log resists rewriting: the role the service runs as cannot change or remove
 * records, and what a superuser changes behind the triggers' back, verification names. Each case
 * uses an agency of its own, since chains (and their damage) are per agency.
 */
@QuarkusTest
class AuditTamperTest {
    ManagedChannel channel;

    @Inject
    AuditChainer chainer;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static String newAgency(String name) {
        return "agency-tamper-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Five audited trail reads by a caseworker of {@code agency} (refused: the subjects are not its own), sealed and checkpointed. */
    void fiveSealedRecords(String agency) {
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(TestTokens.token("carl", agency, "caseworker")).header("X-Sentinel-Purpose", "tamper test " + i)
                    .header("X-Sentinel-Reference", "T-" + i).queryParam("from", now.minus(1, ChronoUnit.HOURS).toString())
                    .queryParam("to", now.toString()).when().get("/api/v1/subjects/" + UUID.randomUUID() + "/trail").then().statusCode(403);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            chainer.sealPending().await().atMost(Duration.ofSeconds(10));
            VerifyAuditLogResponse v = verify(agency);
            return v.getUnsealedRecords() == 0 && v.getCheckpointSeq() == 5;
        });
        VerifyAuditLogResponse intact = verify(agency);
        assertThat(intact.getIntact()).isTrue();
        assertThat(intact.getRecordsChecked()).isEqualTo(5);
    }

    VerifyAuditLogResponse verify(String agency) {
        return AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("audrey", agency,
                "auditor"))).withDeadlineAfter(10, TimeUnit.SECONDS).verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    }

    /** As superuser, with the append-only trigger bypassed: what an attacker with the database's keys could do. */
    static void asSuperuserBehindTheTriggers(String sql) {
        assertThat(psql("set session_replication_role = replica; " + sql)).doesNotContain("ERROR");
    }

    @Test
    void anEditedMiddleRecordIsNamed() {
        String agency = newAgency("edit");
        fiveSealedRecords(agency);
        asSuperuserBehindTheTriggers("update audit_entry set purpose = 'routine check' where agency_id = '" + agency + "' and seq = 3");
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(3);
        assertThat(v.getRecordsChecked()).isEqualTo(2);
        assertThat(v.getReason()).contains("record 3 was edited");
    }

    @Test
    void deletedNewestRecordsAreNamedThanksToTheCheckpoint() {
        String agency = newAgency("tail");
        fiveSealedRecords(agency);
        asSuperuserBehindTheTriggers("delete from audit_entry where agency_id = '" + agency + "' and seq >= 4");
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(4);
        assertThat(v.getCheckpointSeq()).isEqualTo(5);
        assertThat(v.getReason()).contains("records 4 to 5 were deleted").contains("checkpoint");
    }

    @Test
    void aDeletedMiddleRecordIsNamedAsAGap() {
        String agency = newAgency("gap");
        fiveSealedRecords(agency);
        asSuperuserBehindTheTriggers("delete from audit_entry where agency_id = '" + agency + "' and seq = 2");
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isFalse();
        assertThat(v.getFirstBrokenSeq()).isEqualTo(2);
        assertThat(v.getReason()).contains("record 2 was deleted (the next record is 3)");
    }

    @Test
    void theServicesOwnRoleCannotRewriteOrUnprotectTheLog() {
        String agency = newAgency("role");
        fiveSealedRecords(agency);
        String app = SentinelTestResource.APP_ROLE;
        assertThat(psqlAs(app, "select current_user")).isEqualTo(app);
        String trigger = psql("select tgname from pg_trigger where tgrelid = 'audit_entry'::regclass and not tgisinternal"
                + " and tgname like '%append_only%'");
        assertThat(trigger).isNotEmpty();
        for (String attack : new String[] { "truncate audit_entry", "delete from audit_entry",
                "delete from audit_entry where agency_id = '" + agency + "' and seq = 5",
                "update audit_entry set purpose = 'x'", "update audit_entry set seq = seq + 100 where agency_id = '" + agency + "'",
                "alter table audit_entry disable trigger all", "alter table audit_entry disable trigger " + trigger,
                "drop trigger " + trigger + " on audit_entry", "drop table audit_entry",
                "set session_replication_role = replica" }) {
            assertThat(psqlAs(app, attack)).as(attack).contains("ERROR");
        }
        VerifyAuditLogResponse v = verify(agency);
        assertThat(v.getIntact()).isTrue();
        assertThat(v.getRecordsChecked()).isEqualTo(5);
        assertThat(psql("select count(*) from audit_entry where agency_id = '" + agency + "' and purpose like 'tamper test %'")).isEqualTo("5");
    }
}
