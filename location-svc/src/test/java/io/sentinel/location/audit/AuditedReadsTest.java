package io.sentinel.location.audit;

import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
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
import io.sentinel.api.audit.v1.AuditEntry;
import io.sentinel.api.audit.v1.AuditOutcome;
import io.sentinel.api.audit.v1.AuditServiceGrpc;
import io.sentinel.api.audit.v1.QueryAuditLogRequest;
import io.sentinel.api.audit.v1.QueryAuditLogResponse;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.location.v1.QueryTrailRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.Fixtures;
import io.sentinel.location.service.TrailService;

/**
 * Every read of personal data location-svc serves states why: purpose and reference as gRPC
 * metadata or HTTP headers. Each read path records them with the subjects it returned, and refuses
 * (and records) a read without them, naming what is missing.
 */
@QuarkusTest
class AuditedReadsTest {
    static final String AGENCY = "agency-reads";
    static final String AUDIT_QUERY = "audit.query";

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static String caseworker() {
        return TestTokens.token("carol", AGENCY, "caseworker");
    }

    static String auditor() {
        return TestTokens.token("audrey", AGENCY, "auditor");
    }

    /** A subject of {@link #AGENCY} with one fix an hour ago; returns {subject, fix time}. */
    static String[] subjectWithAFix() {
        String[] ds = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL, AGENCY);
        Instant t = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        given().auth().oauth2(TestTokens.token(Fixtures.GATEWAY, AGENCY, "device-gateway"))
                .when().get("/api/v1/osmand?id=" + ds[0] + "&timestamp=" + t.getEpochSecond() + "&lat=51.5&lon=-0.12&accuracy=6")
                .then().statusCode(200);
        return new String[] { ds[1], t.toString() };
    }

    static RequestSpecification rest(String token, String purpose, String reference) {
        RequestSpecification r = given().auth().oauth2(token);
        if (purpose != null) {
            r = r.header("X-Sentinel-Purpose", purpose);
        }
        if (reference != null) {
            r = r.header("X-Sentinel-Reference", reference);
        }
        return r;
    }

    static String record(String outcome, String actor, String roles, String purpose, String reference, String subjects) {
        return AGENCY + "|" + actor + "|" + roles + "|" + outcome + "|" + purpose + "|" + reference + "||" + subjects + "|";
    }

    // --- gRPC sentinel.location.v1.LocationService/QueryTrail ---

    QueryTrailRequest trailRequest(String subject) {
        Instant now = Instant.now();
        return QueryTrailRequest.newBuilder().setSubjectId(subject).setFrom(Timestamps.of(now.minus(2, ChronoUnit.HOURS)))
                .setTo(Timestamps.of(now)).build();
    }

    @Test
    void grpcTrailQueryRecordsPurposeReferenceAndTheSubjectReturned() {
        String subject = subjectWithAFix()[0];
        var stub = Fixtures.justified(LocationServiceGrpc.newBlockingStub(channel), caseworker(), "investigate zone alert", "ALERT-4711",
                null);
        assertThat(stub.queryTrail(trailRequest(subject)).getPointsCount()).isEqualTo(1);
        assertThat(audit(TrailService.ACTION, subject))
                .containsExactly(record("allowed", "carol", "caseworker", "investigate zone alert", "ALERT-4711", subject));
    }

    @Test
    void grpcTrailQueryWithoutPurposeOrReferenceIsRefusedNamingTheMetadataAndRecorded() {
        String subject = subjectWithAFix()[0];
        assertRefusedNaming(() -> Fixtures.justified(LocationServiceGrpc.newBlockingStub(channel), caseworker(), null, "ALERT-4711", null)
                .queryTrail(trailRequest(subject)), "x-sentinel-purpose");
        assertRefusedNaming(() -> Fixtures.justified(LocationServiceGrpc.newBlockingStub(channel), caseworker(), "investigate", null, null)
                .queryTrail(trailRequest(subject)), "x-sentinel-reference");
        assertRefusedNaming(() -> Fixtures.justified(LocationServiceGrpc.newBlockingStub(channel), caseworker(), null, null, null)
                .queryTrail(trailRequest(subject)), "x-sentinel-purpose");
        List<String> records = audit(TrailService.ACTION, subject);
        assertThat(records).hasSize(3);
        assertThat(records.get(0)).startsWith(record("refused", "carol", "caseworker", "", "ALERT-4711", subject))
                .contains("x-sentinel-purpose");
        assertThat(records.get(1)).startsWith(record("refused", "carol", "caseworker", "investigate", "", subject))
                .contains("x-sentinel-reference");
        assertThat(records.get(2)).startsWith(record("refused", "carol", "caseworker", "", "", subject))
                .contains("x-sentinel-purpose").contains("x-sentinel-reference");
    }

    static void assertRefusedNaming(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String key) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains(key);
        });
    }

    // --- REST GET /api/v1/subjects/{subjectId}/trail ---

    @Test
    void restTrailQueryRecordsPurposeReferenceAndTheSubjectReturnedInEveryFormat() {
        String[] s = subjectWithAFix();
        String subject = s[0];
        for (String format : List.of("json", "geojson", "gpx")) {
            rest(caseworker(), "court report " + format, "Case T2026/" + format)
                    .queryParam("from", Instant.parse(s[1]).minusSeconds(1).toString()).queryParam("to", Instant.now().toString())
                    .queryParam("format", format).when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(200);
        }
        assertThat(audit(TrailService.ACTION, subject)).containsExactly(
                record("allowed", "carol", "caseworker", "court report json", "Case T2026/json", subject),
                record("allowed", "carol", "caseworker", "court report geojson", "Case T2026/geojson", subject),
                record("allowed", "carol", "caseworker", "court report gpx", "Case T2026/gpx", subject));
    }

    @Test
    void restTrailQueryWithoutPurposeOrReferenceIsRefusedWith400NamingTheHeaderAndRecorded() {
        String[] s = subjectWithAFix();
        String subject = s[0];
        String path = "/api/v1/subjects/" + subject + "/trail?from=" + Instant.parse(s[1]).minusSeconds(1) + "&to=" + Instant.now();
        rest(caseworker(), null, "Case 9").when().get(path).then().statusCode(400).body("field", equalTo("x-sentinel-purpose"))
                .body("detail", containsString("x-sentinel-purpose"));
        rest(caseworker(), "court report", null).when().get(path).then().statusCode(400).body("field", equalTo("x-sentinel-reference"))
                .body("detail", containsString("x-sentinel-reference"));
        rest(caseworker(), null, null).when().get(path).then().statusCode(400)
                .body("detail", containsString("x-sentinel-purpose")).body("detail", containsString("x-sentinel-reference"));
        List<String> records = audit(TrailService.ACTION, subject);
        assertThat(records).hasSize(3).allSatisfy(r -> assertThat(r).contains("|refused|"));
        assertThat(records.get(0)).startsWith(record("refused", "carol", "caseworker", "", "Case 9", subject));
        assertThat(records.get(1)).startsWith(record("refused", "carol", "caseworker", "court report", "", subject));
    }

    @Test
    void restTrailQueryAcceptsAPercentEncodedUtf8Purpose() {
        String[] s = subjectWithAFix();
        rest(caseworker(), "Pr%C3%BCfung der Zone", "Az. 12/26").queryParam("from", Instant.parse(s[1]).minusSeconds(1).toString())
                .queryParam("to", Instant.now().toString()).when().get("/api/v1/subjects/" + s[0] + "/trail").then().statusCode(200);
        assertThat(audit(TrailService.ACTION, s[0])).containsExactly(record("allowed", "carol", "caseworker", "Prüfung der Zone", "Az. 12/26", s[0]));
    }

    // --- gRPC sentinel.audit.v1.AuditService/QueryAuditLog ---

    @Test
    void grpcAuditQueryRecordsPurposeReferenceAndEverySubjectInThePage() {
        String a = subjectWithAFix()[0];
        String b = subjectWithAFix()[0];
        for (String subject : List.of(a, b)) {
            rest(caseworker(), "supervision", "CASE-" + subject.substring(0, 8)).queryParam("from", Instant.now().minus(2, ChronoUnit.HOURS).toString())
                    .queryParam("to", Instant.now().toString()).when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(200);
        }
        var stub = Fixtures.justified(AuditServiceGrpc.newBlockingStub(channel), auditor(), "quarterly access review", "AUD-2026-Q4", null);
        QueryAuditLogResponse page = stub.queryAuditLog(QueryAuditLogRequest.newBuilder().setActor("carol").setPageSize(2).build());
        assertThat(page.getEntriesList()).hasSize(2);
        assertThat(page.getEntriesList()).extracting(AuditEntry::getAction).containsOnly(TrailService.ACTION);
        assertThat(page.getEntriesList()).extracting(AuditEntry::getOutcome).containsOnly(AuditOutcome.AUDIT_OUTCOME_ALLOWED);
        assertThat(page.getEntries(0).getSubjectIdsList()).containsExactly(b);
        assertThat(page.getEntries(0).getPurpose()).isEqualTo("supervision");
        assertThat(page.getEntries(0).getAgencyId()).isEqualTo(AGENCY);
        assertThat(page.getNextPageToken()).isNotEmpty();
        // The auditor's read names every subject of the page it returned.
        assertThat(audit(AUDIT_QUERY, b)).singleElement().asString()
                .startsWith(AGENCY + "|audrey|auditor|allowed|quarterly access review|AUD-2026-Q4||")
                .contains(String.join(",", new java.util.TreeSet<>(List.of(a, b))));
    }

    @Test
    void grpcAuditQueryWithoutPurposeOrReferenceIsRefusedNamingTheMetadataAndRecorded() {
        String subject = UUID.randomUUID().toString();
        QueryAuditLogRequest req = QueryAuditLogRequest.newBuilder().setSubjectId(subject).build();
        assertRefusedNaming(() -> Fixtures.justified(AuditServiceGrpc.newBlockingStub(channel), auditor(), null, "AUD-1", null)
                .queryAuditLog(req), "x-sentinel-purpose");
        assertRefusedNaming(() -> Fixtures.justified(AuditServiceGrpc.newBlockingStub(channel), auditor(), "review", null, null)
                .queryAuditLog(req), "x-sentinel-reference");
        assertThat(audit(AUDIT_QUERY, subject)).hasSize(2).allSatisfy(r -> assertThat(r).startsWith(AGENCY + "|audrey|auditor|refused|"));
        // Only auditors read the log; a caseworker is refused whatever it states.
        assertThatThrownBy(() -> Fixtures.justified(AuditServiceGrpc.newBlockingStub(channel), caseworker(), "review", "AUD-1", null)
                .queryAuditLog(req)).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    // --- REST GET /api/v1/audit/records ---

    @Test
    void restAuditQueryRecordsPurposeReferenceAndTheSubjectsReturned() {
        String subject = subjectWithAFix()[0];
        rest(caseworker(), "supervision", "CASE-77").queryParam("from", Instant.now().minus(2, ChronoUnit.HOURS).toString())
                .queryParam("to", Instant.now().toString()).when().get("/api/v1/subjects/" + subject + "/trail").then().statusCode(200);
        rest(auditor(), "complaint of the subject", "COMPLAINT-9").queryParam("subjectId", subject).when().get("/api/v1/audit/records")
                .then().statusCode(200).body("entries.action", hasItem(TrailService.ACTION)).body("entries.findAll { it.action == 'trail.query' }", hasSize(1));
        assertThat(audit(AUDIT_QUERY, subject))
                .containsExactly(record("allowed", "audrey", "auditor", "complaint of the subject", "COMPLAINT-9", subject));
    }

    @Test
    void restAuditQueryWithoutPurposeOrReferenceIsRefusedWith400NamingTheHeaderAndRecorded() {
        String subject = UUID.randomUUID().toString();
        rest(auditor(), null, "COMPLAINT-9").queryParam("subjectId", subject).when().get("/api/v1/audit/records")
                .then().statusCode(400).body("detail", containsString("x-sentinel-purpose"));
        rest(auditor(), "complaint", null).queryParam("subjectId", subject).when().get("/api/v1/audit/records")
                .then().statusCode(400).body("detail", containsString("x-sentinel-reference"));
        List<String> records = audit(AUDIT_QUERY, subject);
        assertThat(records).hasSize(2);
        assertThat(records.get(0)).startsWith(record("refused", "audrey", "auditor", "", "COMPLAINT-9", subject));
        assertThat(records.get(1)).startsWith(record("refused", "audrey", "auditor", "complaint", "", subject));
    }
}
