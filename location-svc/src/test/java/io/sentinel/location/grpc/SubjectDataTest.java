package io.sentinel.location.grpc;

import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.psql;
import static io.sentinel.location.Fixtures.storedFixes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
    void exportHoldsAssignmentsFixesAndTheTrailAccessLog() throws Exception {
        Instant t = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String[] ds = subjectWithFixesAt(t);
        given().auth().oauth2(TestTokens.token("alice", Fixtures.AGENCY, "caseworker"))
                .queryParam("from", t.toString()).queryParam("to", t.plusSeconds(1).toString())
                .queryParam("purpose", "subject asked").queryParam("reference", "SAR 2026/9")
                .when().get("/api/v1/subjects/" + ds[1] + "/trail").then().statusCode(200);
        String json = service().exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(ds[1]).build()).getJson();
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertThat(root.get("subject_id").asText()).isEqualTo(ds[1]);
        assertThat(root.get("device_assignments").get(0).get("device_id").asText()).isEqualTo(ds[0]);
        assertThat(root.get("fixes")).hasSize(1);
        assertThat(root.get("fixes").get(0).get("device_time").asText()).isEqualTo(t.toString());
        assertThat(root.get("trail_access_log").get(0).get("purpose").asText()).isEqualTo("subject asked");
    }
}
