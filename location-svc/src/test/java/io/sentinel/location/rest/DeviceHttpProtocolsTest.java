package io.sentinel.location.rest;

import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.assignedDevice;
import static io.sentinel.location.Fixtures.gatewayToken;
import static io.sentinel.location.Fixtures.psql;
import static io.sentinel.location.Fixtures.storedFixes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.location.Fixtures;

/** OsmAnd / Traccar Client and OwnTracks over HTTP, with the message shapes the real apps send. */
@QuarkusTest
class DeviceHttpProtocolsTest {

    static long epoch(Instant t) {
        return t.getEpochSecond();
    }

    static Instant recent() {
        return Instant.now().minus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    }

    // --- OsmAnd / Traccar Client ---

    @Test
    void storesTraccarClientQueryReportSentAsGetAndAnswersEmpty200() {
        String device = assignedDevice();
        Instant t = recent();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(t)
                        + "&lat=51.500729&lon=-0.124625&speed=2.3&bearing=92.0&altitude=45.2&accuracy=11.9&batt=84.0")
                .then().statusCode(200).body(equalTo(""));
        assertThat(storedFixes(device)).isEqualTo(1);
        assertThat(psql("select latitude || ',' || longitude || ',' || accuracy_metres || ',' || battery_percent from fix where device_id = '"
                + device + "'")).isEqualTo("51.500729,-0.124625,11.9,84");
    }

    @Test
    void storesTraccarClientQueryReportSentAsPostWithEmptyBody() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken()).contentType("application/x-www-form-urlencoded")
                .when().post("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12&accuracy=8")
                .then().statusCode(200);
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void storesAFormEncodedPostBody() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken()).contentType("application/x-www-form-urlencoded")
                .body("id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12&hdop=1.2")
                .when().post("/api/v1/osmand").then().statusCode(200);
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void storesTraccarClient9JsonBodyAndResendStoresNoDuplicate() {
        String device = assignedDevice();
        String body = """
                {"location":{"event":"motionchange","is_moving":false,"uuid":"8f2d3a4e-1c6b-4a5f-9a5e-2b7c1d0e6f11",
                 "timestamp":"%s","odometer":1523.4,
                 "coords":{"latitude":51.500729,"longitude":-0.124625,"accuracy":11.9,"speed":1.4,
                           "speed_accuracy":0.5,"heading":92.3,"heading_accuracy":10,"altitude":45.2,
                           "ellipsoidal_altitude":91.1,"altitude_accuracy":3.1,"age":120},
                 "activity":{"type":"walking","confidence":100},
                 "battery":{"is_charging":true,"level":0.29},"extras":{}},
                 "device_id":"%s"}""".formatted(recent(), device);
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(gatewayToken()).contentType("application/json").body(body)
                    .when().post("/api/v1/osmand").then().statusCode(200);
        }
        assertThat(storedFixes(device)).isEqualTo(1);
        assertThat(psql("select charging from fix where device_id = '" + device + "'")).isEqualTo("t");
    }

    @Test
    void answers400NamingIdForUnknownDeviceInQueryForm() {
        String unknown = UUID.randomUUID().toString();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + unknown + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12")
                .then().statusCode(400).body(containsString("is not a registered device"));
    }

    @Test
    void answers404ForUnknownDeviceInJsonForm() {
        given().auth().oauth2(gatewayToken()).contentType("application/json")
                .body("{\"device_id\":\"" + UUID.randomUUID() + "\",\"location\":{\"timestamp\":\"" + recent()
                        + "\",\"coords\":{\"latitude\":51.5,\"longitude\":-0.12,\"accuracy\":5}}}")
                .when().post("/api/v1/osmand").then().statusCode(404).body(containsString("device_id"));
    }

    @Test
    void rejectsLatitudeOutOfRangeNamingTheFieldAndStoresNothing() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=91.5&lon=-0.12")
                .then().statusCode(400).body(containsString("latitude")).body(containsString("[-90, 90]"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void rejectsNaNLongitude() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=NaN")
                .then().statusCode(400).body(containsString("lon"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void rejectsDeviceTimeMoreThanFiveMinutesAhead() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(Instant.now().plus(7, ChronoUnit.MINUTES))
                        + "&lat=51.5&lon=-0.12")
                .then().statusCode(400).body(containsString("device_time"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void rejectsDeviceTimeOlderThanTheWindow() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(Instant.now().minus(400, ChronoUnit.DAYS))
                        + "&lat=51.5&lon=-0.12")
                .then().statusCode(400).body(containsString("device_time"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void rejectsMalformedJsonBody() {
        given().auth().oauth2(gatewayToken()).contentType("application/json").body("{\"device_id\":")
                .when().post("/api/v1/osmand").then().statusCode(400).body(containsString("JSON"));
    }

    @Test
    void rejectsAReportOfAnUnassignedDevice() {
        String device = assignedDevice();
        Fixtures.assign(device, null, Fixtures.AGENCY, null, 2);
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12")
                .then().statusCode(400).body(containsString("not assigned"));
        assertThat(storedFixes(device)).isZero();
    }

    @jakarta.inject.Inject
    io.sentinel.location.service.AssignmentService assignments;

    int refreshAssignments() throws Throwable {
        return io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> assignments.refresh());
    }

    @Test
    void anAssignmentStoredByAnotherReplicaIsHonouredAtOnceAndTakenUpByTheRefresh() throws Throwable {
        String device = UUID.randomUUID().toString();
        String imei = imei();
        // Another replica stored it: the row is there, this replica's registry does not know it yet.
        psql("insert into device_assignment (device_id, subject_id, owning_agency_id, cadence, version, effective_at, updated_at, serial,"
                + " gateway_ids) values ('" + device + "', gen_random_uuid(), '" + Fixtures.AGENCY + "', 'LOCATION_CADENCE_CONTINUOUS_TRAIL', 1,"
                + " now(), now(), '" + imei + "', '" + Fixtures.GATEWAY + "')");
        String report = "/api/v1/osmand?id=" + imei + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12";
        // The database is read before a fix is refused as unknown: stored at once, no refresh needed.
        given().auth().oauth2(gatewayToken()).when().get(report).then().statusCode(200);
        assertThat(storedFixes(device)).isEqualTo(1);

        refreshAssignments();
        given().auth().oauth2(gatewayToken()).when().get(report).then().statusCode(200);
        assertThat(storedFixes(device)).isEqualTo(1);

        // The other replica releases the device (version 2); reading the rows again changes nothing more.
        psql("update device_assignment set subject_id = null, version = 2, updated_at = now() where device_id = '" + device + "'");
        refreshAssignments();
        refreshAssignments();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + imei + "&timestamp=" + epoch(recent().plusSeconds(30)) + "&lat=51.5&lon=-0.12")
                .then().statusCode(400).body(containsString("not assigned"));
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void storesReportsOfATrackerThatNamesItselfByItsImeiInEveryProtocol() {
        String imei = imei();
        String device = Fixtures.assignedDeviceWithSerial(imei, Fixtures.AGENCY);
        Instant t = recent();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + imei + "&timestamp=" + epoch(t) + "&lat=51.500729&lon=-0.124625&accuracy=11.9")
                .then().statusCode(200).body(equalTo(""));
        given().auth().oauth2(gatewayToken()).contentType("application/json").header("X-Limit-U", "jane").header("X-Limit-D", imei)
                .body("{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"acc\":9,\"tst\":" + epoch(t.plusSeconds(30)) + "}")
                .when().post("/api/v1/owntracks").then().statusCode(200);
        // Stored under the Sentinel device id, so trail, health and forwarding see one device.
        assertThat(storedFixes(device)).isEqualTo(2);
        assertThat(psql("select count(*) from fix where device_id::text = '" + imei + "'")).isEqualTo("0");
    }

    @Test
    void anImeiRegisteredByAnotherAgencyIsAnUnknownDevice() {
        String imei = imei();
        String device = Fixtures.assignedDeviceWithSerial(imei, "agency-b");
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + imei + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12")
                .then().statusCode(400).body(containsString("is not a registered device"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void aSerialAlreadyNamingAnotherDeviceOfTheAgencyIsRefusedNamingTheField() {
        String imei = imei();
        String first = Fixtures.assignedDeviceWithSerial(imei, Fixtures.AGENCY);
        String second = UUID.randomUUID().toString();
        io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                () -> Fixtures.assign(second, UUID.randomUUID().toString(), Fixtures.AGENCY, imei, 1));
        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.ALREADY_EXISTS);
        assertThat(e.getStatus().getDescription()).startsWith("serial:").contains(first);
        // A malformed serial is INVALID_ARGUMENT, and the first device keeps reporting by it.
        io.grpc.StatusRuntimeException bad = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                () -> Fixtures.assign(second, UUID.randomUUID().toString(), Fixtures.AGENCY, "imei 35 20", 1));
        assertThat(bad.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
        assertThat(bad.getStatus().getDescription()).startsWith("serial:");
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + imei + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12")
                .then().statusCode(200);
        assertThat(storedFixes(first)).isEqualTo(1);
    }

    // --- gateway binding, the same for every HTTP protocol ---

    @Test
    void refusesAnOsmAndQueryReportFromAGatewayNotBoundToTheDeviceWith403NamingBoth() {
        String device = assignedDevice();
        String query = "/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12";
        given().auth().oauth2(Fixtures.gatewayToken("gw-2")).when().get(query)
                .then().statusCode(403).contentType("application/problem+json")
                .body("field", equalTo("id")).body("detail", equalTo("id: gateway 'gw-2' is not bound to device " + device));
        given().auth().oauth2(Fixtures.gatewayToken("gw-2")).contentType("application/x-www-form-urlencoded")
                .body("id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12")
                .when().post("/api/v1/osmand").then().statusCode(403).body("field", equalTo("id"));
        assertThat(storedFixes(device)).isZero();
        given().auth().oauth2(gatewayToken()).when().get(query).then().statusCode(200);
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void refusesATraccarJsonReportFromAGatewayNotBoundToTheDeviceWith403() {
        String imei = imei();
        String device = Fixtures.assignedDeviceWithSerial(imei, Fixtures.AGENCY);
        given().auth().oauth2(Fixtures.gatewayToken("gw-2")).contentType("application/json")
                .body("{\"device_id\":\"" + imei + "\",\"location\":{\"timestamp\":\"" + recent()
                        + "\",\"coords\":{\"latitude\":51.5,\"longitude\":-0.12,\"accuracy\":5}}}")
                .when().post("/api/v1/osmand").then().statusCode(403)
                .body("field", equalTo("device_id")).body("detail", equalTo("device_id: gateway 'gw-2' is not bound to device " + imei));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void refusesAnOwnTracksHttpReportFromAGatewayNotBoundToTheDeviceWith403() {
        String device = assignedDevice();
        given().auth().oauth2(Fixtures.gatewayToken("gw-2")).contentType("application/json").header("X-Limit-U", "jane")
                .header("X-Limit-D", device).body("{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"tst\":" + epoch(recent()) + "}")
                .when().post("/api/v1/owntracks").then().statusCode(403)
                .body("field", equalTo("X-Limit-D")).body("detail", equalTo("X-Limit-D: gateway 'gw-2' is not bound to device " + device));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void aBindingChangedByAnotherReplicaIsTakenUpByTheRefresh() throws Throwable {
        String device = assignedDevice();
        // Another replica applied enrollment's new binding (version 2): gw-2 instead of gw-1.
        psql("update device_assignment set gateway_ids = 'gw-2,gw-3', version = 2, updated_at = now() where device_id = '" + device + "'");
        refreshAssignments();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12")
                .then().statusCode(403).body("detail", containsString("gateway 'gw-1' is not bound to device " + device));
        given().auth().oauth2(Fixtures.gatewayToken("gw-3"))
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12")
                .then().statusCode(200);
        assertThat(storedFixes(device)).isEqualTo(1);
    }

    @Test
    void anAssignmentStoredBeforeBindingsExistedLetsNoGatewayReportIt() throws Throwable {
        String device = UUID.randomUUID().toString();
        // A row as it was before gateway_ids existed: the column takes its default, no gateway.
        psql("insert into device_assignment (device_id, subject_id, owning_agency_id, cadence, version, effective_at, updated_at)"
                + " values ('" + device + "', gen_random_uuid(), '" + Fixtures.AGENCY + "', 'LOCATION_CADENCE_CONTINUOUS_TRAIL', 1, now(), now())");
        refreshAssignments();
        for (String gw : new String[] { Fixtures.GATEWAY, "gw-2" }) {
            given().auth().oauth2(Fixtures.gatewayToken(gw))
                    .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12")
                    .then().statusCode(403).body("detail", equalTo("id: gateway '" + gw + "' is not bound to device " + device));
        }
        assertThat(storedFixes(device)).isZero();
    }

    /** A random 15-digit IMEI-shaped identifier. */
    static String imei() {
        return "35" + String.format("%013d", Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 10_000_000_000_000L));
    }

    @Test
    void rejectsAnOversizedJsonBatch() {
        String device = assignedDevice();
        StringBuilder locations = new StringBuilder();
        Instant t0 = recent().minus(1, ChronoUnit.HOURS);
        for (int i = 0; i < 1001; i++) {
            locations.append(i == 0 ? "" : ",").append("{\"timestamp\":\"").append(t0.plusSeconds(i))
                    .append("\",\"coords\":{\"latitude\":51.5,\"longitude\":-0.12,\"accuracy\":5}}");
        }
        given().auth().oauth2(gatewayToken()).contentType("application/json")
                .body("{\"device_id\":\"" + device + "\",\"location\":[" + locations + "]}")
                .when().post("/api/v1/osmand").then().statusCode(413).body(containsString("max 1000"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void refusesAReportWithoutAGatewayToken() {
        String device = assignedDevice();
        String query = "/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12";
        given().when().get(query).then().statusCode(401);
        given().auth().oauth2(TestTokens.token("alice", Fixtures.AGENCY, "caseworker")).when().get(query).then().statusCode(403);
        assertThat(storedFixes(device)).isZero();
    }

    // --- OwnTracks over HTTP ---

    @Test
    void storesOwnTracksLocationAndAnswersJsonArray() {
        String device = assignedDevice();
        long tst = epoch(recent());
        String body = """
                {"_type":"location","acc":13,"alt":45,"batt":64,"bs":1,"conn":"m","created_at":%d,"lat":51.500729,
                 "lon":-0.124625,"m":1,"tid":"jp","tst":%d,"vac":3,"vel":4,"cog":92,"topic":"owntracks/jane/%s"}"""
                .formatted(tst, tst, device);
        given().auth().oauth2(gatewayToken()).contentType("application/json").header("X-Limit-U", "jane").header("X-Limit-D", device)
                .body(body).when().post("/api/v1/owntracks").then().statusCode(200).body(equalTo("[]"));
        assertThat(storedFixes(device)).isEqualTo(1);
        assertThat(psql("select battery_percent || ',' || accuracy_metres from fix where device_id = '" + device + "'"))
                .isEqualTo("64,13");
    }

    @Test
    void ignoresOwnTracksNonLocationMessages() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken()).contentType("application/json").header("X-Limit-U", "jane").header("X-Limit-D", device)
                .body("{\"_type\":\"waypoint\",\"desc\":\"Home\",\"lat\":51.5,\"lon\":-0.12,\"rad\":50,\"tst\":1772704800}")
                .when().post("/api/v1/owntracks").then().statusCode(200).body(equalTo("[]"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void rejectsOwnTracksDeviceThatIsNeitherADeviceIdNorARegisteredSerial() {
        given().auth().oauth2(gatewayToken()).contentType("application/json").header("X-Limit-U", "jane").header("X-Limit-D", "phone")
                .body("{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"tst\":" + epoch(recent()) + "}")
                .when().post("/api/v1/owntracks").then().statusCode(400).body(containsString("X-Limit-D"));
    }

    @Test
    void rejectsOwnTracksEncryptedPayload() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken()).contentType("application/json").header("X-Limit-U", "jane").header("X-Limit-D", device)
                .body("{\"_type\":\"encrypted\",\"data\":\"c2VjcmV0\"}")
                .when().post("/api/v1/owntracks").then().statusCode(400);
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void rejectsOwnTracksLocationWithLatitudeOutOfRange() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken()).contentType("application/json").header("X-Limit-U", "jane").header("X-Limit-D", device)
                .body("{\"_type\":\"location\",\"lat\":-95,\"lon\":-0.12,\"tst\":" + epoch(recent()) + "}")
                .when().post("/api/v1/owntracks").then().statusCode(400).body(containsString("lat"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void rejectsOwnTracksCoordinatesSentAsStringsNamingTheField() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken()).contentType("application/json").header("X-Limit-U", "jane").header("X-Limit-D", device)
                .body("{\"_type\":\"location\",\"lat\":\"51.5\",\"lon\":-0.12,\"tst\":" + epoch(recent()) + "}")
                .when().post("/api/v1/owntracks").then().statusCode(400).body("field", equalTo("lat"))
                .body("detail", containsString("lat must be a number, got a string"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void osmAndAcceptsParametersOfItsOwnThatOtherOperationsWouldRefuse() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken())
                .when().get("/api/v1/osmand?id=" + device + "&timestamp=" + epoch(recent()) + "&lat=51.5&lon=-0.12&accuracy=6&driverUniqueId=d-1&x-vendor=7")
                .then().statusCode(200);
        assertThat(storedFixes(device)).isEqualTo(1);
    }
}
