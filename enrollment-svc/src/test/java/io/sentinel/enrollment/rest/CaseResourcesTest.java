package io.sentinel.enrollment.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.startsWith;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.enrollment.Justified;

@QuarkusTest
class CaseResourcesTest {
    String agency;
    String token;

    @BeforeEach
    void setUp() {
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        token = TestTokens.token("alice", agency, "caseworker");
    }

    String subject() {
        return given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                .body(SubjectResourceTest.BODY).post("/api/v1/subjects").then().statusCode(201).extract().path("subjectId");
    }

    String order(String subjectId) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String body = """
                {"subjectId":"%s","legalAuthority":"Court order 2026/99","startsAt":"%s","endsAt":"%s",
                 "deviceType":"DEVICE_TYPE_FITTED_ANKLE_TAG","conditions":{"timeZone":"Europe/London","cadence":"LOCATION_CADENCE_CONTINUOUS_TRAIL"}}"""
                .formatted(subjectId, now, now.plus(90, ChronoUnit.DAYS));
        return given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                .body(body).post("/api/v1/orders").then().statusCode(201).body("version", equalTo("1")).extract().path("orderId");
    }

    @Test
    void theOpenApiDocumentDescribesTheBackOfficeResources() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", hasKey("/api/v1/subjects/{subjectId}/grants"))
                .body("paths", hasKey("/api/v1/subjects/{subjectId}/grants/{grantId}"))
                .body("paths", hasKey("/api/v1/subjects/{subjectId}/privacy-notice"))
                .body("paths", hasKey("/api/v1/subjects/search"))
                .body("paths", hasKey("/api/v1/orders/{orderId}/amendments"))
                .body("paths", hasKey("/api/v1/orders/{orderId}/end"))
                .body("paths", hasKey("/api/v1/orders/overdue-reviews"))
                .body("paths", hasKey("/api/v1/audit/verification"));
    }

    @Test
    void grantsAreCreatedListedAndRevokedOverRest() {
        String platformAdmin = TestTokens.token("ops", TestTokens.OWN_AGENCY, "platform-admin");
        String partner = "police-" + UUID.randomUUID().toString().substring(0, 8);
        // Agencies are registered over gRPC only; the test registers one through the REST-free path below.
        io.grpc.ManagedChannel ch = io.sentinel.common.testing.GrpcTestChannels.plaintext(io.restassured.RestAssured.port);
        try {
            io.sentinel.api.enrollment.v1.EnrollmentServiceGrpc.newBlockingStub(ch)
                    .withCallCredentials(io.sentinel.common.testing.GrpcTestChannels.bearer(platformAdmin))
                    .createAgency(io.sentinel.api.enrollment.v1.CreateAgencyRequest.newBuilder().setIdempotencyKey(partner)
                            .setAgency(io.sentinel.api.enrollment.v1.Agency.newBuilder().setAgencyId(partner).setName("Police")
                                    .setKind(io.sentinel.api.enrollment.v1.AgencyKind.AGENCY_KIND_POLICE).setDataRegion("eu-west-2")).build());
        } finally {
            ch.shutdownNow();
        }
        String id = subject();
        String grant = """
                {"agencyId":"%s","categories":["DATA_CATEGORY_IDENTITY"],"purpose":"joint case","validUntil":"%s"}"""
                .formatted(partner, Instant.now().plus(10, ChronoUnit.DAYS));
        String grantId = given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "g1").body(grant)
                .post("/api/v1/subjects/" + id + "/grants").then().statusCode(201).body("agencyId", equalTo(partner)).extract().path("grantId");
        given().auth().oauth2(TestTokens.token("bob", partner, "partner")).headers(Justified.HEADERS).header("X-Sentinel-Grant", grantId)
                .get("/api/v1/subjects/" + id).then().statusCode(200).body("familyName", equalTo("Lovelace"));
        given().auth().oauth2(TestTokens.token("bob", partner, "partner")).headers(Justified.HEADERS)
                .get("/api/v1/subjects/" + id).then().statusCode(400).body("field", equalTo("x-sentinel-grant"));
        given().auth().oauth2(token).headers(Justified.HEADERS).get("/api/v1/subjects/" + id + "/grants").then().statusCode(200)
                .body("grants[0].grantId", equalTo(grantId));
        given().auth().oauth2(token).delete("/api/v1/subjects/" + id + "/grants/" + grantId).then().statusCode(204);
        given().auth().oauth2(token).headers(Justified.HEADERS).get("/api/v1/subjects/" + id + "/grants").then().statusCode(200).body(equalTo("{}"));
        given().auth().oauth2(TestTokens.token("bob", partner, "partner")).headers(Justified.HEADERS).header("X-Sentinel-Grant", grantId)
                .get("/api/v1/subjects/" + id).then().statusCode(404);

        given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "g2").body(grant.replace("[\"DATA_CATEGORY_IDENTITY\"]", "[]"))
                .post("/api/v1/subjects/" + id + "/grants").then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("grant.categories"));
    }

    @Test
    void aStaleAmendmentIsAConflictAndAnEndedOrderIsReported() {
        String orderId = order(subject());
        String amend = """
                {"version":"%d","conditions":{"timeZone":"Europe/London","cadence":"LOCATION_CADENCE_CURFEW_AND_ZONES_ONLY"}}""";
        given().auth().oauth2(token).contentType("application/json").body(amend.formatted(1)).post("/api/v1/orders/" + orderId + "/amendments")
                .then().statusCode(200).body("version", equalTo("2")).body("conditions.cadence", equalTo("LOCATION_CADENCE_CURFEW_AND_ZONES_ONLY"));
        given().auth().oauth2(token).contentType("application/json").body(amend.formatted(1)).post("/api/v1/orders/" + orderId + "/amendments")
                .then().statusCode(409).contentType("application/problem+json").body("field", equalTo("version"));
        given().auth().oauth2(token).headers(Justified.HEADERS).get("/api/v1/orders/" + orderId).then().statusCode(200)
                .body("conditions.cadence", equalTo("LOCATION_CADENCE_CURFEW_AND_ZONES_ONLY"));
        given().auth().oauth2(token).contentType("application/json").body("{\"version\":\"2\"}").post("/api/v1/orders/" + orderId + "/end")
                .then().statusCode(200).body("state", equalTo("ORDER_STATE_ENDED"));
    }

    @Test
    void thePrivacyNoticeIsServedAsJsonAndAsAnHtmlPage() {
        String id = subject(); // prefers Welsh
        order(id);
        given().auth().oauth2(token).headers(Justified.HEADERS).accept("application/json").get("/api/v1/subjects/" + id + "/privacy-notice").then().statusCode(200)
                .body("language", equalTo("cy")).body("sections[0].heading", equalTo("Hysbysiad preifatrwydd: monitro electronig"));
        given().auth().oauth2(token).headers(Justified.HEADERS).accept("text/html").queryParam("lang", "ro").get("/api/v1/subjects/" + id + "/privacy-notice").then()
                .statusCode(200).contentType(startsWith("text/html")).body(containsString("<html lang=\"ro\">"))
                .body(containsString("Court order 2026/99"));
    }

    @Test
    void anAuditorVerifiesTheChainOverRest() {
        subject();
        given().auth().oauth2(TestTokens.token("audrey", agency, "auditor")).get("/api/v1/audit/verification").then().statusCode(200)
                .body("intact", equalTo(true));
        given().auth().oauth2(token).get("/api/v1/audit/verification").then().statusCode(403);
    }
}
