package io.sentinel.location.rest;

import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.AGENCY;
import static io.sentinel.location.Fixtures.psql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

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
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.location.v1.QueryTrailRequest;
import io.sentinel.api.location.v1.QueryTrailResponse;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.Fixtures;

/** Trail queries need purpose, reference and a right to the subject's trail; each one is audited. */
@QuarkusTest
class TrailQueryTest {
    static final String POLICE = "police-x";

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    LocationServiceGrpc.LocationServiceBlockingStub as(String token) {
        return LocationServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** A subject with three fixes a minute apart, reported by OsmAnd. Returns {device, subject}. */
    String[] subjectWithTrail(Instant t0) {
        String[] ds = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(Fixtures.gatewayToken())
                    .when().get("/api/v1/osmand?id=" + ds[0] + "&timestamp=" + t0.plusSeconds(60L * i).getEpochSecond()
                            + "&lat=" + (51.5 + i * 0.001) + "&lon=-0.12&accuracy=6")
                    .then().statusCode(200);
        }
        return ds;
    }

    static List<String> audit(String subject) {
        String out = psql("select agency_id || '|' || outcome || '|' || coalesce(purpose, '-') || '|' || coalesce(reference, '-') || '|' || detail"
                + " from audit_record where subject_id = '" + subject + "' order by audit_id");
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @Test
    void owningAgencyReadsTheTrailAsJsonAndTheQueryIsAudited() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        String alertId = UUID.randomUUID().toString();
        given().auth().oauth2(TestTokens.token("alice", AGENCY, "caseworker"))
                .queryParam("from", t0.minusSeconds(1).toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("purpose", "investigate exclusion-zone alert").queryParam("reference", alertId)
                .when().get("/api/v1/subjects/" + subject + "/trail")
                .then().statusCode(200).body("points", hasSize(3)).body("points[0].latitude", equalTo(51.5f))
                .body("truncated", equalTo(false));
        assertThat(audit(subject)).singleElement().asString()
                .startsWith(AGENCY + "|ALLOWED|investigate exclusion-zone alert|" + alertId + "|rest:json")
                .contains("owning agency").endsWith("3 points");
        assertThat(psql("select actor || '|' || roles || '|' || action from audit_record where subject_id = '" + subject + "'"))
                .isEqualTo("alice|caseworker|QUERY_TRAIL");
    }

    @Test
    void deniesAQueryWithoutPurposeOrReferenceAndAuditsTheDenial() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        given().auth().oauth2(TestTokens.token("alice", AGENCY, "caseworker"))
                .queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("reference", "PACE s.22 2026/118")
                .when().get("/api/v1/subjects/" + subject + "/trail")
                .then().statusCode(403).body(containsString("purpose is required"));
        given().auth().oauth2(TestTokens.token("alice", AGENCY, "caseworker"))
                .queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("purpose", "routine review")
                .when().get("/api/v1/subjects/" + subject + "/trail")
                .then().statusCode(403).body(containsString("reference is required"));
        List<String> records = audit(subject);
        assertThat(records).hasSize(2);
        assertThat(records.get(0)).startsWith(AGENCY + "|DENIED|-|PACE s.22 2026/118|").contains("purpose is required");
        assertThat(records.get(1)).startsWith(AGENCY + "|DENIED|routine review|-|").contains("reference is required");
    }

    @Test
    void deniesAnotherAgencyWithoutGrantOverGrpcAndAllowsItOnceGranted() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        QueryTrailRequest req = QueryTrailRequest.newBuilder().setSubjectId(subject).setFrom(Timestamps.of(t0))
                .setTo(Timestamps.of(t0.plusSeconds(600))).setPurpose("joint public-protection case")
                .setReference("PPC 2026/118").build();
        String police = TestTokens.token("bob", POLICE, "partner");

        assertThatThrownBy(() -> as(police).queryTrail(req)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("LOCATION_TRAIL");
                });

        // A grant for another category does not open the trail; one for LOCATION_TRAIL does.
        grant(subject, 1, DataCategory.DATA_CATEGORY_ALERTS, Instant.now().plus(1, ChronoUnit.DAYS));
        assertThatThrownBy(() -> as(police).queryTrail(req)).isInstanceOf(StatusRuntimeException.class);
        String grantId = grant(subject, 2, DataCategory.DATA_CATEGORY_LOCATION_TRAIL, Instant.now().plus(1, ChronoUnit.DAYS));
        QueryTrailResponse trail = as(police).queryTrail(req);
        assertThat(trail.getPointsList()).hasSize(3);
        assertThat(trail.getPoints(2).getLatitude()).isEqualTo(51.502);

        // An expired grant is as good as none.
        grant(subject, 3, DataCategory.DATA_CATEGORY_LOCATION_TRAIL, Instant.now().minus(1, ChronoUnit.MINUTES));
        assertThatThrownBy(() -> as(police).queryTrail(req)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

        List<String> records = audit(subject);
        assertThat(records).hasSize(4);
        assertThat(records).extracting(r -> r.split("\\|")[1]).containsExactly("DENIED", "DENIED", "ALLOWED", "DENIED");
        assertThat(records.get(2)).startsWith(POLICE + "|ALLOWED|joint public-protection case|PPC 2026/118|grpc")
                .contains("grant " + grantId);
    }

    @Test
    void servesGeoJsonAndGpx() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        String token = TestTokens.token("alice", AGENCY, "caseworker");
        given().auth().oauth2(token).queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("purpose", "court report").queryParam("reference", "Case T20267001").queryParam("format", "geojson")
                .when().get("/api/v1/subjects/" + subject + "/trail")
                .then().statusCode(200).contentType("application/geo+json").body("type", equalTo("FeatureCollection"))
                .body("features", hasSize(3)).body("features[0].geometry.coordinates[0]", equalTo(-0.12f))
                .body("features[0].geometry.coordinates[1]", equalTo(51.5f));
        String gpx = given().auth().oauth2(token).queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("purpose", "court report").queryParam("reference", "Case T20267001").queryParam("format", "gpx")
                .when().get("/api/v1/subjects/" + subject + "/trail")
                .then().statusCode(200).contentType("application/gpx+xml").extract().asString();
        assertThat(gpx).contains("<trkpt lat=\"51.5\" lon=\"-0.12\"><time>" + t0 + "</time></trkpt>");
        assertThat(gpx.split("<trkpt").length - 1).isEqualTo(3);
        assertThat(audit(subject)).extracting(r -> r.split("\\|")[4].split(" ")[0]).containsExactly("rest:geojson", "rest:gpx");
    }

    @Test
    void rejectsMalformedRangeAndFormatNamingTheField() {
        String subject = UUID.randomUUID().toString();
        String token = TestTokens.token("alice", AGENCY, "caseworker");
        given().auth().oauth2(token).queryParam("from", "yesterday").queryParam("to", Instant.now().toString())
                .queryParam("purpose", "x-check").queryParam("reference", "ref-1")
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(400).body(containsString("from"));
        given().auth().oauth2(token).queryParam("from", Instant.now().minus(40, ChronoUnit.DAYS).toString())
                .queryParam("to", Instant.now().toString()).queryParam("purpose", "x-check").queryParam("reference", "ref-1")
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(400).body(containsString("31 days"));
        given().auth().oauth2(token).queryParam("format", "kml")
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(400).body(containsString("format"));
    }

    @Test
    void auditRecordsCannotBeChangedOrDeleted() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        given().auth().oauth2(TestTokens.token("mallory", "agency-other", "caseworker"))
                .queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(60).toString())
                .queryParam("purpose", "curiosity").queryParam("reference", "none-really")
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(403);
        assertThat(psql("update audit_record set outcome = 'ALLOWED' where subject_id = '" + subject + "'")).contains("append-only");
        assertThat(psql("delete from audit_record where subject_id = '" + subject + "'")).contains("append-only");
        assertThat(audit(subject)).singleElement().asString().startsWith("agency-other|DENIED|curiosity|none-really|");
    }

    String grant(String subject, long version, DataCategory category, Instant until) {
        String grantId = UUID.randomUUID().toString();
        GrpcTestChannels.asService(SubjectDataServiceGrpc.newBlockingStub(channel), "enrollment-svc", "location-svc").putSharingGrants(PutSharingGrantsRequest.newBuilder().setSubjectId(subject)
                .setOwningAgencyId(AGENCY).setVersion(version)
                .addGrants(SharingGrant.newBuilder().setGrantId(grantId).setAgencyId(POLICE).addCategories(category)
                        .setPurpose("joint public-protection case").setValidUntil(Timestamps.of(until)))
                .build());
        return grantId;
    }
}
