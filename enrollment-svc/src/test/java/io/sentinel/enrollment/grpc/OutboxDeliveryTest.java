package io.sentinel.enrollment.grpc;

import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.conditions;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.order;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.person;
import static io.sentinel.enrollment.grpc.EnrollmentGrpcServiceTest.psql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.enrollment.v1.*;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PurgeSubjectResponse;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsResponse;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsResponse;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.api.internal.v1.RecordReviewOverdueResponse;
import io.sentinel.api.internal.v1.RulesIntakeServiceGrpc;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/**
 * The outbox against a stand-in rules-svc on a real port: messages wait while it is down, arrive
 * once it is up, and a purge's report counts only what the peer confirmed.
 */
@QuarkusTest
@TestProfile(OutboxDeliveryTest.FakeRules.class)
class OutboxDeliveryTest {
    static final int PORT = freePort();

    public static class FakeRules implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // In test mode a gRPC client uses test-port, which otherwise points at the application itself.
            return Map.of("quarkus.grpc.clients.rules.port", String.valueOf(PORT), "quarkus.grpc.clients.rules.test-port", String.valueOf(PORT),
                    "sentinel.outbox.max-backoff", "1s", "sentinel.outbox.poll-interval", "200ms");
        }
    }

    /** One port per JVM: the profile and the test may be loaded by different class loaders. */
    static synchronized int freePort() {
        String key = "sentinel.test.fake-rules-port";
        String known = System.getProperty(key);
        if (known != null) {
            return Integer.parseInt(known);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            System.setProperty(key, Integer.toString(s.getLocalPort()));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the stand-in received, as "kind subject". */
    final List<String> received = new CopyOnWriteArrayList<>();
    /** Subjects whose conditions the stand-in refuses as rules-svc would refuse what its validator does not accept. */
    final java.util.Set<String> refuseConditionsOf = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Subjects the stand-in answers as purged (a tombstone). */
    final java.util.Set<String> purged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The bearer tokens the stand-in was called with. */
    final List<String> tokens = new CopyOnWriteArrayList<>();
    final ServerInterceptor recordToken = new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                ServerCallHandler<ReqT, RespT> next) {
            String auth = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
            tokens.add(auth == null ? "" : auth.replaceFirst("^Bearer ", ""));
            return next.startCall(call, headers);
        }
    };
    Server rules;

    @AfterEach
    void stop() throws InterruptedException {
        if (rules != null) {
            rules.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    void startRules() throws IOException {
        rules = ServerBuilder.forPort(PORT).addService(ServerInterceptors.intercept(new RulesIntakeServiceGrpc.RulesIntakeServiceImplBase() {
            @Override
            public void putSubjectConditions(PutSubjectConditionsRequest r, StreamObserver<PutSubjectConditionsResponse> o) {
                received.add("PutSubjectConditions " + r.getSubjectId());
                if (refuseConditionsOf.contains(r.getSubjectId())) {
                    o.onError(io.grpc.Status.INVALID_ARGUMENT.withDescription("zones[0].geojson: refused by a newer validator").asRuntimeException());
                    return;
                }
                if (purged.contains(r.getSubjectId())) {
                    Metadata trailers = new Metadata();
                    trailers.put(io.sentinel.common.grpc.GrpcErrorMapping.REASON_KEY, "SUBJECT_PURGED");
                    o.onError(io.grpc.Status.FAILED_PRECONDITION.withDescription("subject_id: subject " + r.getSubjectId() + " was purged")
                            .asRuntimeException(trailers));
                    return;
                }
                o.onNext(PutSubjectConditionsResponse.newBuilder().setVersion(r.getVersion()).build());
                o.onCompleted();
            }

            @Override
            public void recordReviewOverdue(RecordReviewOverdueRequest r, StreamObserver<RecordReviewOverdueResponse> o) {
                received.add("RecordReviewOverdue " + r.getSubjectId());
                o.onNext(RecordReviewOverdueResponse.getDefaultInstance());
                o.onCompleted();
            }
        }, recordToken)).addService(ServerInterceptors.intercept(new SubjectDataServiceGrpc.SubjectDataServiceImplBase() {
            @Override
            public void putSharingGrants(PutSharingGrantsRequest r, StreamObserver<PutSharingGrantsResponse> o) {
                received.add("PutSharingGrants " + r.getSubjectId());
                o.onNext(PutSharingGrantsResponse.newBuilder().setVersion(r.getVersion()).build());
                o.onCompleted();
            }

            @Override
            public void purgeSubject(PurgeSubjectRequest r, StreamObserver<PurgeSubjectResponse> o) {
                received.add("PurgeSubject " + r.getSubjectId());
                o.onNext(PurgeSubjectResponse.newBuilder().putCounts("DATA_CATEGORY_ALERTS", 3).build());
                o.onCompleted();
            }
        }, recordToken)).build().start();
    }

    @Test
    void messagesWaitForAStoppedPeerAndArriveWhenItStartsAndThePurgeReportCountsItsConfirmation() throws IOException {
        String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        ManagedChannel channel = GrpcTestChannels.plaintext(RestAssured.port);
        try {
            var cw = EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("alice", agency, "caseworker")));
            var admin = EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("root", agency, "admin")));
            Subject s = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("s").setSubject(person()).build()).getSubject();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o").setOrder(order(s.getSubjectId(), conditions())
                    .setStartsAt(Timestamps.of(now.minus(30, ChronoUnit.DAYS))).setEndsAt(Timestamps.of(now.minus(20, ChronoUnit.DAYS)))).build());
            String row = "target = 'rules-svc' and kind = 'PutSubjectConditions' and encode(payload, 'escape') like '%" + s.getSubjectId() + "%'";

            // rules-svc is down: the message is tried, fails and stays.
            await().atMost(Duration.ofSeconds(20)).until(() -> psql("select attempts > 0 and delivered_at is null from outbox_message where " + row).equals("t"));
            assertThat(received).isEmpty();

            startRules();
            await().atMost(Duration.ofSeconds(60)).until(() -> psql("select delivered_at is not null from outbox_message where " + row).equals("t"));
            assertThat(received).contains("PutSubjectConditions " + s.getSubjectId());
            // Every delivery carried enrollment-svc's own service token, addressed to rules-svc only.
            assertThat(tokens).isNotEmpty().allSatisfy(token -> {
                var claims = new org.jose4j.jwt.consumer.JwtConsumerBuilder().setSkipAllValidators().setDisableRequireSignature()
                        .setSkipSignatureVerification().build().processToClaims(token);
                assertThat(claims.getSubject()).isEqualTo("enrollment-svc");
                assertThat(claims.getAudience()).containsExactly("rules-svc");
                assertThat(claims.getIssuer()).isEqualTo(TestTokens.serviceIssuer(TestTokens.OWN_AGENCY));
                assertThat(claims.hasClaim("groups")).isFalse();
            });

            // Purge it: rules-svc confirms with its counts; the two other peers stay down, so the report is not complete.
            admin.setRetentionPolicy(SetRetentionPolicyRequest.newBuilder().addPeriods(RetentionPeriod.newBuilder()
                    .setCategory(DataCategory.DATA_CATEGORY_IDENTITY).setDays(5)).addPeriods(RetentionPeriod.newBuilder()
                    .setCategory(DataCategory.DATA_CATEGORY_CONDITIONS).setDays(5)).addPeriods(RetentionPeriod.newBuilder()
                    .setCategory(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).setDays(5)).addPeriods(RetentionPeriod.newBuilder()
                    .setCategory(DataCategory.DATA_CATEGORY_ALERTS).setDays(5)).addPeriods(RetentionPeriod.newBuilder()
                    .setCategory(DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS).setDays(5)).build());
            String purgeId = admin.runRetentionPurge(RunRetentionPurgeRequest.getDefaultInstance()).getReport().getPurgeId();
            var report = await().atMost(Duration.ofSeconds(60)).until(
                    () -> admin.getPurgeReport(GetPurgeReportRequest.newBuilder().setPurgeId(purgeId).build()).getReport(),
                    r -> r.getPeersList().stream().anyMatch(p -> p.getTarget().equals("rules-svc") && p.getConfirmed() == p.getRequested()));
            assertThat(received).contains("PurgeSubject " + s.getSubjectId());
            assertThat(report.getCountsList()).contains(PurgeCount.newBuilder().setSource("rules-svc").setCategory("DATA_CATEGORY_ALERTS")
                    .setCount(3L * report.getPeersList().stream().filter(p -> p.getTarget().equals("rules-svc")).findFirst().orElseThrow().getRequested())
                    .build());
            assertThat(report.getPeersList()).filteredOn(p -> !p.getTarget().equals("rules-svc")).allSatisfy(p -> assertThat(p.getConfirmed()).isZero());
            assertThat(report.getComplete()).isFalse();

            // The confirmation is delivered again (a replica died after rules-svc answered): the counts are replaced, not added.
            long deliveries = received.stream().filter(("PurgeSubject " + s.getSubjectId())::equals).count();
            psql("update outbox_message set state = 'PENDING', delivered_at = null, next_attempt_at = now() where kind = 'PurgeSubject'"
                    + " and target = 'rules-svc' and correlation_id = '" + purgeId + "'");
            await().atMost(Duration.ofSeconds(60)).until(() -> received.stream().filter(("PurgeSubject " + s.getSubjectId())::equals).count() > deliveries
                    && psql("select count(*) from outbox_message where state = 'PENDING' and correlation_id = '" + purgeId + "' and target = 'rules-svc'")
                            .equals("0"));
            var again = admin.getPurgeReport(GetPurgeReportRequest.newBuilder().setPurgeId(purgeId).build()).getReport();
            assertThat(again.getCountsList()).isEqualTo(report.getCountsList());
            assertThat(again.getPeersList()).isEqualTo(report.getPeersList());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void theOrderShowsWhetherRulesSvcAppliedItsConditionsAndWhyNot() throws IOException {
        String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        String token = TestTokens.token("alice", agency, "caseworker");
        ManagedChannel channel = GrpcTestChannels.plaintext(RestAssured.port);
        try {
            var cw = EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(io.sentinel.enrollment.Justified.bearer(token));
            Subject accepted = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("a").setSubject(person()).build()).getSubject();
            Subject skewed = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("b").setSubject(person()).build()).getSubject();
            Subject gone = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("c").setSubject(person()).build()).getSubject();
            // rules-svc (a later release, say) refuses what this enrollment-svc accepted; another subject it knows as purged.
            refuseConditionsOf.add(skewed.getSubjectId());
            purged.add(gone.getSubjectId());
            startRules();
            MonitoringOrder ok = cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o1").setOrder(order(accepted.getSubjectId(), conditions()))
                    .build()).getOrder();
            MonitoringOrder bad = cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o2").setOrder(order(skewed.getSubjectId(), conditions()))
                    .build()).getOrder();
            MonitoringOrder late = cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o3").setOrder(order(gone.getSubjectId(), conditions()))
                    .build()).getOrder();
            assertThat(bad.getConditionsStatus().getState()).isEqualTo(ConditionsState.CONDITIONS_STATE_PENDING);

            java.util.function.Function<MonitoringOrder, ConditionsStatus> status = o -> cw.getOrder(GetOrderRequest.newBuilder()
                    .setOrderId(o.getOrderId()).build()).getOrder().getConditionsStatus();
            await().atMost(Duration.ofSeconds(30)).until(() -> status.apply(ok).getState() == ConditionsState.CONDITIONS_STATE_APPLIED);
            await().atMost(Duration.ofSeconds(30)).until(() -> status.apply(bad).getState() == ConditionsState.CONDITIONS_STATE_NOT_APPLIED);
            assertThat(status.apply(bad).getReason()).isEqualTo("INVALID_ARGUMENT: zones[0].geojson: refused by a newer validator");
            assertThat(status.apply(ok).getReason()).isEmpty();
            // A refusal because the subject was purged is as final: parked after one attempt, not retried for ever.
            await().atMost(Duration.ofSeconds(30)).until(() -> status.apply(late).getState() == ConditionsState.CONDITIONS_STATE_NOT_APPLIED);
            assertThat(psql("select attempts || '|' || state from outbox_message where target = 'rules-svc' and kind = "
                    + "'PutSubjectConditions' and encode(payload, 'escape') like '%" + gone.getSubjectId() + "%'")).isEqualTo("1|PARKED");

            // The caseworker sees it over REST too.
            RestAssured.given().auth().oauth2(token).headers(io.sentinel.enrollment.Justified.HEADERS)
                    .get("/api/v1/orders/" + bad.getOrderId()).then().statusCode(200)
                    .body("conditionsStatus.state", org.hamcrest.Matchers.equalTo("CONDITIONS_STATE_NOT_APPLIED"))
                    .body("conditionsStatus.reason", org.hamcrest.Matchers.startsWith("INVALID_ARGUMENT: zones[0].geojson"));

            // Amended once rules-svc accepts them again: pending for the new version, then applied.
            refuseConditionsOf.clear();
            long refusedVersion = status.apply(bad).getVersion();
            MonitoringOrder amended = cw.amendConditions(AmendConditionsRequest.newBuilder().setOrderId(bad.getOrderId()).setVersion(bad.getVersion())
                    .setConditions(conditions()).build()).getOrder();
            assertThat(amended.getConditionsStatus().getState()).isEqualTo(ConditionsState.CONDITIONS_STATE_PENDING);
            assertThat(amended.getConditionsStatus().getVersion()).isGreaterThan(refusedVersion);
            await().atMost(Duration.ofSeconds(30)).until(() -> status.apply(amended).getState() == ConditionsState.CONDITIONS_STATE_APPLIED);
            assertThat(status.apply(amended).getVersion()).isEqualTo(amended.getConditionsStatus().getVersion());

            // Operators see the parked message of the purged subject, without personal data, and discard it; both recorded.
            String ops = TestTokens.token("operator", TestTokens.OWN_AGENCY, "platform-admin");
            RestAssured.given().auth().oauth2(token).get("/api/v1/ops/outbox").then().statusCode(403);
            String listing = RestAssured.given().auth().oauth2(ops).queryParam("state", "PARKED").get("/api/v1/ops/outbox").then().statusCode(200)
                    .extract().asString();
            assertThat(listing).doesNotContain(gone.getSubjectId()).contains("\"reason\":\"FAILED_PRECONDITION: subject_id: subject <redacted>");
            long goneRow = Long.parseLong(psql("select id from outbox_message where state = 'PARKED' and kind = 'PutSubjectConditions'"
                    + " and subject_id = '" + gone.getSubjectId() + "'"));
            RestAssured.given().auth().oauth2(ops).queryParam("state", "SENT").get("/api/v1/ops/outbox").then().statusCode(400);
            RestAssured.given().auth().oauth2(ops).post("/api/v1/ops/outbox/" + goneRow + "/discard").then().statusCode(200);
            RestAssured.given().auth().oauth2(ops).post("/api/v1/ops/outbox/" + goneRow + "/discard").then().statusCode(404);
            assertThat(psql("select count(*) from outbox_message where id = " + goneRow)).isEqualTo("0");
            assertThat(psql("select count(*) from audit_entry where action = 'outbox.discard' and detail like 'message " + goneRow + " %'"))
                    .isEqualTo("1");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void anOperatorPutsAParkedMessageBackInLine() throws IOException {
        String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        String token = TestTokens.token("alice", agency, "caseworker");
        ManagedChannel channel = GrpcTestChannels.plaintext(RestAssured.port);
        try {
            var cw = EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(io.sentinel.enrollment.Justified.bearer(token));
            Subject skewed = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("a").setSubject(person()).build()).getSubject();
            refuseConditionsOf.add(skewed.getSubjectId());
            startRules();
            MonitoringOrder bad = cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("o").setOrder(order(skewed.getSubjectId(), conditions()))
                    .build()).getOrder();
            String row = "kind = 'PutSubjectConditions' and subject_id = '" + skewed.getSubjectId() + "'";
            await().atMost(Duration.ofSeconds(30)).until(() -> psql("select state from outbox_message where " + row).equals("PARKED"));
            long id = Long.parseLong(psql("select id from outbox_message where " + row));
            String ops = TestTokens.token("operator", TestTokens.OWN_AGENCY, "platform-admin");
            RestAssured.given().auth().oauth2(ops).get("/q/health/ready").then()
                    .body("checks.find { it.name == 'outbox' }.data.parked", org.hamcrest.Matchers.greaterThanOrEqualTo(1));

            // rules-svc now accepts them (its validator was fixed): the operator retries, it is delivered and the order applied.
            refuseConditionsOf.clear();
            RestAssured.given().auth().oauth2(token).post("/api/v1/ops/outbox/" + id + "/retry").then().statusCode(403);
            RestAssured.given().auth().oauth2(ops).post("/api/v1/ops/outbox/" + id + "/retry").then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> psql("select state from outbox_message where " + row).equals("DELIVERED"));
            assertThat(cw.getOrder(GetOrderRequest.newBuilder().setOrderId(bad.getOrderId()).build()).getOrder().getConditionsStatus().getState())
                    .isEqualTo(ConditionsState.CONDITIONS_STATE_APPLIED);
            assertThat(psql("select actor || ' ' || outcome from audit_entry where action = 'outbox.retry' and detail like 'message " + id + " %'"))
                    .isEqualTo("operator allowed");
            RestAssured.given().auth().oauth2(ops).post("/api/v1/ops/outbox/" + id + "/retry").then().statusCode(404);
        } finally {
            channel.shutdownNow();
        }
    }
}
