package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.audit.v1.AuditEntry;
import io.sentinel.api.audit.v1.AuditOutcome;
import io.sentinel.api.audit.v1.AuditServiceGrpc;
import io.sentinel.api.audit.v1.QueryAuditLogRequest;
import io.sentinel.api.audit.v1.QueryAuditLogResponse;
import io.sentinel.api.audit.v1.VerifyAuditLogRequest;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.api.rules.v1.AcknowledgeAlertRequest;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertOutcome;
import io.sentinel.api.rules.v1.GetAlertRequest;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.ListAlertsResponse;
import io.sentinel.api.rules.v1.ResolveAlertRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/**
 * Every read of personal data in rules-svc (alert get, list and feed, over gRPC and REST) states a
 * purpose and a reference as metadata or headers, a partner also its grant, and is recorded with the
 * subjects returned; without them it is refused, naming what is missing, and the refusal recorded.
 * Decisions on alerts and peers' changes are recorded too. Each test has an agency of its own, so its
 * records are told apart from other tests'.
 */
@QuarkusTest
class AuditedReadsTest {
    static final String NO_PURPOSE_NOR_REFERENCE = "x-sentinel-purpose: a purpose and a reference are required to read personal data: send"
            + " x-sentinel-purpose (why) and x-sentinel-reference (the case or task) as gRPC metadata or HTTP headers";
    static final String NO_PURPOSE = "x-sentinel-purpose: a purpose is required to read personal data: send x-sentinel-purpose (why you need"
            + " it) as gRPC metadata or an HTTP header";
    static final String NO_REFERENCE = "x-sentinel-reference: a reference is required to read personal data: send x-sentinel-reference (the"
            + " case, task or request this read serves) as gRPC metadata or an HTTP header";

    ManagedChannel channel;
    String agency;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
        agency = "agency-audit-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    String token() {
        return TestTokens.token("casey", agency, "caseworker");
    }

    /** A subject of this test's agency with one open alert (an overdue review); returns {subject, alert}. */
    String[] subjectWithAlert() {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, agency);
        String alert = RulesFixtures.fromEnrollment(channel).recordReviewOverdue(RecordReviewOverdueRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setOrderId(UUID.randomUUID().toString())
                .setReviewDueAt(Timestamps.of(Instant.parse("2026-11-01T00:00:00Z"))).build()).getAlertId();
        return new String[] { subject, alert };
    }

    /** This agency's records of {@code action}, oldest first: "outcome|actor|roles|purpose|reference|grant|subjects|detail". */
    List<String> records(String action) {
        String rows = RulesFixtures.psql("select string_agg(concat_ws('|', outcome, actor, roles, purpose, reference, grant_id,"
                + " array_to_string(subject_ids, ','), detail), E'\\n' order by id) from audit_entry where agency_id = '" + agency
                + "' and action = '" + action + "'");
        return rows.isEmpty() ? List.of() : List.of(rows.split("\n"));
    }

    static String allowed(String actor, String roles, String subjects) {
        return "allowed|" + actor + "|" + roles + "|" + RulesFixtures.PURPOSE + "|" + RulesFixtures.REFERENCE + "||" + subjects + "|";
    }

    // --- GetAlert (gRPC) ---

    @Test
    void grpcGetAlertRecordsPurposeReferenceAndTheSubjectReturned() {
        String[] s = subjectWithAlert();
        RulesFixtures.as(channel, token()).getAlert(GetAlertRequest.newBuilder().setAlertId(s[1]).build());
        assertThat(records("alert.read")).containsExactly(allowed("casey", "caseworker", s[0]));
    }

    @Test
    void grpcGetAlertWithoutPurposeOrReferenceIsRefusedNamingWhatIsMissing() {
        String[] s = subjectWithAlert();
        GetAlertRequest r = GetAlertRequest.newBuilder().setAlertId(s[1]).build();
        RulesFixtures.assertStatus(() -> RulesFixtures.unjustified(channel, token()).getAlert(r), Status.Code.INVALID_ARGUMENT,
                NO_PURPOSE_NOR_REFERENCE);
        RulesFixtures.assertStatus(() -> RulesFixtures.justified(RulesFixtures.unjustified(channel, token()), null, "CASE-1", null).getAlert(r),
                Status.Code.INVALID_ARGUMENT, NO_PURPOSE);
        RulesFixtures.assertStatus(() -> RulesFixtures.justified(RulesFixtures.unjustified(channel, token()), "triage", null, null).getAlert(r),
                Status.Code.INVALID_ARGUMENT, NO_REFERENCE);
        // Each refusal is recorded, with what was stated.
        assertThat(records("alert.read")).containsExactly("refused|casey|caseworker|||||" + NO_PURPOSE_NOR_REFERENCE.substring(20),
                "refused|casey|caseworker||CASE-1|||" + NO_PURPOSE.substring(20),
                "refused|casey|caseworker|triage||||" + NO_REFERENCE.substring(22));
    }

    @Test
    void aRefusedGetIsRecordedWithTheSubjectOnlyWhenTheCallerMaySeeTheAlert() {
        String[] s = subjectWithAlert();
        RulesServiceGrpc.RulesServiceBlockingStub reviewer = RulesFixtures.as(channel, TestTokens.token("rita", agency, "reviewer"));
        RulesFixtures.assertStatus(() -> reviewer.getAlert(GetAlertRequest.newBuilder().setAlertId(s[1]).build()),
                Status.Code.PERMISSION_DENIED, "a reviewer may read check-in alerts only");
        assertThat(records("alert.read")).containsExactly("refused|rita|reviewer|" + RulesFixtures.PURPOSE + "|" + RulesFixtures.REFERENCE
                + "||" + s[0] + "|a reviewer may read check-in alerts only");
        // Another agency is told "not found", and its record names no subject it could learn.
        RulesFixtures.assertStatus(() -> RulesFixtures.caseworker(channel, agency + "-other").getAlert(GetAlertRequest.newBuilder()
                .setAlertId(s[1]).build()), Status.Code.NOT_FOUND, null);
        assertThat(RulesFixtures.psql("select outcome || '|' || cardinality(subject_ids) from audit_entry where agency_id = '"
                + agency + "-other' and action = 'alert.read'")).isEqualTo("refused|0");
    }

    // --- ListAlerts (gRPC) ---

    @Test
    void grpcListAlertsRecordsEverySubjectInThePage() {
        String[] a = subjectWithAlert();
        String[] b = subjectWithAlert();
        RulesServiceGrpc.RulesServiceBlockingStub casey = RulesFixtures.as(channel, token());
        assertThat(casey.listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsCount()).isEqualTo(2);
        ListAlertsResponse first = casey.listAlerts(ListAlertsRequest.newBuilder().setPageSize(1).build());
        String onFirstPage = first.getAlerts(0).getSubjectId();
        List<String> recorded = records("alerts.list");
        assertThat(recorded).hasSize(2);
        assertThat(recorded.get(0)).isEqualTo(allowed("casey", "caseworker", String.join(",", new TreeSet<>(Set.of(a[0], b[0])))));
        // A page records the subjects on that page only.
        assertThat(recorded.get(1)).isEqualTo(allowed("casey", "caseworker", onFirstPage));
    }

    @Test
    void grpcListAlertsWithoutPurposeOrReferenceIsRefusedNamingWhatIsMissing() {
        RulesFixtures.assertStatus(() -> RulesFixtures.unjustified(channel, token()).listAlerts(ListAlertsRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT, NO_PURPOSE_NOR_REFERENCE);
        RulesFixtures.assertStatus(() -> RulesFixtures.justified(RulesFixtures.unjustified(channel, token()), null, "CASE-1", null)
                .listAlerts(ListAlertsRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT, NO_PURPOSE);
        RulesFixtures.assertStatus(() -> RulesFixtures.justified(RulesFixtures.unjustified(channel, token()), "triage", null, null)
                .listAlerts(ListAlertsRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT, NO_REFERENCE);
        assertThat(records("alerts.list")).hasSize(3).allSatisfy(r -> assertThat(r).startsWith("refused|casey|"));
    }

    // --- REST GET /api/v1/alerts and /api/v1/alerts/{id} ---

    @Test
    void restGetAndListRecordPurposeReferenceAndTheSubjectsReturned() {
        String[] a = subjectWithAlert();
        String[] b = subjectWithAlert();
        RulesFixtures.rest(token()).get("/api/v1/alerts/" + a[1]).then().statusCode(200).body("subjectId", equalTo(a[0]));
        assertThat(records("alert.read")).containsExactly(allowed("casey", "caseworker", a[0]));
        RulesFixtures.rest(token()).get("/api/v1/alerts").then().statusCode(200).body("alerts.size()", equalTo(2));
        RulesFixtures.rest(token()).queryParam("subjectId", b[0]).get("/api/v1/alerts").then().statusCode(200).body("alerts.size()", equalTo(1));
        assertThat(records("alerts.list")).containsExactly(allowed("casey", "caseworker", String.join(",", new TreeSet<>(Set.of(a[0], b[0])))),
                allowed("casey", "caseworker", b[0]));
    }

    @Test
    void restReadsWithoutPurposeOrReferenceAreRefusedWith400NamingTheMissingHeader() {
        String[] a = subjectWithAlert();
        for (String path : List.of("/api/v1/alerts", "/api/v1/alerts/" + a[1])) {
            RestAssured.given().auth().oauth2(token()).get(path).then().statusCode(400).contentType("application/problem+json")
                    .body("field", equalTo(Justification.PURPOSE)).body("detail", equalTo(NO_PURPOSE_NOR_REFERENCE));
            RestAssured.given().auth().oauth2(token()).header("X-Sentinel-Reference", "CASE-1").get(path).then().statusCode(400)
                    .body("field", equalTo(Justification.PURPOSE)).body("detail", equalTo(NO_PURPOSE));
            RestAssured.given().auth().oauth2(token()).header("X-Sentinel-Purpose", "triage").get(path).then().statusCode(400)
                    .body("field", equalTo(Justification.REFERENCE)).body("detail", equalTo(NO_REFERENCE));
        }
        assertThat(records("alert.read")).hasSize(3).allSatisfy(r -> assertThat(r).startsWith("refused|"));
        assertThat(records("alerts.list")).hasSize(3).allSatisfy(r -> assertThat(r).startsWith("refused|"));
    }

    @Test
    void restRefusesPurposeOrReferenceInTheUrlSayingToUseTheHeaders() {
        String[] a = subjectWithAlert();
        RulesFixtures.rest(token()).queryParam("purpose", "triage").get("/api/v1/alerts").then().statusCode(400)
                .body("field", equalTo("purpose")).body("detail", containsString("send it as the x-sentinel-purpose HTTP header"));
        RulesFixtures.rest(token()).queryParam("reference", "CASE-1").get("/api/v1/alerts/" + a[1]).then().statusCode(400)
                .body("field", equalTo("reference")).body("detail", containsString("send it as the x-sentinel-reference HTTP header"));
        RulesFixtures.rest(token()).queryParam("grant", UUID.randomUUID().toString()).get("/api/v1/alerts").then().statusCode(400)
                .body("detail", containsString("x-sentinel-grant"));
        assertThat(records("alert.read")).isEmpty();
        assertThat(records("alerts.list")).isEmpty();
    }

    // --- SubscribeAlerts (gRPC feed) ---

    @Test
    void theFeedRecordsEachDeliveryWithTheSubjectsDelivered() {
        String[] a = subjectWithAlert();
        String[] b = subjectWithAlert();
        List<AlertEvent> seen = RulesFixtures.readFeed(RulesFixtures.as(channel, token()), 0, e -> true,
                e -> e.getAlert().getAlertId().equals(b[1]));
        assertThat(seen).extracting(e -> e.getAlert().getSubjectId()).containsExactly(a[0], b[0]);
        List<String> recorded = records("alerts.feed");
        assertThat(recorded).isNotEmpty().allSatisfy(r -> assertThat(r).startsWith("allowed|casey|caseworker|" + RulesFixtures.PURPOSE + "|"
                + RulesFixtures.REFERENCE + "||"));
        Set<String> delivered = new TreeSet<>();
        recorded.forEach(r -> delivered.addAll(List.of(r.split("\\|")[6].split(","))));
        assertThat(delivered).containsExactlyInAnyOrder(a[0], b[0]);
        assertThat(recorded.get(recorded.size() - 1)).matches(".*\\|\\d+ events?$");
    }

    @Test
    void theFeedWithoutPurposeOrReferenceIsRefusedWhenItOpens() {
        RulesFixtures.assertStatus(() -> RulesFixtures.unjustified(channel, token()).subscribeAlerts(SubscribeAlertsRequest.getDefaultInstance())
                .hasNext(), Status.Code.INVALID_ARGUMENT, NO_PURPOSE_NOR_REFERENCE);
        RulesFixtures.assertStatus(() -> RulesFixtures.justified(RulesFixtures.unjustified(channel, token()), null, "CASE-1", null)
                .subscribeAlerts(SubscribeAlertsRequest.getDefaultInstance()).hasNext(), Status.Code.INVALID_ARGUMENT, NO_PURPOSE);
        RulesFixtures.assertStatus(() -> RulesFixtures.justified(RulesFixtures.unjustified(channel, token()), "triage", null, null)
                .subscribeAlerts(SubscribeAlertsRequest.getDefaultInstance()).hasNext(), Status.Code.INVALID_ARGUMENT, NO_REFERENCE);
        assertThat(records("alerts.feed")).hasSize(3).allSatisfy(r -> assertThat(r).startsWith("refused|casey|"));
    }

    // --- Partners: the grant cited ---

    @Test
    void aPartnerReadsOnlyUnderAGrantInForceForItsAgencyAndTheSubjectAndTheGrantIsRecorded() {
        String police = "police-" + UUID.randomUUID().toString().substring(0, 8);
        String[] shared = subjectWithAlert();
        String[] other = subjectWithAlert();
        PutSharingGrantsRequest grants = RulesFixtures.grants(shared[0], 1, police, Instant.now().plus(Duration.ofDays(1)),
                DataCategory.DATA_CATEGORY_ALERTS);
        RulesFixtures.subjectData(channel).putSharingGrants(grants);
        RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(other[0], 1, police, Instant.now().plus(Duration.ofDays(1)),
                DataCategory.DATA_CATEGORY_ALERTS));
        String grant = grants.getGrants(0).getGrantId();
        String pc = TestTokens.token("pc-7", police, "partner");

        // Without a grant: refused, naming the header, over gRPC and REST.
        String noGrant = "x-sentinel-grant: a partner agency reads under a sharing grant: send x-sentinel-grant (the grant's id) as gRPC"
                + " metadata or an HTTP header";
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, pc).getAlert(GetAlertRequest.newBuilder().setAlertId(shared[1]).build()),
                Status.Code.INVALID_ARGUMENT, noGrant);
        RulesFixtures.rest(pc).get("/api/v1/alerts").then().statusCode(400).body("field", equalTo(Justification.GRANT));
        RulesFixtures.assertStatus(() -> RulesFixtures.as(channel, pc).subscribeAlerts(SubscribeAlertsRequest.getDefaultInstance()).hasNext(),
                Status.Code.INVALID_ARGUMENT, noGrant);

        // Under the grant: the subject it shares, and only that one.
        RulesServiceGrpc.RulesServiceBlockingStub partner = RulesFixtures.asPartner(channel, pc, grant);
        assertThat(partner.getAlert(GetAlertRequest.newBuilder().setAlertId(shared[1]).build()).getAlert().getSubjectId()).isEqualTo(shared[0]);
        assertThat(partner.listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList()).extracting(a -> a.getSubjectId())
                .containsExactly(shared[0]);
        RulesFixtures.assertStatus(() -> partner.getAlert(GetAlertRequest.newBuilder().setAlertId(other[1]).build()),
                Status.Code.PERMISSION_DENIED, "x-sentinel-grant " + grant + " does not share subject " + other[0]
                        + ": a read under a grant is of the subject that grant shares");
        RulesFixtures.assertStatus(() -> partner.listAlerts(ListAlertsRequest.newBuilder().setSubjectId(other[0]).build()),
                Status.Code.PERMISSION_DENIED, null);
        RulesFixtures.rest(pc, grant).get("/api/v1/alerts/" + shared[1]).then().statusCode(200);
        RulesFixtures.rest(pc, grant).get("/api/v1/alerts/" + other[1]).then().statusCode(403);
        List<AlertEvent> fed = RulesFixtures.readFeed(partner, 0, e -> true, e -> e.getAlert().getAlertId().equals(shared[1]));
        assertThat(fed).extracting(e -> e.getAlert().getSubjectId()).containsOnly(shared[0]);

        // Another agency's grant, a made-up one or a malformed one: PERMISSION_DENIED.
        for (String cited : List.of(grant, UUID.randomUUID().toString(), "grant-1")) {
            RulesFixtures.assertStatus(() -> RulesFixtures.asPartner(channel, TestTokens.token("pc-8", police + "x", "partner"), cited)
                    .listAlerts(ListAlertsRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED,
                    "x-sentinel-grant '" + cited + "' is not a sharing grant in force for agency " + police + "x that covers DATA_CATEGORY_ALERTS");
        }

        // The records carry the grant cited.
        String rows = RulesFixtures.psql("select string_agg(action || '|' || outcome || '|' || grant_id || '|' || array_to_string(subject_ids, ','),"
                + " ' ' order by id) from audit_entry where agency_id = '" + police + "'");
        assertThat(rows).contains("alert.read|allowed|" + grant + "|" + shared[0], "alerts.list|allowed|" + grant + "|" + shared[0],
                "alert.read|refused|" + grant + "|" + other[0], "alerts.feed|allowed|" + grant + "|" + shared[0],
                "alert.read|refused||", "alerts.list|refused||", "alerts.feed|refused||");
    }

    // --- Decisions and peers' changes ---

    @Test
    void decisionsAreRecordedWithTheSubjectAndARefusedDecisionToo() {
        String[] s = subjectWithAlert();
        RulesServiceGrpc.RulesServiceBlockingStub casey = RulesFixtures.as(channel, token());
        casey.acknowledgeAlert(AcknowledgeAlertRequest.newBuilder().setAlertId(s[1]).build());
        RulesFixtures.rest(token()).contentType("application/json").body("{\"outcome\":\"FALSE_ALARM\",\"note\":\"strap re-fitted\"}")
                .post("/api/v1/alerts/" + s[1] + "/resolve").then().statusCode(200);
        assertThat(records("alert.acknowledge")).containsExactly(allowed("casey", "caseworker", s[0]).replaceFirst("\\|$", "|alert " + s[1]
                + " ALERT_STATE_ACKNOWLEDGED"));
        assertThat(records("alert.resolve")).singleElement().asString().startsWith(allowed("casey", "caseworker", s[0]))
                .endsWith("ALERT_STATE_RESOLVED ALERT_OUTCOME_FALSE_ALARM").doesNotContain("strap re-fitted");
        // Another agency's caseworker is told "not found"; the refusal is recorded, naming no subject.
        RulesFixtures.assertStatus(() -> RulesFixtures.caseworker(channel, agency + "-b").resolveAlert(ResolveAlertRequest.newBuilder()
                .setAlertId(s[1]).setOutcome(AlertOutcome.ALERT_OUTCOME_FALSE_ALARM).setNote("x").build()), Status.Code.NOT_FOUND, null);
        assertThat(RulesFixtures.psql("select outcome || '|' || detail from audit_entry where agency_id = '" + agency + "-b' and action = 'alert.resolve'"))
                .isEqualTo("refused|alert " + s[1] + " not found");
    }

    @Test
    void peersChangesExportAndPurgeAreRecordedAndTheAccessLogOutlivesThePurge() throws Exception {
        String[] s = subjectWithAlert();
        RulesFixtures.as(channel, token()).getAlert(GetAlertRequest.newBuilder().setAlertId(s[1]).build());
        // Fixes are collection: evaluating them writes no record.
        String before = RulesFixtures.psql("select count(*) from audit_entry where '" + s[0] + "' = any(subject_ids)");
        RulesFixtures.fromLocation(channel).evaluateFixes(RulesGrpcServiceTest.stay(s[0], RulesFixtures.OUT_LAT, RulesFixtures.OUT_LON,
                Instant.parse("2026-11-20T10:00:00Z"), 3));
        assertThat(RulesFixtures.psql("select count(*) from audit_entry where '" + s[0] + "' = any(subject_ids)")).isEqualTo(before);

        JsonNode export = new ObjectMapper().readTree(io.sentinel.common.testing.ExportStreams.join(RulesFixtures.subjectData(channel)
                .exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(s[0]).build()), r -> new io.sentinel.common.export.ExportParts.Part(r.getKind(), r.getSingle(), r.getRecordsList())));
        assertThat(export.path("access_log")).extracting(e -> e.path("action").asText() + "|" + e.path("actor").asText() + "|"
                + e.path("agency_id").asText() + "|" + e.path("purpose").asText() + "|" + e.path("reference").asText())
                .containsExactly("conditions.put|enrollment-svc|" + TestTokens.OWN_AGENCY + "||",
                        "review-overdue.record|enrollment-svc|" + TestTokens.OWN_AGENCY + "||",
                        "alert.read|casey|" + agency + "|" + RulesFixtures.PURPOSE + "|" + RulesFixtures.REFERENCE);
        RulesFixtures.subjectData(channel).purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(s[0])
                .setPurgeId(UUID.randomUUID().toString()).build());
        String mine = "select string_agg(action || '|' || actor || '|' || outcome || '|' || detail, ' ' order by id) from audit_entry where '"
                + s[0] + "' = any(subject_ids) and action like 'subject.%'";
        assertThat(RulesFixtures.psql(mine)).matches("subject\\.export\\|enrollment-svc\\|allowed\\| subject\\.purge\\|enrollment-svc\\|allowed\\|"
                + "purge [0-9a-f-]{36} \\{\"DATA_CATEGORY_ALERTS\":1,\"DATA_CATEGORY_CONDITIONS\":1\\}");
        // The data is gone; who accessed it, when and why is not.
        JsonNode after = new ObjectMapper().readTree(io.sentinel.common.testing.ExportStreams.join(RulesFixtures.subjectData(channel)
                .exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(s[0]).build()), r -> new io.sentinel.common.export.ExportParts.Part(r.getKind(), r.getSingle(), r.getRecordsList())));
        assertThat(after.path("alerts")).isEmpty();
        assertThat(after.path("access_log")).extracting(e -> e.path("action").asText()).containsExactly("conditions.put",
                "review-overdue.record", "alert.read", "subject.export", "subject.purge");
    }

    // --- The audit log itself, over gRPC ---

    @Test
    void anAuditorQueriesItsOwnAgencysRecordsOverGrpcStatingWhy() {
        String[] s = subjectWithAlert();
        RulesFixtures.as(channel, token()).getAlert(GetAlertRequest.newBuilder().setAlertId(s[1]).build());
        String auditor = TestTokens.token("audrey", agency, "auditor");
        AuditServiceGrpc.AuditServiceBlockingStub audit = RulesFixtures.justified(AuditServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(GrpcTestChannels.bearer(auditor)).withDeadlineAfter(10, TimeUnit.SECONDS), "annual audit", "AUD-2026-3", null);
        QueryAuditLogResponse r = audit.queryAuditLog(QueryAuditLogRequest.newBuilder().setSubjectId(s[0]).build());
        assertThat(r.getEntriesList()).singleElement().satisfies(e -> {
            assertThat(e.getAction()).isEqualTo("alert.read");
            assertThat(e.getActor()).isEqualTo("casey");
            assertThat(e.getAgencyId()).isEqualTo(agency);
            assertThat(e.getRolesList()).containsExactly("caseworker");
            assertThat(e.getPurpose()).isEqualTo(RulesFixtures.PURPOSE);
            assertThat(e.getReference()).isEqualTo(RulesFixtures.REFERENCE);
            assertThat(e.getSubjectIdsList()).containsExactly(s[0]);
            assertThat(e.getOutcome()).isEqualTo(AuditOutcome.AUDIT_OUTCOME_ALLOWED);
        });
        assertThat(audit.queryAuditLog(QueryAuditLogRequest.getDefaultInstance()).getEntriesList()).extracting(AuditEntry::getAgencyId)
                .containsOnly(agency);
        // The auditor's query is itself recorded, and needs its own purpose and reference.
        assertThat(RulesFixtures.psql("select purpose || '|' || reference from audit_entry where agency_id = '" + agency
                + "' and action = 'audit.query' order by id limit 1")).isEqualTo("annual audit|AUD-2026-3");
        RulesFixtures.assertStatus(() -> AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(auditor))
                .queryAuditLog(QueryAuditLogRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT, NO_PURPOSE_NOR_REFERENCE);
        RulesFixtures.assertStatus(() -> RulesFixtures.justified(AuditServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(GrpcTestChannels.bearer(token())), "curiosity", "none", null)
                .queryAuditLog(QueryAuditLogRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED, null);
        assertThat(audit.verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance()).getIntact()).isTrue();
    }
}
