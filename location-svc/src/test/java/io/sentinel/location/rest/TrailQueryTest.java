package io.sentinel.location.rest;

import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.AGENCY;
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
import io.restassured.specification.RequestSpecification;
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
import io.sentinel.location.service.TrailService;

/**
 * Trail queries need a right to the subject's trail (the owning agency, or a grant the reader cites);
 * each one is audited. Purpose and reference (headers, metadata) are covered per read path by AuditedReadsTest.
 */
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

    LocationServiceGrpc.LocationServiceBlockingStub as(String token, String purpose, String reference, String grant) {
        return Fixtures.justified(LocationServiceGrpc.newBlockingStub(channel), token, purpose, reference, grant);
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
        return Fixtures.audit(TrailService.ACTION, subject);
    }

    static RequestSpecification caseworker(String purpose, String reference) {
        return given().auth().oauth2(TestTokens.token("alice", AGENCY, "caseworker")).header("X-Sentinel-Purpose", purpose)
                .header("X-Sentinel-Reference", reference);
    }

    @Test
    void owningAgencyReadsTheTrailAsJsonAndTheQueryIsAudited() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        String alertId = UUID.randomUUID().toString();
        caseworker("investigate exclusion-zone alert", alertId)
                .queryParam("from", t0.minusSeconds(1).toString()).queryParam("to", t0.plusSeconds(600).toString())
                .when().get("/api/v1/subjects/" + subject + "/trail")
                .then().statusCode(200).body("points", hasSize(3)).body("points[0].latitude", equalTo(51.5f))
                .body("truncated", equalTo(false));
        assertThat(audit(subject)).containsExactly(
                AGENCY + "|alice|caseworker|allowed|investigate exclusion-zone alert|" + alertId + "||" + subject + "|");
    }

    @Test
    void refusesPurposeReferenceOrGrantInTheUrlNamingTheHeaderAndReadsNothing() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        String trail = "/api/v1/subjects/" + subject + "/trail";
        caseworker("court report", "Case T20267001").queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("purpose", "court report").when().get(trail)
                .then().statusCode(400).body("field", equalTo("purpose")).body("detail", containsString("x-sentinel-purpose HTTP header"));
        given().auth().oauth2(TestTokens.token("alice", AGENCY, "caseworker")).queryParam("from", t0.toString())
                .queryParam("to", t0.plusSeconds(600).toString()).queryParam("purpose", "court report")
                .queryParam("reference", "Case T20267001").when().get(trail)
                .then().statusCode(400).body("detail", containsString("header"));
        caseworker("court report", "Case T20267001").queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("reference", "Case T20267001").when().get(trail)
                .then().statusCode(400).body("field", equalTo("reference")).body("detail", containsString("x-sentinel-reference HTTP header"));
        caseworker("court report", "Case T20267001").queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("grant", UUID.randomUUID().toString()).when().get(trail)
                .then().statusCode(400).body("field", equalTo("grant")).body("detail", containsString("x-sentinel-grant HTTP header"));
        assertThat(audit(subject)).isEmpty();
    }

    @Test
    void refusesACallerWithoutATrailRoleAndAuditsTheRefusal() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        given().auth().oauth2(TestTokens.token("rita", AGENCY, "reviewer")).header("X-Sentinel-Purpose", "check-in review")
                .header("X-Sentinel-Reference", "CI-77").queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(403);
        assertThat(audit(subject)).singleElement().asString()
                .startsWith(AGENCY + "|rita|reviewer|refused|check-in review|CI-77||" + subject + "|").contains("role caseworker or partner");
    }

    @Test
    void deniesAnotherAgencyWithoutACitedGrantOverGrpcAndAllowsItUnderTheGrantItCites() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        QueryTrailRequest req = QueryTrailRequest.newBuilder().setSubjectId(subject).setFrom(Timestamps.of(t0))
                .setTo(Timestamps.of(t0.plusSeconds(600))).build();
        String police = TestTokens.token("bob", POLICE, "partner");
        String purpose = "joint public-protection case";
        String reference = "PPC 2026/118";

        // A partner names the grant it reads under; without one it is told which metadata is missing.
        assertThatThrownBy(() -> as(police, purpose, reference, null).queryTrail(req)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("x-sentinel-grant");
                });
        // A grant id that is no grant at all, or a grant for another category, does not open the trail.
        assertThatThrownBy(() -> as(police, purpose, reference, UUID.randomUUID().toString()).queryTrail(req))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("LOCATION_TRAIL");
                });
        String alertsGrant = grant(subject, 1, DataCategory.DATA_CATEGORY_ALERTS, Instant.now().plus(1, ChronoUnit.DAYS));
        assertThatThrownBy(() -> as(police, purpose, reference, alertsGrant).queryTrail(req))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        String grantId = grant(subject, 2, DataCategory.DATA_CATEGORY_LOCATION_TRAIL, Instant.now().plus(1, ChronoUnit.DAYS));
        QueryTrailResponse trail = as(police, purpose, reference, grantId).queryTrail(req);
        assertThat(trail.getPointsList()).hasSize(3);
        assertThat(trail.getPoints(2).getLatitude()).isEqualTo(51.502);
        // Another partner agency cannot read under police-x's grant.
        assertThatThrownBy(() -> as(TestTokens.token("eve", "police-y", "partner"), purpose, reference, grantId).queryTrail(req))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

        // An expired grant is as good as none.
        String expired = grant(subject, 3, DataCategory.DATA_CATEGORY_LOCATION_TRAIL, Instant.now().minus(1, ChronoUnit.MINUTES));
        assertThatThrownBy(() -> as(police, purpose, reference, expired).queryTrail(req)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

        List<String> records = audit(subject);
        assertThat(records).extracting(r -> r.split("\\|")[0] + " " + r.split("\\|")[3]).containsExactly(POLICE + " refused",
                POLICE + " refused", POLICE + " refused", POLICE + " allowed", "police-y refused", POLICE + " refused");
        assertThat(records.get(0)).contains("x-sentinel-grant");
        assertThat(records.get(3)).isEqualTo(POLICE + "|bob|partner|allowed|" + purpose + "|" + reference + "|" + grantId + "|" + subject + "|");
        assertThat(records.get(5)).contains("|" + expired + "|");
    }

    @Test
    void servesGeoJsonAndGpx() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        caseworker("court report", "Case T20267001").queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(600).toString())
                .queryParam("format", "geojson")
                .when().get("/api/v1/subjects/" + subject + "/trail")
                .then().statusCode(200).contentType("application/geo+json").body("type", equalTo("FeatureCollection"))
                .body("features", hasSize(3)).body("features[0].geometry.coordinates[0]", equalTo(-0.12f))
                .body("features[0].geometry.coordinates[1]", equalTo(51.5f));
        String gpx = caseworker("court report", "Case T20267001").queryParam("from", t0.toString())
                .queryParam("to", t0.plusSeconds(600).toString()).queryParam("format", "gpx")
                .when().get("/api/v1/subjects/" + subject + "/trail")
                .then().statusCode(200).contentType("application/gpx+xml").extract().asString();
        assertThat(gpx).contains("<trkpt lat=\"51.5\" lon=\"-0.12\"><time>" + t0 + "</time></trkpt>");
        assertThat(gpx.split("<trkpt").length - 1).isEqualTo(3);
        assertThat(audit(subject)).hasSize(2).allSatisfy(r -> assertThat(r).contains("|allowed|court report|Case T20267001|"));
    }

    @Test
    void rejectsMalformedRangeAndFormatNamingTheField() {
        String subject = UUID.randomUUID().toString();
        caseworker("x-check", "ref-1").queryParam("from", "yesterday").queryParam("to", Instant.now().toString())
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(400).body(containsString("from"));
        caseworker("x-check", "ref-1").queryParam("from", Instant.now().minus(40, ChronoUnit.DAYS).toString())
                .queryParam("to", Instant.now().toString())
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(400).body(containsString("31 days"));
        given().auth().oauth2(TestTokens.token("alice", AGENCY, "caseworker")).queryParam("format", "kml")
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(400).body(containsString("format"));
    }

    @Test
    void anotherAgencysCaseworkerIsRefusedAndTheRefusalAudited() {
        Instant t0 = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String subject = subjectWithTrail(t0)[1];
        given().auth().oauth2(TestTokens.token("mallory", "agency-other", "caseworker"))
                .header("X-Sentinel-Purpose", "curiosity").header("X-Sentinel-Reference", "none-really")
                .queryParam("from", t0.toString()).queryParam("to", t0.plusSeconds(60).toString())
                .when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(403);
        assertThat(audit(subject)).singleElement().asString().startsWith("agency-other|mallory|caseworker|refused|curiosity|none-really||");
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
