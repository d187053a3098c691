package io.sentinel.location.grpc;

import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.psql;
import static io.sentinel.location.Fixtures.storedFixes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectResponse;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.Fixtures;
import io.sentinel.location.service.AssignmentService;
import io.sentinel.location.service.SharingService;
import io.sentinel.location.service.SubjectRecords;
import io.sentinel.location.service.TrailService;

/** The contract RPCs enrollment-svc drives: sharing grants, retention purge, subject access export. */
@QuarkusTest
class SubjectDataTest {
    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    SubjectDataServiceGrpc.SubjectDataServiceBlockingStub service() {
        return SubjectDataServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(Fixtures.serviceToken()))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    String[] subjectWithFixesAt(Instant... times) {
        String[] ds = Fixtures.assignedDevice(io.sentinel.api.common.v1.LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        for (Instant t : times) {
            given().auth().oauth2(Fixtures.gatewayToken())
                    .when().get("/api/v1/osmand?id=" + ds[0] + "&timestamp=" + t.getEpochSecond() + "&lat=51.5&lon=-0.12&accuracy=6")
                    .then().statusCode(200);
        }
        return ds;
    }

    @Test
    void purgeDeletesOnlyTrailOlderThanTheDateAndRepeatsItsCountsForTheSamePurgeId() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String[] ds = subjectWithFixesAt(now.minus(3, ChronoUnit.DAYS), now.minus(2, ChronoUnit.DAYS), now.minus(1, ChronoUnit.HOURS));
        String purgeId = UUID.randomUUID().toString();
        PurgeSubjectRequest req = PurgeSubjectRequest.newBuilder().setSubjectId(ds[1]).setPurgeId(purgeId)
                .addCategories(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).setOlderThan(Timestamps.of(now.minus(1, ChronoUnit.DAYS)))
                .build();
        PurgeSubjectResponse first = service().purgeSubject(req);
        assertThat(first.getCountsMap()).containsEntry("DATA_CATEGORY_LOCATION_TRAIL", 2L);
        assertThat(storedFixes(ds[0])).isEqualTo(1);

        assertThat(service().purgeSubject(req).getCountsMap()).containsEntry("DATA_CATEGORY_LOCATION_TRAIL", 2L);
        assertThat(storedFixes(ds[0])).isEqualTo(1);

        // Without a date and without categories: everything held goes.
        PurgeSubjectResponse all = service().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(ds[1])
                .setPurgeId(UUID.randomUUID().toString()).build());
        assertThat(all.getCountsMap()).containsEntry("DATA_CATEGORY_LOCATION_TRAIL", 1L);
        assertThat(storedFixes(ds[0])).isZero();
    }

    @Test
    void oneRunPurgesEverySubjectItNamesAndARepeatOfEachAnswersItsFirstCounts() {
        Instant t = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String[] a = subjectWithFixesAt(t);
        String[] b = subjectWithFixesAt(t, t.plusSeconds(30));
        String[] c = subjectWithFixesAt(t, t.plusSeconds(30), t.plusSeconds(60));
        String purgeId = UUID.randomUUID().toString();
        long expected = 1;
        for (String[] ds : List.of(a, b, c)) {
            PurgeSubjectRequest req = PurgeSubjectRequest.newBuilder().setSubjectId(ds[1]).setPurgeId(purgeId)
                    .addCategories(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).build();
            assertThat(service().purgeSubject(req).getCountsMap()).containsEntry("DATA_CATEGORY_LOCATION_TRAIL", expected);
            assertThat(storedFixes(ds[0])).isZero();
            expected++;
        }
        assertThat(service().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(b[1]).setPurgeId(purgeId)
                .addCategories(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).build()).getCountsMap()).containsEntry("DATA_CATEGORY_LOCATION_TRAIL", 2L);
        assertThat(psql("select count(*) from purge_run where purge_id = '" + purgeId + "'")).isEqualTo("3");
    }

    @Test
    void purgeOfAnotherCategoryLeavesTheTrail() {
        String[] ds = subjectWithFixesAt(Instant.now().minus(1, ChronoUnit.HOURS));
        PurgeSubjectResponse r = service().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(ds[1])
                .setPurgeId(UUID.randomUUID().toString()).addCategories(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS).build());
        assertThat(r.getCountsMap()).isEmpty();
        assertThat(storedFixes(ds[0])).isEqualTo(1);
    }

    @Test
    void purgeAndGrantsNeedTheServiceRoleAndValidIds() {
        PurgeSubjectRequest req = PurgeSubjectRequest.newBuilder().setSubjectId(UUID.randomUUID().toString())
                .setPurgeId(UUID.randomUUID().toString()).build();
        assertThatThrownBy(() -> SubjectDataServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("alice", Fixtures.AGENCY, "caseworker"))).purgeSubject(req))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> service().purgeSubject(req.toBuilder().setPurgeId("p-1").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("purge_id");
                });
        assertThatThrownBy(() -> service().putSharingGrants(PutSharingGrantsRequest.newBuilder().setSubjectId(UUID.randomUUID().toString())
                .setOwningAgencyId(Fixtures.AGENCY).setVersion(1).addGrants(SharingGrant.newBuilder().setGrantId(UUID.randomUUID().toString())
                        .setAgencyId("police-x").setPurpose("p").setValidUntil(Timestamps.of(Instant.now())))
                .build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("grants[0].categories"));
    }

    @Test
    void olderSharingGrantVersionIsIgnored() {
        String subject = UUID.randomUUID().toString();
        PutSharingGrantsRequest v2 = PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(Fixtures.AGENCY)
                .setVersion(2).addGrants(SharingGrant.newBuilder().setGrantId(UUID.randomUUID().toString()).setAgencyId("police-x")
                        .addCategories(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).setPurpose("case 1")
                        .setValidUntil(Timestamps.of(Instant.now().plus(1, ChronoUnit.DAYS))))
                .build();
        assertThat(service().putSharingGrants(v2).getVersion()).isEqualTo(2);
        assertThat(service().putSharingGrants(v2.toBuilder().setVersion(1).clearGrants().build()).getVersion()).isEqualTo(2);
        assertThat(psql("select count(*) from sharing_grant where subject_id = '" + subject + "'")).isEqualTo("1");
        assertThat(service().putSharingGrants(v2.toBuilder().setVersion(3).clearGrants().build()).getVersion()).isEqualTo(3);
        assertThat(psql("select count(*) from sharing_grant where subject_id = '" + subject + "'")).isEqualTo("0");
    }

    @Test
    void exportHoldsAssignmentsFixesAndTheAccessLogAndIsItselfRecorded() throws Exception {
        Instant t = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String[] ds = subjectWithFixesAt(t);
        given().auth().oauth2(TestTokens.token("alice", Fixtures.AGENCY, "caseworker"))
                .header("X-Sentinel-Purpose", "subject asked").header("X-Sentinel-Reference", "SAR 2026/9")
                .queryParam("from", t.toString()).queryParam("to", t.plusSeconds(1).toString())
                .when().get("/api/v1/subjects/" + ds[1] + "/trail").then().statusCode(200);
        String json = io.sentinel.common.testing.ExportStreams.join(service().exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(ds[1]).build()), r -> new io.sentinel.common.export.ExportParts.Part(r.getKind(), r.getSingle(), r.getRecordsList()));
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertThat(root.get("subject_id").asText()).isEqualTo(ds[1]);
        assertThat(root.get("device_assignments").get(0).get("device_id").asText()).isEqualTo(ds[0]);
        assertThat(root.get("fixes")).hasSize(1);
        assertThat(root.get("fixes").get(0).get("device_time").asText()).isEqualTo(t.toString());
        // Who read the subject's data, for which agency, when and why; and that enrollment-svc assigned the device.
        var log = root.get("access_log");
        assertThat(log).hasSize(2);
        assertThat(log.get(0).get("action").asText()).isEqualTo(AssignmentService.ACTION);
        assertThat(log.get(0).get("actor").asText()).isEqualTo("enrollment-svc");
        var read = log.get(1);
        assertThat(read.get("service").asText()).isEqualTo("location-svc");
        assertThat(read.get("action").asText()).isEqualTo(TrailService.ACTION);
        assertThat(read.get("actor").asText()).isEqualTo("alice");
        assertThat(read.get("agency_id").asText()).isEqualTo(Fixtures.AGENCY);
        assertThat(read.get("purpose").asText()).isEqualTo("subject asked");
        assertThat(read.get("reference").asText()).isEqualTo("SAR 2026/9");
        assertThat(read.get("outcome").asText()).isEqualTo("allowed");
        assertThat(Instant.parse(read.get("at").asText())).isBetween(Instant.now().minusSeconds(60), Instant.now());
        // The export is a read by enrollment-svc on the subject's behalf: recorded too.
        assertThat(Fixtures.audit(SubjectRecords.EXPORT, ds[1])).singleElement().asString()
                .startsWith(TestTokens.OWN_AGENCY + "|enrollment-svc|service|allowed||||" + ds[1] + "|");
    }

    @Test
    void aPurgeIsRecordedInItsTransactionAndKeepsTheAccessRecords() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String[] ds = subjectWithFixesAt(now.minus(1, ChronoUnit.HOURS));
        given().auth().oauth2(TestTokens.token("alice", Fixtures.AGENCY, "caseworker"))
                .header("X-Sentinel-Purpose", "retention check").header("X-Sentinel-Reference", "RET-1")
                .queryParam("from", now.minus(2, ChronoUnit.HOURS).toString()).queryParam("to", now.toString())
                .when().get("/api/v1/subjects/" + ds[1] + "/trail").then().statusCode(200);
        String purgeId = UUID.randomUUID().toString();
        PurgeSubjectRequest req = PurgeSubjectRequest.newBuilder().setSubjectId(ds[1]).setPurgeId(purgeId).build();
        service().purgeSubject(req);
        service().purgeSubject(req);
        assertThat(storedFixes(ds[0])).isZero();
        // One record for the one purge applied (the repeat changed nothing), naming the purge and its counts, no data.
        assertThat(Fixtures.audit(SubjectRecords.PURGE, ds[1])).singleElement().asString()
                .startsWith(TestTokens.OWN_AGENCY + "|enrollment-svc|service|allowed||||" + ds[1] + "|purge " + purgeId)
                .contains("DATA_CATEGORY_LOCATION_TRAIL=1");
        // Who read the trail before the purge is still on record.
        assertThat(Fixtures.audit(TrailService.ACTION, ds[1])).hasSize(1);
    }

    @Test
    void aPurgeWhoseRecordCannotBeWrittenDeletesNothing() throws Exception {
        String[] ds = subjectWithFixesAt(Instant.now().minus(1, ChronoUnit.HOURS));
        PurgeSubjectRequest req = PurgeSubjectRequest.newBuilder().setSubjectId(ds[1]).setPurgeId(UUID.randomUUID().toString()).build();
        try (var broken = auditFailsFor(ds[1])) {
            assertThatThrownBy(() -> service().purgeSubject(req)).isInstanceOf(StatusRuntimeException.class);
        }
        assertThat(storedFixes(ds[0])).isEqualTo(1);
        assertThat(psql("select count(*) from purge_run where purge_id = '" + req.getPurgeId() + "'")).isEqualTo("0");
        // Once the log takes records again, the same purge goes through, recorded.
        assertThat(service().purgeSubject(req).getCountsMap()).containsEntry("DATA_CATEGORY_LOCATION_TRAIL", 1L);
        assertThat(Fixtures.audit(SubjectRecords.PURGE, ds[1])).hasSize(1);
    }

    /**
     * Makes every insert into audit_entry naming {@code subject} fail until closed (a trigger added as
     * superuser), to show that a change does not commit without its record.
     */
    static AutoCloseable auditFailsFor(String subject) {
        String name = "test_audit_fails_" + subject.replace("-", "");
        assertThat(psql("create function " + name + "() returns trigger language plpgsql as $$ begin"
                + " raise exception 'audit log unavailable (test)'; end $$;"
                + " create trigger " + name + " before insert on audit_entry for each row when ('" + subject + "' = any(new.subject_ids))"
                + " execute function " + name + "()")).doesNotContain("ERROR");
        return () -> psql("drop trigger " + name + " on audit_entry; drop function " + name + "()");
    }

    @Test
    void grantsAndAssignmentsAreRecordedInTheTransactionThatAppliesThem() throws Exception {
        String subject = UUID.randomUUID().toString();
        String grantId = UUID.randomUUID().toString();
        service().putSharingGrants(PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(Fixtures.AGENCY)
                .setVersion(1).addGrants(SharingGrant.newBuilder().setGrantId(grantId).setAgencyId("police-x")
                        .addCategories(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).setPurpose("joint case of J. Doe")
                        .setValidUntil(Timestamps.of(Instant.now().plus(1, ChronoUnit.DAYS))))
                .build());
        // An older version changes nothing and is not recorded.
        service().putSharingGrants(PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(Fixtures.AGENCY)
                .setVersion(1).build());
        assertThat(Fixtures.audit(SharingService.ACTION, subject)).singleElement().asString()
                .startsWith(TestTokens.OWN_AGENCY + "|enrollment-svc|service|allowed||||" + subject + "|version 1, 1 grant(s): " + grantId)
                .contains("police-x").doesNotContain("J. Doe");
        try (var broken = auditFailsFor(subject)) {
            assertThatThrownBy(() -> service().putSharingGrants(PutSharingGrantsRequest.newBuilder().setSubjectId(subject)
                    .setOwningAgencyId(Fixtures.AGENCY).setVersion(2).build())).isInstanceOf(StatusRuntimeException.class);
        }
        assertThat(psql("select version || '|' || (select count(*) from sharing_grant g where g.subject_id = s.subject_id)"
                + " from subject_sharing s where subject_id = '" + subject + "'")).isEqualTo("1|1");

        // Reassigning a device names both the subject it leaves and the one it joins.
        String device = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        Fixtures.assign(device, subject, Fixtures.AGENCY, null, 1);
        Fixtures.assign(device, other, Fixtures.AGENCY, null, 2);
        Fixtures.assign(device, other, Fixtures.AGENCY, null, 2);
        assertThat(Fixtures.audit(AssignmentService.ACTION, subject)).hasSize(2);
        assertThat(Fixtures.audit(AssignmentService.ACTION, other)).singleElement().asString()
                .contains("|" + String.join(",", new java.util.TreeSet<>(java.util.List.of(subject, other))) + "|device " + device + ", version 2");
        try (var broken = auditFailsFor(other)) {
            assertThatThrownBy(() -> Fixtures.assign(device, null, Fixtures.AGENCY, null, 3)).isInstanceOf(StatusRuntimeException.class);
        }
        assertThat(psql("select version || '|' || subject_id from device_assignment where device_id = '" + device + "'"))
                .isEqualTo("2|" + other);
    }
}
