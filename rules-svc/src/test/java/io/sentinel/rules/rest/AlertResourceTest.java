package io.sentinel.rules.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.testing.TestTokens;

@QuarkusTest
class AlertResourceTest {

    @Test
    void refusesRequestsWithoutAValidToken() {
        given().get("/api/v1/alerts").then().statusCode(401);
        given().auth().oauth2(TestTokens.expired("alice", "agency-a", "caseworker")).get("/api/v1/alerts").then().statusCode(401);
        given().auth().oauth2(TestTokens.signedByStranger("alice", "agency-a", "caseworker")).get("/api/v1/alerts").then().statusCode(401);
    }

    @Test
    void listsAlertsForACaseworker() {
        given().auth().oauth2(TestTokens.token("alice", "agency-none", "caseworker")).header(Justification.PURPOSE, "weekly review")
                .header(Justification.REFERENCE, "CASE-1").get("/api/v1/alerts")
                .then().statusCode(200).body(equalTo("{}"));
    }

    @Test
    void rejectsAnUnknownStateWithAProblemBody() {
        given().auth().oauth2(TestTokens.token("alice", "agency-a", "caseworker")).queryParam("state", "sleeping").get("/api/v1/alerts")
                .then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("state"))
                .body("detail", equalTo("state: must be one of open, acknowledged, resolved"));
    }

    @Test
    void rejectsAMalformedAlertId() {
        given().auth().oauth2(TestTokens.token("alice", "agency-a", "caseworker")).header(Justification.PURPOSE, "weekly review")
                .header(Justification.REFERENCE, "CASE-1").get("/api/v1/alerts/not-a-uuid")
                .then().statusCode(400).body("field", equalTo("alert_id"));
    }

    @Test
    void refusesAnUnknownQueryParameterInsteadOfListingEveryAlert() {
        // subject_id for subjectId used to be ignored: the caller got every alert of the agency as if filtered.
        given().auth().oauth2(TestTokens.token("alice", "agency-a", "caseworker")).header(Justification.PURPOSE, "weekly review")
                .header(Justification.REFERENCE, "CASE-1").queryParam("subject_id", "0193a3c4-0000-7000-8000-000000000001")
                .get("/api/v1/alerts")
                .then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("subject_id"))
                .body("detail", equalTo("subject_id: is not a query parameter of this operation; it takes kind, pageSize, pageToken, state, subjectId"));
        given().auth().oauth2(TestTokens.token("alice", "agency-a", "caseworker")).header(Justification.PURPOSE, "weekly review")
                .header(Justification.REFERENCE, "CASE-1").queryParam("verbose", "1").get("/api/v1/alerts/0193a3c4-0000-7000-8000-000000000001")
                .then().statusCode(400).body("field", equalTo("verbose"))
                .body("detail", equalTo("verbose: is not a query parameter of this operation; it takes none"));
    }
}
