package io.sentinel.enrollment.grpc;

import static io.sentinel.enrollment.grpc.CaseLifecycleGrpcTest.assertStatus;
import static io.sentinel.enrollment.grpc.CaseLifecycleGrpcTest.outbox;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.conditions;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.order;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.person;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.psql;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.enrollment.v1.*;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.Justified;

@QuarkusTest
class RetentionPurgeGrpcTest {
    ManagedChannel channel;
    String agency;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub as(String sub, String... roles) {
        return EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(Justified.bearer(TestTokens.token(sub, agency, roles)))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    Subject subjectWithOrder(int startedDaysAgo, int endedDaysAgo) {
        var cw = as("alice", "caseworker");
        Subject s = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString()).setSubject(person()).build())
                .getSubject();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString()).setOrder(order(s.getSubjectId(), conditions())
                .setStartsAt(Timestamps.of(now.minus(startedDaysAgo, ChronoUnit.DAYS))).setEndsAt(Timestamps.of(now.minus(endedDaysAgo, ChronoUnit.DAYS))))
                .build());
        return s;
    }

    static RetentionPeriod period(DataCategory c, int days) {
        return RetentionPeriod.newBuilder().setCategory(c).setDays(days).build();
    }

    static PurgeSubjectRequest purgeRequest(byte[] payload) {
        try {
            return PurgeSubjectRequest.parseFrom(payload);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void thePurgeDeletesDueDataAsksEveryPeerAndReportsOnlyWhatWasConfirmed() {
        var admin = as("root", "admin");
        admin.setRetentionPolicy(SetRetentionPolicyRequest.newBuilder()
                .addPeriods(period(DataCategory.DATA_CATEGORY_IDENTITY, 400)).addPeriods(period(DataCategory.DATA_CATEGORY_CONDITIONS, 400))
                .addPeriods(period(DataCategory.DATA_CATEGORY_LOCATION_TRAIL, 100)).addPeriods(period(DataCategory.DATA_CATEGORY_ALERTS, 100))
                .addPeriods(period(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS, 100)).build());
        String partner = "police-" + UUID.randomUUID().toString().substring(0, 8);
        EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("ops", TestTokens.OWN_AGENCY,
                "platform-admin"))).createAgency(CreateAgencyRequest.newBuilder().setIdempotencyKey(partner).setAgency(Agency.newBuilder().setAgencyId(partner)
                .setName("Police").setKind(AgencyKind.AGENCY_KIND_POLICE).setDataRegion("eu-west-2")).build());

        Subject expired = subjectWithOrder(1095, 730); // everything due, identity included
        as("alice", "caseworker").grantSharing(GrantSharingRequest.newBuilder().setIdempotencyKey("g").setSubjectId(expired.getSubjectId())
                .setGrant(SharingGrant.newBuilder().setAgencyId(partner).addCategories(DataCategory.DATA_CATEGORY_ALERTS).setPurpose("case")
                        .setValidUntil(Timestamps.of(Instant.now().plus(5, ChronoUnit.DAYS)))).build());
        Subject recent = subjectWithOrder(300, 200); // trail, alerts and check-in results due; identity and order kept
        Subject active = subjectWithOrder(10, -50);
        // Another agency's long-expired subject is that agency's to purge, not this admin's.
        String otherAgency = agency;
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        Subject elsewhere = subjectWithOrder(1095, 730);
        agency = otherAgency;

        PurgeReport report = admin.runRetentionPurge(RunRetentionPurgeRequest.getDefaultInstance()).getReport();

        assertThat(report.getSubjects()).isEqualTo(2);
        Map<String, Long> mine = report.getCountsList().stream().filter(c -> c.getSource().equals("enrollment-svc"))
                .collect(Collectors.toMap(PurgeCount::getCategory, PurgeCount::getCount));
        assertThat(mine).containsExactlyInAnyOrderEntriesOf(Map.of("DATA_CATEGORY_IDENTITY", 2L, "DATA_CATEGORY_CONDITIONS", 1L,
                "DATA_CATEGORY_LOCATION_TRAIL", 0L, "DATA_CATEGORY_ALERTS", 0L, "DATA_CATEGORY_BIOMETRIC_RESULTS", 0L));
        // No peer runs in this test: every request waits in the outbox, and the report does not claim otherwise.
        assertThat(report.getComplete()).isFalse();
        assertThat(report.getPeersList()).extracting(PeerPurgeStatus::getTarget).containsExactly("biometric-svc", "location-svc", "rules-svc");
        assertThat(report.getPeersList()).allSatisfy(p -> {
            assertThat(p.getRequested()).isEqualTo(2);
            assertThat(p.getConfirmed()).isZero();
            assertThat(p.getPending()).isEqualTo(2);
        });

        // The expired subject is gone from enrollment-svc, copies in old outbox messages included.
        for (String table : new String[] { "subject", "monitoring_order", "sharing_grant" }) {
            assertThat(psql("select count(*) from " + table + " where subject_id = '" + expired.getSubjectId() + "'")).as(table).isEqualTo("0");
        }
        assertThat(psql("select count(*) from outbox_message where kind <> 'PurgeSubject' and encode(payload, 'escape') like '%"
                + expired.getSubjectId() + "%'")).isEqualTo("0");
        for (String peer : new String[] { "rules-svc", "location-svc", "biometric-svc" }) {
            var sent = outbox(peer, "PurgeSubject", expired.getSubjectId());
            assertThat(sent).hasSize(1);
            assertThat(purgeRequest(sent.get(0)).getCategoriesList()).as("everything").isEmpty();
            assertThat(purgeRequest(sent.get(0)).getPurgeId()).isEqualTo(report.getPurgeId());
        }
        assertStatus(() -> as("alice", "caseworker").getSubject(GetSubjectRequest.newBuilder().setSubjectId(expired.getSubjectId()).build()),
                Status.Code.NOT_FOUND, null);

        // The recent subject keeps identity and order; peers are asked for the three short-lived categories only.
        assertThat(as("alice", "caseworker").getSubject(GetSubjectRequest.newBuilder().setSubjectId(recent.getSubjectId()).build())
                .getSubject().getSubjectId()).isEqualTo(recent.getSubjectId());
        assertThat(purgeRequest(outbox("location-svc", "PurgeSubject", recent.getSubjectId()).get(0)).getCategoriesList()).containsExactly(
                DataCategory.DATA_CATEGORY_LOCATION_TRAIL, DataCategory.DATA_CATEGORY_ALERTS, DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS);
        assertThat(outbox("rules-svc", "PurgeSubject", active.getSubjectId())).isEmpty();
        assertThat(psql("select count(*) from subject where subject_id = '" + elsewhere.getSubjectId() + "'")).isEqualTo("1");
        assertThat(outbox("rules-svc", "PurgeSubject", elsewhere.getSubjectId())).isEmpty();

        // Each purged subject is on record, in the purge's own transaction, with the run and the categories; the
        // records survive the purge (they are the evidence of access and hold ids, not the data).
        assertThat(psql("select actor || '|' || outcome || '|' || detail from audit_entry where action = 'subject.purge' and '"
                + expired.getSubjectId() + "' = any(subject_ids)"))
                .isEqualTo("root|allowed|purge " + report.getPurgeId() + ": IDENTITY,CONDITIONS,LOCATION_TRAIL,ALERTS,BIOMETRIC_RESULTS");
        assertThat(psql("select count(*) from audit_entry where action = 'subject.purge' and '" + recent.getSubjectId() + "' = any(subject_ids)"))
                .isEqualTo("1");
        // The whole history stays, down to the read refused after the purge. The order, whose window had closed
        // but which the expiry job had not yet ended, is ended by the purge run first (order.expire), through
        // the expiry job's own path.
        assertThat(psql("select string_agg(action || ':' || outcome, ',' order by id) from audit_entry where '" + expired.getSubjectId()
                + "' = any(subject_ids)")).isEqualTo("subject.create:allowed,order.create:allowed,grant.create:allowed,order.expire:allowed,"
                        + "subject.purge:allowed,"
                        + "subject.read:refused");

        // A second run finds nothing new, and the first report can be read again.
        assertThat(admin.runRetentionPurge(RunRetentionPurgeRequest.getDefaultInstance()).getReport().getSubjects()).isZero();
        assertThat(as("audrey", "auditor").getPurgeReport(GetPurgeReportRequest.newBuilder().setPurgeId(report.getPurgeId()).build()).getReport())
                .isEqualTo(report);
        // Another agency's admin or auditor does not see this agency's runs.
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        for (String role : new String[] { "admin", "auditor" }) {
            assertStatus(() -> as("someone", role).getPurgeReport(GetPurgeReportRequest.newBuilder().setPurgeId(report.getPurgeId()).build()),
                    Status.Code.NOT_FOUND, "purge report " + report.getPurgeId() + " not found");
        }
    }

    @Test
    void rejectsRetentionLongerThanTheLawAllowsNamingTheField() {
        var admin = as("root", "admin");
        assertStatus(() -> admin.setRetentionPolicy(SetRetentionPolicyRequest.newBuilder()
                .addPeriods(period(DataCategory.DATA_CATEGORY_IDENTITY, 3000)).build()), Status.Code.INVALID_ARGUMENT,
                "periods[0].days: identity and order records are kept at most 2192 days (6 years), got 3000");
        assertStatus(() -> admin.setRetentionPolicy(SetRetentionPolicyRequest.newBuilder()
                .addPeriods(period(DataCategory.DATA_CATEGORY_IDENTITY, 300)).addPeriods(period(DataCategory.DATA_CATEGORY_LOCATION_TRAIL, 400)).build()),
                Status.Code.INVALID_ARGUMENT,
                "periods[0].days: DATA_CATEGORY_CONDITIONS cannot be kept longer than DATA_CATEGORY_IDENTITY (300 days), got 2190");
        assertStatus(() -> admin.setRetentionPolicy(SetRetentionPolicyRequest.newBuilder()
                .addPeriods(period(DataCategory.DATA_CATEGORY_IDENTITY, 300)).addPeriods(period(DataCategory.DATA_CATEGORY_CONDITIONS, 300))
                .addPeriods(period(DataCategory.DATA_CATEGORY_LOCATION_TRAIL, 400)).build()),
                Status.Code.INVALID_ARGUMENT,
                "periods[2].days: DATA_CATEGORY_LOCATION_TRAIL cannot be kept longer than DATA_CATEGORY_IDENTITY (300 days), got 400");
        assertStatus(() -> as("alice", "caseworker").setRetentionPolicy(SetRetentionPolicyRequest.newBuilder()
                .addPeriods(period(DataCategory.DATA_CATEGORY_ALERTS, 10)).build()), Status.Code.PERMISSION_DENIED, null);
        assertThat(admin.getRetentionPolicy(GetRetentionPolicyRequest.getDefaultInstance()).getPeriodsList())
                .contains(period(DataCategory.DATA_CATEGORY_IDENTITY, 2190), period(DataCategory.DATA_CATEGORY_LOCATION_TRAIL, 365));
    }
}
