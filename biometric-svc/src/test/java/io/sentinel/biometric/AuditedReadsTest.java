package io.sentinel.biometric;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sentinel.api.audit.v1.AuditServiceGrpc;
import io.sentinel.api.audit.v1.QueryAuditLogRequest;
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.EnrolReferenceRequest;
import io.sentinel.api.biometric.v1.GetCheckInRequest;
import io.sentinel.api.biometric.v1.GetGroupReportRequest;
import io.sentinel.api.biometric.v1.ListOpenPromptsRequest;
import io.sentinel.api.biometric.v1.ListReviewQueueRequest;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.biometric.service.AuditActions;
import io.sentinel.biometric.verification.FaceFixtures;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Every read of personal data biometric-svc serves, over gRPC and REST: it needs a purpose and a
 * reference (x-sentinel-purpose, x-sentinel-reference as metadata or headers), is refused with
 * INVALID_ARGUMENT / 400 naming what is missing otherwise, and is recorded with the purpose, the
 * reference and the subjects it returned, or as refused.
 */
@QuarkusTest
@TestProfile(ManualSealing.class)
class AuditedReadsTest {
    static final String PURPOSE = "compare check-in with references";
    static final String REFERENCE = "review-task-0042";

    @Inject
    Pool pool;

    ManagedChannel channel;
    final String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
    final String reviewer = TestTokens.token("rita", agency, "reviewer");

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    BiometricServiceGrpc.BiometricServiceBlockingStub as(String token, String purpose, String reference) {
        return Justify.grpc(BiometricServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS), purpose, reference);
    }

    String monitoredSubject() {
        String subject = UUID.randomUUID().toString();
        GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc")
                .putCheckInSchedule(PutCheckInScheduleRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(agency)
                        .setTimeZone("Europe/London").setPerDay(3).setWindowStart("08:00").setWindowEnd("20:00").setVersion(1)
                        .setActive(true).build());
        return subject;
    }

    /** A check-in the algorithm cannot pass (no reference enrolled): pending review, photo stored. */
    CheckIn pendingCheckIn(String subject) {
        return as(TestTokens.token("watch-gw", agency, "device-gateway"), null, null).submitCheckIn(SubmitCheckInRequest.newBuilder()
                .setSubjectId(subject).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(3)))
                .setImage(ByteString.copyFrom(grey())).setContentType("image/jpeg").build()).getCheckIn();
    }

    static byte[] grey() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "jpg", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How a call ended: "OK", or the gRPC status code (REST statuses mapped to theirs) with its description. */
    record Outcome(String code, String detail) {
        static final Outcome OK = new Outcome("OK", "");
    }

    /** One read path, called with the purpose and reference given (null: not sent). */
    @FunctionalInterface
    interface Read {
        Outcome call(String purpose, String reference);
    }

    static Outcome grpc(Runnable call) {
        try {
            call.run();
            return Outcome.OK;
        } catch (StatusRuntimeException e) {
            return new Outcome(e.getStatus().getCode().name(), e.getStatus().getDescription());
        }
    }

    static Outcome rest(String token, String path, String purpose, String reference) {
        RequestSpecification r = given().auth().oauth2(token);
        if (purpose != null) {
            r = r.header("X-Sentinel-Purpose", purpose);
        }
        if (reference != null) {
            r = r.header("X-Sentinel-Reference", reference);
        }
        Response response = r.get(path);
        return switch (response.statusCode()) {
            case 200 -> Outcome.OK;
            case 400 -> new Outcome("INVALID_ARGUMENT", response.jsonPath().getString("detail"));
            case 404 -> new Outcome("NOT_FOUND", response.jsonPath().getString("detail"));
            default -> new Outcome("HTTP " + response.statusCode(), response.body().asString());
        };
    }

    /**
     * The read succeeds with a purpose and a reference and is recorded with them and the subjects
     * it returned; without purpose, reference or both it is refused naming what is missing, and the
     * refusal is recorded with the subjects asked for.
     */
    void assertJustifiedAndRecorded(String actor, String action, List<String> returned, List<String> asked, Read read) {
        assertThat(read.call(PURPOSE, REFERENCE)).isEqualTo(Outcome.OK);
        AuditTrail.Entry allowed = newest(action);
        assertThat(allowed.actor()).isEqualTo(actor);
        assertThat(allowed.purpose()).isEqualTo(PURPOSE);
        assertThat(allowed.reference()).isEqualTo(REFERENCE);
        assertThat(allowed.subjectIds()).containsExactlyInAnyOrderElementsOf(returned);
        assertThat(allowed.outcome()).isEqualTo("allowed");

        assertRefused(action, asked, read.call(null, REFERENCE), "x-sentinel-purpose: a purpose is required to read personal data");
        assertThat(newest(action).reference()).isEqualTo(REFERENCE);
        assertRefused(action, asked, read.call(PURPOSE, null), "x-sentinel-reference: a reference is required to read personal data");
        assertThat(newest(action).purpose()).isEqualTo(PURPOSE);
        assertRefused(action, asked, read.call(null, null), "x-sentinel-purpose: a purpose and a reference are required to read personal data");
        assertRefused(action, asked, read.call("  ", " "), "x-sentinel-purpose: a purpose and a reference are required to read personal data");
    }

    void assertRefused(String action, List<String> asked, Outcome outcome, String message) {
        assertThat(outcome.code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(outcome.detail()).startsWith(message);
        AuditTrail.Entry refused = newest(action);
        assertThat(refused.outcome()).isEqualTo("refused");
        assertThat(refused.subjectIds()).containsExactlyInAnyOrderElementsOf(asked);
        assertThat(outcome.detail()).contains(refused.detail());
    }

    AuditTrail.Entry newest(String action) {
        List<AuditTrail.Entry> all = AuditTrail.of(pool, agency, action);
        assertThat(all).as("records of %s for %s", action, agency).isNotEmpty();
        return all.get(all.size() - 1);
    }

    @Test
    void getCheckInNeedsPurposeAndReferenceAndRecordsItsSubject() {
        String subject = monitoredSubject();
        CheckIn c = pendingCheckIn(subject);
        assertJustifiedAndRecorded("rita", AuditActions.CHECK_IN_READ, List.of(subject), List.of(),
                (p, r) -> grpc(() -> as(reviewer, p, r).getCheckIn(GetCheckInRequest.newBuilder().setCheckInId(c.getCheckInId()).build())));
        assertJustifiedAndRecorded("carl", AuditActions.CHECK_IN_READ, List.of(subject), List.of(), (p, r) -> grpc(() -> as(
                TestTokens.token("carl", agency, "caseworker"), p, r).getCheckIn(GetCheckInRequest.newBuilder().setCheckInId(c.getCheckInId()).build())));
    }

    @Test
    void theReviewQueueOverGrpcRecordsEverySubjectOfThePage() {
        String first = monitoredSubject();
        String second = monitoredSubject();
        pendingCheckIn(first);
        pendingCheckIn(second);
        pendingCheckIn(second);
        assertJustifiedAndRecorded("rita", AuditActions.REVIEW_QUEUE_LIST, List.of(first, second), List.of(),
                (p, r) -> grpc(() -> as(reviewer, p, r).listReviewQueue(ListReviewQueueRequest.getDefaultInstance())));
        // A page of one names only the subject on it.
        assertThat(as(reviewer, PURPOSE, REFERENCE).listReviewQueue(ListReviewQueueRequest.newBuilder().setPageSize(1).build())
                .getCheckInsCount()).isEqualTo(1);
        assertThat(newest(AuditActions.REVIEW_QUEUE_LIST).subjectIds()).containsExactly(first);
    }

    @Test
    void theReviewQueueOverRestRecordsEverySubjectOfThePage() {
        String first = monitoredSubject();
        String second = monitoredSubject();
        pendingCheckIn(first);
        pendingCheckIn(second);
        assertJustifiedAndRecorded("rita", AuditActions.REVIEW_QUEUE_LIST, List.of(first, second), List.of(),
                (p, r) -> rest(reviewer, "/api/v1/review-queue", p, r));
    }

    @Test
    void theCheckInPhotoReadRecordsItsSubject() {
        String subject = monitoredSubject();
        CheckIn c = pendingCheckIn(subject);
        assertJustifiedAndRecorded("rita", AuditActions.CHECK_IN_PHOTO_READ, List.of(subject), List.of(),
                (p, r) -> rest(reviewer, "/api/v1/review-queue/" + c.getCheckInId() + "/probe", p, r));
    }

    @Test
    void theReferenceListRecordsItsSubject() {
        String subject = monitoredSubject();
        CheckIn c = pendingCheckIn(subject);
        assertJustifiedAndRecorded("rita", AuditActions.REFERENCE_LIST, List.of(subject), List.of(),
                (p, r) -> rest(reviewer, "/api/v1/review-queue/" + c.getCheckInId() + "/references", p, r));
    }

    @Test
    void theReferencePhotoReadRecordsItsSubject() {
        String subject = monitoredSubject();
        byte[] face = FaceFixtures.jpeg(FaceFixtures.faceCrops().get(0).image(), 0.95f);
        String referenceId = as(TestTokens.token("alice", agency, "caseworker"), null, null).enrolReference(EnrolReferenceRequest.newBuilder()
                .setSubjectId(subject).setImage(ByteString.copyFrom(face)).setContentType("image/jpeg").build()).getReferenceId();
        CheckIn c = pendingCheckIn(subject);
        assertJustifiedAndRecorded("rita", AuditActions.REFERENCE_PHOTO_READ, List.of(subject), List.of(),
                (p, r) -> rest(reviewer, "/api/v1/review-queue/" + c.getCheckInId() + "/references/" + referenceId, p, r));
    }

    @Test
    void theGroupReportNeedsPurposeAndReferenceAndIsRecordedWithoutSubjects() {
        pendingCheckIn(monitoredSubject());
        String auditor = TestTokens.token("audrey", agency, "auditor");
        assertJustifiedAndRecorded("audrey", AuditActions.GROUP_REPORT_READ, List.of(), List.of(),
                (p, r) -> grpc(() -> as(auditor, p, r).getGroupReport(GetGroupReportRequest.getDefaultInstance())));
        assertJustifiedAndRecorded("adam", AuditActions.GROUP_REPORT_READ, List.of(), List.of(),
                (p, r) -> rest(TestTokens.token("adam", agency, "admin"), "/api/v1/reports/groups", p, r));
    }

    @Test
    void openPromptsReadByACaseworkerAreRecordedButAGatewayRelayingThemIsNot() {
        String subject = monitoredSubject();
        String caseworker = TestTokens.token("carl", agency, "caseworker");
        assertJustifiedAndRecorded("carl", AuditActions.PROMPTS_READ, List.of(subject), List.of(subject), (p, r) -> grpc(() -> as(caseworker, p, r)
                .listOpenPrompts(ListOpenPromptsRequest.newBuilder().setSubjectId(subject).build())));

        int before = AuditTrail.of(pool, agency, AuditActions.PROMPTS_READ).size();
        as(TestTokens.token("watch-gw", agency, "device-gateway"), null, null)
                .listOpenPrompts(ListOpenPromptsRequest.newBuilder().setSubjectId(subject).build());
        assertThat(AuditTrail.of(pool, agency, AuditActions.PROMPTS_READ)).hasSize(before);
    }

    @Test
    void theAuditLogItselfIsAJustifiedReadOverGrpcAndRest() {
        String subject = monitoredSubject();
        CheckIn c = pendingCheckIn(subject);
        assertThat(rest(reviewer, "/api/v1/review-queue/" + c.getCheckInId() + "/probe", PURPOSE, REFERENCE)).isEqualTo(Outcome.OK);
        String auditor = TestTokens.token("audrey", agency, "auditor");
        assertJustifiedAndRecorded("audrey", "audit.query", List.of(subject), List.of(subject), (p, r) -> grpc(() -> Justify.grpc(
                AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(auditor)).withDeadlineAfter(10, TimeUnit.SECONDS),
                p, r).queryAuditLog(QueryAuditLogRequest.newBuilder().setSubjectId(subject).build())));
        assertJustifiedAndRecorded("audrey", "audit.query", List.of(subject), List.of(subject),
                (p, r) -> rest(auditor, "/api/v1/audit/records?subjectId=" + subject, p, r));

        var page = Justify.grpc(AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(auditor)), PURPOSE, REFERENCE)
                .queryAuditLog(QueryAuditLogRequest.newBuilder().setSubjectId(subject).setActor("rita").build());
        assertThat(page.getEntriesList()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getAgencyId()).isEqualTo(agency);
            assertThat(e.getSubjectIdsList()).containsExactly(subject);
        });
        assertThat(page.getEntriesList()).anySatisfy(e -> {
            assertThat(e.getAction()).isEqualTo(AuditActions.CHECK_IN_PHOTO_READ);
            assertThat(e.getPurpose()).isEqualTo(PURPOSE);
            assertThat(e.getReference()).isEqualTo(REFERENCE);
            assertThat(e.getRolesList()).containsExactly("reviewer");
        });
    }

    @Test
    void aReadOfAnotherAgencysCheckInIsRefusedAndRecordedAsRefused() {
        CheckIn c = pendingCheckIn(monitoredSubject());
        String other = agency + "-other";
        Outcome refused = rest(TestTokens.token("rex", other, "reviewer"), "/api/v1/review-queue/" + c.getCheckInId() + "/probe", PURPOSE, REFERENCE);
        assertThat(refused.code()).isEqualTo("NOT_FOUND");
        List<AuditTrail.Entry> records = AuditTrail.of(pool, other, AuditActions.CHECK_IN_PHOTO_READ);
        assertThat(records).hasSize(1);
        AuditTrail.Entry r = records.get(0);
        assertThat(r.outcome()).isEqualTo("refused");
        assertThat(r.actor()).isEqualTo("rex");
        assertThat(r.purpose()).isEqualTo(PURPOSE);
        // The other agency's log does not learn whose check-in it was.
        assertThat(r.subjectIds()).isEmpty();
        assertThat(r.detail()).isEqualTo("check-in " + c.getCheckInId() + " not found");
    }

    @Test
    void aPurposeOrReferenceInTheUrlIsRefusedNamingTheHeader() {
        for (String[] q : new String[][] { { "purpose", "x-sentinel-purpose" }, { "reference", "x-sentinel-reference" },
                { "grant", "x-sentinel-grant" }, { "X-Sentinel-Purpose", "x-sentinel-purpose" } }) {
            given().auth().oauth2(reviewer).headers(Justify.headers()).queryParam(q[0], "case 7").get("/api/v1/review-queue").then()
                    .statusCode(400).body("detail", org.hamcrest.Matchers.equalTo(q[0] + ": must not be sent in the URL, where proxies and "
                            + "access logs keep it: send it as the " + q[1] + " HTTP header"));
        }
        given().auth().oauth2(TestTokens.token("audrey", agency, "auditor")).headers(Justify.headers()).queryParam("purpose", "audit")
                .get("/api/v1/reports/groups").then().statusCode(400);
        assertThat(AuditTrail.of(pool, agency, AuditActions.REVIEW_QUEUE_LIST)).isEmpty();
    }

    @Test
    void theSubjectAccessExportIncludesTheAccessLogOfTheSubjectsData() {
        String subject = monitoredSubject();
        CheckIn c = pendingCheckIn(subject);
        assertThat(rest(reviewer, "/api/v1/review-queue/" + c.getCheckInId() + "/probe", PURPOSE, REFERENCE)).isEqualTo(Outcome.OK);
        assertThat(rest(reviewer, "/api/v1/review-queue/" + c.getCheckInId() + "/probe", null, REFERENCE).code()).isEqualTo("INVALID_ARGUMENT");
        String unrelated = monitoredSubject();
        pendingCheckIn(unrelated);

        String json = io.sentinel.common.testing.ExportStreams.join(GrpcTestChannels.asService(SubjectDataServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc")
                .exportSubject(ExportSubjectRequest.newBuilder().setSubjectId(subject).build()), r -> new io.sentinel.common.export.ExportParts.Part(r.getKind(), r.getSingle(), r.getRecordsList()));
        JsonArray log = new JsonObject(json).getJsonArray("access_log");
        List<JsonObject> entries = log.stream().map(JsonObject.class::cast).toList();
        // The refused read named no subject (it was refused before the check-in was looked up), so it is not the subject's.
        assertThat(entries).extracting(e -> e.getString("action")).containsExactly(AuditActions.SCHEDULE_PUT, AuditActions.CHECK_IN_SUBMIT,
                AuditActions.CHECK_IN_PHOTO_READ, AuditActions.SUBJECT_EXPORT);
        JsonObject read = entries.get(2);
        assertThat(read.getString("service")).isEqualTo("biometric-svc");
        assertThat(read.getString("actor")).isEqualTo("rita");
        assertThat(read.getString("agency_id")).isEqualTo(agency);
        assertThat(read.getString("roles")).isEqualTo("reviewer");
        assertThat(read.getString("purpose")).isEqualTo(PURPOSE);
        assertThat(read.getString("reference")).isEqualTo(REFERENCE);
        assertThat(read.getString("outcome")).isEqualTo("allowed");
        assertThat(Instant.parse(read.getString("at"))).isBefore(Instant.now());
        assertThat(entries.get(0).getString("actor")).isEqualTo("enrollment-svc");
        assertThat(entries.get(1).getString("actor")).isEqualTo("watch-gw");
        assertThat(entries.get(3).getString("actor")).isEqualTo("enrollment-svc");
        // Who looked and why, never what they saw.
        assertThat(log.encode()).doesNotContain(c.getCheckInId()).doesNotContain(unrelated);
    }
}
