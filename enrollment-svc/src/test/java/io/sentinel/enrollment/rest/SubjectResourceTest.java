package io.sentinel.enrollment.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.enrollment.Justified;

@QuarkusTest
class SubjectResourceTest {
    static final String BODY = """
            {"givenNames":"Ada","familyName":"Lovelace","dateOfBirth":"1990-12-10","nationality":"GBR","preferredLanguage":"cy"}""";

    @Test
    void refusesRequestsWithoutAValidToken() {
        given().contentType("application/json").body(BODY).header("Idempotency-Key", "k").post("/api/v1/subjects").then().statusCode(401);
        given().auth().oauth2(TestTokens.expired("alice", "a", "caseworker")).get("/api/v1/subjects").then().statusCode(401);
        given().auth().oauth2(TestTokens.signedByStranger("alice", "a", "caseworker")).get("/api/v1/subjects").then().statusCode(401);
    }

    @Test
    void createsAndReadsASubject() {
        String agency = "agency-" + UUID.randomUUID();
        String token = TestTokens.token("alice", agency, "caseworker");
        String id = given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                .body(BODY).post("/api/v1/subjects").then().statusCode(201).header("Location", notNullValue())
                .body("owningAgencyId", equalTo(agency)).extract().path("subjectId");
        given().auth().oauth2(token).headers(Justified.HEADERS).get("/api/v1/subjects/" + id).then().statusCode(200)
                .body("familyName", equalTo("Lovelace"));
    }

    @Test
    void answersBadInputWithAProblemNamingTheField() {
        String token = TestTokens.token("alice", "agency-" + UUID.randomUUID(), "caseworker");
        given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "k1")
                .body(BODY.replace("GBR", "Narnia")).post("/api/v1/subjects")
                .then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("subject.nationality")).body("status", equalTo(400));
        given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "k2")
                .body("{\"givenNames\": ").post("/api/v1/subjects")
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("body"));
        given().auth().oauth2(token).headers(Justified.HEADERS).get("/api/v1/subjects").then().statusCode(200).body(equalTo("{}"));
    }
}
