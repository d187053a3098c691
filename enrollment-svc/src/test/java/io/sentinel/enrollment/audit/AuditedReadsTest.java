package io.sentinel.enrollment.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sentinel.api.audit.v1.AuditServiceGrpc;
import io.sentinel.api.audit.v1.QueryAuditLogRequest;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.enrollment.v1.*;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.Db;
import io.sentinel.enrollment.Justified;

/**
 * Every read of personal data, over gRPC and REST: with a purpose and a reference it is recorded
 * with them, the reader, and every subject it returned; without either it is refused with
 * INVALID_ARGUMENT (HTTP 400) naming the missing key, and the refusal is recorded too.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditedReadsTest {
    static final String MISSING_PURPOSE = "x-sentinel-purpose: a purpose is required to read personal data: send x-sentinel-purpose"
            + " (why you need it) as gRPC metadata or an HTTP header";
    static final String MISSING_REFERENCE = "x-sentinel-reference: a reference is required to read personal data: send x-sentinel-reference"
            + " (the case, task or request this read serves) as gRPC metadata or an HTTP header";
    static final String MISSING_BOTH = "x-sentinel-purpose: a purpose and a reference are required to read personal data: send"
            + " x-sentinel-purpose (why) and x-sentinel-reference (the case or task) as gRPC metadata or HTTP headers";

    ManagedChannel channel;
    String agency;
    String partnerAgency;
    String caseworker;
    String partner;
    String auditor;
    /** Subject A has an overdue order, a device and a grant to the partner; subject B has an order. */
    String a;
    String b;
    String orderA;
    String deviceA;
    String grantA;

    /** What a read answered: OK, or the gRPC status (HTTP 400 as INVALID_ARGUMENT) and its description. */
    record Outcome(String code, String description) {
        static final Outcome OK = new Outcome("OK", "");
    }

    /** One read path: who reads (the actor), the action recorded, the subjects it must record, and the call itself. */
    record ReadPath(String actor, String action, List<String> subjects, boolean atLeast, Function<Creds, Outcome> call) {
    }

    /** The justification a call sends; null values are not sent. */
    record Creds(String purpose, String reference) {
    }

    static Subject.Builder person() {
        return Subject.newBuilder().setGivenNames("Sam").setFamilyName("Example").setDateOfBirth("1990-04-01").setNationality("GBR")
                .setPreferredLanguage("en");
    }

    static MonitoringOrder.Builder order(String subjectId, Instant starts) {
        return MonitoringOrder.newBuilder().setSubjectId(subjectId).setLegalAuthority("Court order 2026/17").setStartsAt(Timestamps.of(starts))
                .setEndsAt(Timestamps.of(starts.plus(400, ChronoUnit.DAYS))).setDeviceType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                .setConditions(Conditions.newBuilder().setTimeZone("Europe/London").setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL));
    }

    /** Built once, before the first test: RestAssured learns the test port only then. */
    @BeforeEach
    void fixture() {
        if (channel != null) {
            return;
        }
        channel = GrpcTestChannels.plaintext(RestAssured.port);
        agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);
        partnerAgency = "police-" + UUID.randomUUID().toString().substring(0, 8);
        caseworker = TestTokens.token("alice", agency, "caseworker");
        partner = TestTokens.token("pc-bob", partnerAgency, "partner");
        auditor = TestTokens.token("audrey", agency, "auditor");
        EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("ops", TestTokens.OWN_AGENCY,
                "platform-admin"))).createAgency(CreateAgencyRequest.newBuilder().setIdempotencyKey(partnerAgency).setAgency(Agency.newBuilder()
                        .setAgencyId(partnerAgency).setName("Police").setKind(AgencyKind.AGENCY_KIND_POLICE).setDataRegion("eu-west-2")).build());
        var cw = stub(caseworker, new Creds(null, null));
        a = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("a").setSubject(person()).build()).getSubject().getSubjectId();
        b = cw.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey("b").setSubject(person()).build()).getSubject().getSubjectId();
        Instant fiveMonthsAgo = Instant.now().minus(150, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        orderA = cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("oa").setOrder(order(a, fiveMonthsAgo)).build())
                .getOrder().getOrderId();
        cw.createOrder(CreateOrderRequest.newBuilder().setIdempotencyKey("ob").setOrder(order(b, Instant.now().truncatedTo(ChronoUnit.SECONDS)))
                .build());
        deviceA = cw.registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey("d").setDevice(Device.newBuilder()
                .setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG).addGatewayIds("gw-1")).build())
                .getDevice().getDeviceId();
        cw.assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(deviceA).setSubjectId(a).build());
        // A second, free device: a list names only the subjects devices are assigned to.
        cw.registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey("d2").setDevice(Device.newBuilder()
                .setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG).addGatewayIds("gw-1")).build());
        grantA = cw.grantSharing(GrantSharingRequest.newBuilder().setIdempotencyKey("g").setSubjectId(a).setGrant(SharingGrant.newBuilder()
                .setAgencyId(partnerAgency).addCategories(DataCategory.DATA_CATEGORY_IDENTITY).addCategories(DataCategory.DATA_CATEGORY_CONDITIONS)
                .setPurpose("joint case").setValidUntil(Timestamps.of(Instant.now().plus(30, ChronoUnit.DAYS)))).build()).getGrant().getGrantId();
    }

    @AfterAll
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub stub(String token, Creds c) {
        return stub(token, c, null);
    }

    EnrollmentServiceGrpc.EnrollmentServiceBlockingStub stub(String token, Creds c, String grant) {
        return EnrollmentServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials(token, c, grant)).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    static CallCredentials credentials(String token, Creds c, String grant) {
        return Justified.bearer(token, c.purpose(), c.reference(), grant);
    }

    static Outcome grpc(Runnable call) {
        try {
            call.run();
            return Outcome.OK;
        } catch (StatusRuntimeException e) {
            return new Outcome(e.getStatus().getCode().name(), e.getStatus().getDescription());
        }
    }

    static RequestSpecification rest(String token, Creds c, String grant) {
        RequestSpecification r = given().auth().oauth2(token);
        if (c.purpose() != null) {
            r = r.header("X-Sentinel-Purpose", c.purpose());
        }
        if (c.reference() != null) {
            r = r.header("X-Sentinel-Reference", c.reference());
        }
        return grant == null ? r : r.header("X-Sentinel-Grant", grant);
    }

    static Outcome rest(Response r) {
        return switch (r.statusCode()) {
            case 200 -> Outcome.OK;
            case 400 -> new Outcome("INVALID_ARGUMENT", r.jsonPath().getString("detail"));
            default -> new Outcome("HTTP " + r.statusCode(), r.asString());
        };
    }

    ReadPath path(String name) {
        return switch (name) {
            case "grpc GetSubject" -> new ReadPath("alice", "subject.read", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).getSubject(GetSubjectRequest.newBuilder().setSubjectId(a).build())));
            case "grpc GetSubject as partner" -> new ReadPath("pc-bob", "subject.read", List.of(a), false,
                    c -> grpc(() -> stub(partner, c, grantA).getSubject(GetSubjectRequest.newBuilder().setSubjectId(a).build())));
            case "grpc ListSubjects" -> new ReadPath("alice", "subject.list", List.of(a, b), false,
                    c -> grpc(() -> stub(caseworker, c).listSubjects(ListSubjectsRequest.getDefaultInstance())));
            case "grpc SearchSubjects" -> new ReadPath("alice", "subject.search", List.of(a, b), false,
                    c -> grpc(() -> stub(caseworker, c).searchSubjects(SearchSubjectsRequest.newBuilder().setFamilyNamePrefix("exam").build())));
            case "grpc GetOrder" -> new ReadPath("alice", "order.read", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).getOrder(GetOrderRequest.newBuilder().setOrderId(orderA).build())));
            case "grpc GetOrder as partner" -> new ReadPath("pc-bob", "order.read", List.of(a), false,
                    c -> grpc(() -> stub(partner, c, grantA).getOrder(GetOrderRequest.newBuilder().setOrderId(orderA).build())));
            case "grpc ListOrders" -> new ReadPath("alice", "order.list", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).listOrders(ListOrdersRequest.newBuilder().setSubjectId(a).build())));
            case "grpc ListOrders as partner" -> new ReadPath("pc-bob", "order.list", List.of(a), false,
                    c -> grpc(() -> stub(partner, c, grantA).listOrders(ListOrdersRequest.newBuilder().setSubjectId(a).build())));
            case "grpc ListOverdueReviews" -> new ReadPath("alice", "order.list-overdue-reviews", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).listOverdueReviews(ListOverdueReviewsRequest.getDefaultInstance())));
            case "grpc GetDevice" -> new ReadPath("alice", "device.read", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).getDevice(GetDeviceRequest.newBuilder().setDeviceId(deviceA).build())));
            case "grpc ListDevices" -> new ReadPath("alice", "device.list", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).listDevices(ListDevicesRequest.getDefaultInstance())));
            case "grpc ListSharingGrants" -> new ReadPath("alice", "grant.list", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).listSharingGrants(ListSharingGrantsRequest.newBuilder().setSubjectId(a).build())));
            case "grpc GetPrivacyNotice" -> new ReadPath("alice", "privacy-notice.read", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).getPrivacyNotice(GetPrivacyNoticeRequest.newBuilder().setSubjectId(a).build())));
            case "grpc ExportSubjectData" -> new ReadPath("alice", "subject.export", List.of(a), false,
                    c -> grpc(() -> stub(caseworker, c).exportSubjectData(ExportSubjectDataRequest.newBuilder().setSubjectId(a).build())
                            .forEachRemaining(piece -> { })));
            case "grpc AuditService/QueryAuditLog" -> new ReadPath("audrey", "audit.query", List.of(a), true,
                    c -> grpc(() -> AuditServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials(auditor, c, null))
                            .withDeadlineAfter(20, TimeUnit.SECONDS).queryAuditLog(QueryAuditLogRequest.newBuilder().setSubjectId(a).build())));
            case "rest GET /subjects/{id}" -> new ReadPath("alice", "subject.read", List.of(a), false,
                    c -> rest(rest(caseworker, c, null).get("/api/v1/subjects/" + a)));
            case "rest GET /subjects/{id} as partner" -> new ReadPath("pc-bob", "subject.read", List.of(a), false,
                    c -> rest(rest(partner, c, grantA).get("/api/v1/subjects/" + a)));
            case "rest GET /subjects" -> new ReadPath("alice", "subject.list", List.of(a, b), false,
                    c -> rest(rest(caseworker, c, null).get("/api/v1/subjects")));
            case "rest GET /subjects/search" -> new ReadPath("alice", "subject.search", List.of(a, b), false,
                    c -> rest(rest(caseworker, c, null).queryParam("nationality", "GBR").get("/api/v1/subjects/search")));
            case "rest GET /subjects/{id}/privacy-notice" -> new ReadPath("alice", "privacy-notice.read", List.of(a), false,
                    c -> rest(rest(caseworker, c, null).accept("application/json").get("/api/v1/subjects/" + a + "/privacy-notice")));
            case "rest GET /subjects/{id}/grants" -> new ReadPath("alice", "grant.list", List.of(a), false,
                    c -> rest(rest(caseworker, c, null).get("/api/v1/subjects/" + a + "/grants")));
            case "rest GET /orders/{id}" -> new ReadPath("alice", "order.read", List.of(a), false,
                    c -> rest(rest(caseworker, c, null).get("/api/v1/orders/" + orderA)));
            case "rest GET /orders/{id} as partner" -> new ReadPath("pc-bob", "order.read", List.of(a), false,
                    c -> rest(rest(partner, c, grantA).get("/api/v1/orders/" + orderA)));
            case "rest GET /orders/overdue-reviews" -> new ReadPath("alice", "order.list-overdue-reviews", List.of(a), false,
                    c -> rest(rest(caseworker, c, null).get("/api/v1/orders/overdue-reviews")));
            case "rest GET /audit/records" -> new ReadPath("audrey", "audit.query", List.of(a), true,
                    c -> rest(rest(auditor, c, null).queryParam("subjectId", a).get("/api/v1/audit/records")));
            default -> throw new IllegalArgumentException(name);
        };
    }

    static List<String> readPaths() {
        return List.of("grpc GetSubject", "grpc GetSubject as partner", "grpc ListSubjects", "grpc SearchSubjects", "grpc GetOrder",
                "grpc GetOrder as partner", "grpc ListOrders", "grpc ListOrders as partner", "grpc ListOverdueReviews", "grpc GetDevice",
                "grpc ListDevices", "grpc ListSharingGrants", "grpc GetPrivacyNotice", "grpc ExportSubjectData", "grpc AuditService/QueryAuditLog",
                "rest GET /subjects/{id}", "rest GET /subjects/{id} as partner", "rest GET /subjects", "rest GET /subjects/search",
                "rest GET /subjects/{id}/privacy-notice", "rest GET /subjects/{id}/grants", "rest GET /orders/{id}", "rest GET /orders/{id} as partner",
                "rest GET /orders/overdue-reviews", "rest GET /audit/records");
    }

    /** The one record a call left, found by its (unique) purpose or reference: actor, agency, action, outcome, subjects, grant, detail. */
    static List<String> recordWith(String column, String value) {
        List<List<String>> rows = Db.rows("select actor, agency_id, roles, action, outcome, array_to_string(subject_ids, ','), grant_id, detail, "
                + "purpose, reference from audit_entry where " + column + " = ?", value);
        assertThat(rows).as("records with " + column + " " + value).hasSize(1);
        return rows.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readPaths")
    void aJustifiedReadIsRecordedWithItsPurposeReferenceAndTheSubjectsReturned(String name) {
        ReadPath p = path(name);
        String reference = "REF-" + UUID.randomUUID();
        assertThat(p.call().apply(new Creds(Justified.PURPOSE, reference))).isEqualTo(Outcome.OK);
        List<String> r = recordWith("reference", reference);
        boolean byPartner = p.actor().equals("pc-bob");
        assertThat(r.subList(0, 5)).containsExactly(p.actor(), byPartner ? partnerAgency : agency, byPartner ? "partner"
                : p.actor().equals("audrey") ? "auditor" : "caseworker", p.action(), "allowed");
        List<String> recorded = r.get(5).isEmpty() ? List.of() : List.of(r.get(5).split(","));
        if (p.atLeast()) {
            assertThat(recorded).containsAll(p.subjects());
        } else {
            assertThat(recorded).containsExactlyElementsOf(new TreeSet<>(p.subjects()));
        }
        assertThat(r.get(6)).isEqualTo(byPartner ? grantA : "");
        assertThat(r.get(8)).isEqualTo(Justified.PURPOSE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readPaths")
    void aReadWithoutPurposeOrReferenceIsRefusedNamingWhatIsMissingAndTheRefusalIsRecorded(String name) {
        ReadPath p = path(name);
        String reference = "REF-" + UUID.randomUUID();
        assertThat(p.call().apply(new Creds(null, reference))).isEqualTo(new Outcome("INVALID_ARGUMENT", MISSING_PURPOSE));
        List<String> r = recordWith("reference", reference);
        assertThat(r.get(3)).isEqualTo(p.action());
        assertThat(r.get(4)).isEqualTo("refused");
        assertThat(r.get(7)).isEqualTo(MISSING_PURPOSE.substring("x-sentinel-purpose: ".length()));

        String purpose = "purpose " + UUID.randomUUID();
        assertThat(p.call().apply(new Creds(purpose, null))).isEqualTo(new Outcome("INVALID_ARGUMENT", MISSING_REFERENCE));
        r = recordWith("purpose", purpose);
        assertThat(r.get(3)).isEqualTo(p.action());
        assertThat(r.get(4)).isEqualTo("refused");

        assertThat(p.call().apply(new Creds(null, null))).isEqualTo(new Outcome("INVALID_ARGUMENT", MISSING_BOTH));
        assertThat(p.call().apply(new Creds("  ", " "))).isEqualTo(new Outcome("INVALID_ARGUMENT", MISSING_BOTH));
    }

    @Test
    void someoneOfThisAgencyWhoAlsoHoldsThePartnerRoleReadsTheirOwnDataWithoutAGrant() {
        // The development token carries every role; only a partner agency's user (partner alone) cites a grant.
        String manyRoles = TestTokens.token("dev-user", agency, "caseworker", "partner");
        given().auth().oauth2(manyRoles).headers(Justified.HEADERS).get("/api/v1/subjects/" + a).then().statusCode(200);
        assertThat(Db.rows("select outcome from audit_entry where actor = 'dev-user' and action = 'subject.read' and agency_id = '"
                + agency + "'")).extracting(row -> row.get(0)).containsExactly("allowed");
    }

    @Test
    void aPurposeOrReferenceInTheUrlIsRefusedWithA400SayingToUseTheHeaders() {
        for (String param : new String[] { "purpose", "reference", "Purpose", "x-sentinel-reference", "grant" }) {
            Response r = given().auth().oauth2(caseworker).headers(Justified.HEADERS).queryParam(param, "case 42").get("/api/v1/subjects/" + a);
            assertThat(r.statusCode()).as(param).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.jsonPath().getString("field")).isEqualTo(param);
            assertThat(r.jsonPath().getString("detail")).startsWith(param + ": must not be sent in the URL, where proxies and access logs keep it: send it as the x-sentinel-");
        }
        assertThat(Db.rows("select count(*) from audit_entry where purpose = 'case 42' or reference = 'case 42'").get(0).get(0)).isEqualTo("0");
    }

    @Test
    void aPartnerReadRecordsTheGrantItCitedAndARefusedOneRecordsTheSubjectAsked() {
        String reference = "REF-" + UUID.randomUUID();
        String stranger = UUID.randomUUID().toString();
        Outcome o = grpc(() -> stub(partner, new Creds(Justified.PURPOSE, reference), stranger)
                .getSubject(GetSubjectRequest.newBuilder().setSubjectId(a).build()));
        assertThat(o.code()).isEqualTo("PERMISSION_DENIED");
        List<String> r = recordWith("reference", reference);
        assertThat(r.subList(3, 7)).containsExactly("subject.read", "refused", a, stranger);
        assertThat(r.get(7)).isEqualTo(o.description());
    }

    @Test
    void everyChangeRecordsItselfWithTheSubjectItChanged() {
        Map<String, String> expected = Map.of("subject.create", a, "order.create", a, "device.assign", a, "grant.create", a);
        for (var e : expected.entrySet()) {
            List<List<String>> rows = Db.rows("select outcome from audit_entry where agency_id = ? and action = ? and ? = any(subject_ids)",
                    agency, e.getKey(), e.getValue());
            assertThat(rows).as(e.getKey()).extracting(row -> row.get(0)).containsExactly("allowed");
        }
        assertThat(Db.rows("select count(*) from audit_entry where agency_id = ? and action = 'device.register'", agency).get(0).get(0))
                .isEqualTo("2");
        List<String> details = new ArrayList<>();
        Db.rows("select detail from audit_entry where agency_id = ? and outcome = 'allowed'", agency).forEach(row -> details.add(row.get(0)));
        // Details name ids and counts, never the person: no name, date of birth or legal authority.
        assertThat(details).noneMatch(d -> d.contains("Example") || d.contains("1990-04-01") || d.contains("Court order"));
    }
}
