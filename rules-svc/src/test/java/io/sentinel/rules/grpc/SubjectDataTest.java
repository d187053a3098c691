package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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
import io.sentinel.common.testing.TestTokens;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;

/** Retention purge and subject access export. */
@QuarkusTest
class SubjectDataTest {
    static final String AGENCY = RulesFixtures.AGENCY;

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    String overdue(String subject) {
        return RulesFixtures.fromEnrollment(channel).recordReviewOverdue(RecordReviewOverdueRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(subject).setOrderId(UUID.randomUUID().toString())
                .setReviewDueAt(Timestamps.of(Instant.parse("2026-11-01T00:00:00Z"))).build()).getAlertId();
    }

    JsonNode export(String subject) throws Exception {
        return new ObjectMapper().readTree(io.sentinel.common.testing.ExportStreams.join(RulesFixtures.subjectData(channel)
                .exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(subject).build()), r -> new io.sentinel.common.export.ExportParts.Part(r.getKind(), r.getSingle(), r.getRecordsList())));
    }

    @Test
    void exportHoldsConditionsAlertsTheirEventsAndGrants() throws Exception {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        String alert = overdue(subject);
        RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 1, "agency-partner",
                Instant.now().plus(Duration.ofDays(3)), DataCategory.DATA_CATEGORY_ALERTS));
        JsonNode json = export(subject);
        assertThat(json.path("subject_id").asText()).isEqualTo(subject);
        assertThat(json.path("conditions").path("owning_agency_id").asText()).isEqualTo(AGENCY);
        assertThat(json.path("conditions").path("received").path("zones").get(0).path("geojson").asText()).contains("Polygon");
        assertThat(json.path("alerts")).hasSize(1);
        assertThat(json.path("alerts").get(0).path("alertId").asText()).isEqualTo(alert);
        assertThat(json.path("alert_events").get(0).path("type").asText()).isEqualTo("ALERT_EVENT_TYPE_OPENED");
        assertThat(json.path("processed_events")).hasSize(1);
        assertThat(json.path("sharing_grants").get(0).path("agency_id").asText()).isEqualTo("agency-partner");
        assertThat(json.path("sharing_grants").get(0).path("categories").get(0).asText()).isEqualTo("DATA_CATEGORY_ALERTS");
        RulesFixtures.caseworker(channel, AGENCY).getAlert(io.sentinel.api.rules.v1.GetAlertRequest.newBuilder().setAlertId(alert).build());
        // The access log: who read or changed the subject's data here, when, why and with what outcome.
        JsonNode log = export(subject).path("access_log");
        assertThat(log).extracting(e -> e.path("action").asText())
                .containsSubsequence("conditions.put", "review-overdue.record", "grants.put", "subject.export", "alert.read");
        JsonNode read = java.util.stream.StreamSupport.stream(log.spliterator(), false)
                .filter(e -> e.path("action").asText().equals("alert.read")).findFirst().orElseThrow();
        assertThat(read.path("service").asText()).isEqualTo("rules-svc");
        assertThat(read.path("actor").asText()).isEqualTo("alice@" + AGENCY);
        assertThat(read.path("agency_id").asText()).isEqualTo(AGENCY);
        assertThat(read.path("purpose").asText()).isEqualTo(RulesFixtures.PURPOSE);
        assertThat(read.path("reference").asText()).isEqualTo(RulesFixtures.REFERENCE);
        assertThat(read.path("outcome").asText()).isEqualTo("allowed");
        assertThat(read.path("at").asText()).isNotEmpty();
        // Another subject's data is not in it.
        assertThat(export(UUID.randomUUID().toString()).path("alerts")).isEmpty();
    }

    @Test
    void purgeDeletesPerCategoryReportsCountsAndIsIdempotentOnPurgeId() throws Exception {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        overdue(subject);
        overdue(subject);
        PurgeSubjectRequest alerts = PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(UUID.randomUUID().toString())
                .addCategories(DataCategory.DATA_CATEGORY_ALERTS).build();
        Map<String, Long> counts = RulesFixtures.subjectData(channel).purgeSubject(alerts).getCountsMap();
        assertThat(counts).containsExactly(Map.entry("DATA_CATEGORY_ALERTS", 2L));
        assertThat(RulesFixtures.caseworker(channel, AGENCY).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(subject).build())
                .getAlertsList()).isEmpty();
        assertThat(export(subject).path("alert_events")).isEmpty();
        assertThat(export(subject).path("conditions").isNull()).as("conditions are another category").isFalse();
        // Same purge run again: the first run's counts, nothing else deleted.
        assertThat(RulesFixtures.subjectData(channel).purgeSubject(alerts).getCountsMap()).isEqualTo(counts);

        // Conditions: gone from the database and from the in-memory orders (fixes no longer raise anything).
        Map<String, Long> cond = RulesFixtures.subjectData(channel).purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject)
                .setPurgeId(UUID.randomUUID().toString()).addCategories(DataCategory.DATA_CATEGORY_CONDITIONS)
                .addCategories(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).build()).getCountsMap();
        assertThat(cond).containsEntry("DATA_CATEGORY_CONDITIONS", 1L).containsEntry("DATA_CATEGORY_LOCATION_TRAIL", 0L);
        assertThat(export(subject).path("conditions").isNull()).isTrue();
        EvaluateFixesRequest stay = RulesGrpcServiceTest.stay(subject, RulesFixtures.IN_LAT, RulesFixtures.IN_LON,
                Instant.parse("2026-11-20T10:00:00Z"), 10);
        assertThat(RulesFixtures.fromLocation(channel).evaluateFixes(stay).getAlertsOpened()).isZero();
    }

    @Test
    void oneRunPurgesEverySubjectItNamesAndARepeatOfEachAnswersItsFirstCounts() throws Exception {
        String purgeId = UUID.randomUUID().toString();
        java.util.List<String> subjects = new java.util.ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
            for (int n = 0; n < i; n++) {
                overdue(subject);
            }
            subjects.add(subject);
        }
        for (int i = 0; i < 3; i++) {
            PurgeSubjectRequest req = PurgeSubjectRequest.newBuilder().setSubjectId(subjects.get(i)).setPurgeId(purgeId)
                    .addCategories(DataCategory.DATA_CATEGORY_ALERTS).build();
            assertThat(RulesFixtures.subjectData(channel).purgeSubject(req).getCountsMap()).containsExactly(Map.entry("DATA_CATEGORY_ALERTS", i + 1L));
            assertThat(export(subjects.get(i)).path("alerts")).isEmpty();
        }
        assertThat(RulesFixtures.subjectData(channel).purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subjects.get(1)).setPurgeId(purgeId)
                .addCategories(DataCategory.DATA_CATEGORY_ALERTS).build()).getCountsMap()).containsExactly(Map.entry("DATA_CATEGORY_ALERTS", 2L));
    }

    @Test
    void purgeOfEverythingAlsoDropsGrants() throws Exception {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        overdue(subject);
        RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 1, "agency-partner",
                Instant.now().plus(Duration.ofDays(3)), DataCategory.DATA_CATEGORY_ALERTS));
        Map<String, Long> counts = RulesFixtures.subjectData(channel).purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(subject)
                .setPurgeId(UUID.randomUUID().toString()).build()).getCountsMap();
        assertThat(counts).containsEntry("DATA_CATEGORY_ALERTS", 1L).containsEntry("DATA_CATEGORY_CONDITIONS", 1L);
        JsonNode json = export(subject);
        assertThat(json.path("alerts")).isEmpty();
        assertThat(json.path("sharing_grants")).isEmpty();
        assertThat(json.path("processed_events")).isEmpty();
    }

    @Test
    void rejectsBadPurgeAndExportRequestsNamingTheField() throws Exception {
        String subject = RulesFixtures.subjectWithExclusionZone(channel, AGENCY);
        overdue(subject);
        var svc = RulesFixtures.subjectData(channel);
        PurgeSubjectRequest ok = PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(UUID.randomUUID().toString()).build();
        RulesFixtures.assertStatus(() -> svc.purgeSubject(ok.toBuilder().setPurgeId("").build()), Status.Code.INVALID_ARGUMENT, null);
        RulesFixtures.assertStatus(() -> svc.purgeSubject(ok.toBuilder().setSubjectId("s-1").build()), Status.Code.INVALID_ARGUMENT, null);
        RulesFixtures.assertStatus(() -> svc.purgeSubject(ok.toBuilder().addCategories(DataCategory.DATA_CATEGORY_UNSPECIFIED).build()),
                Status.Code.INVALID_ARGUMENT, "categories[0]: must be a known data category");
        RulesFixtures.assertStatus(() -> svc.exportSubject(ExportSubjectRequest.newBuilder().setSubjectId("s-1").build()).hasNext(),
                Status.Code.INVALID_ARGUMENT, null);
        RulesFixtures.assertStatus(() -> RulesFixtures.subjectDataAs(channel, TestTokens.token("alice@" + AGENCY, AGENCY, "caseworker")).purgeSubject(ok), Status.Code.PERMISSION_DENIED, null);
        RulesFixtures.assertStatus(() -> RulesFixtures.subjectDataAs(channel, TestTokens.token("alice@" + AGENCY, AGENCY, "caseworker"))
                .exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(subject).build()).hasNext(), Status.Code.PERMISSION_DENIED, null);
        assertThat(export(subject).path("alerts")).hasSize(1);
    }
}
