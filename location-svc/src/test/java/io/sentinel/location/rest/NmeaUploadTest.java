package io.sentinel.location.rest;

import static io.restassured.RestAssured.given;
import static io.sentinel.location.Fixtures.assignedDevice;
import static io.sentinel.location.Fixtures.gatewayToken;
import static io.sentinel.location.Fixtures.storedFixes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.sentinel.location.domain.SharedData;
import io.sentinel.location.domain.protocol.nmea.NmeaParser;

/** NMEA uploads from a gateway, using the real Quectel L76K capture from gpsd's regression logs. */
@QuarkusTest
class NmeaUploadTest {

    /**
     * The capture's sentences with RMC dates moved to yesterday (UTC), so its fixes fall inside the
     * 7-day acceptance window; checksums are recomputed for the lines changed.
     */
    static List<String> recentCapture(int maxLines) throws IOException {
        String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).format(DateTimeFormatter.ofPattern("ddMMyy"));
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(SharedData.require("gps/gpsd/quectel-l76k-nmea.log"))) {
            if (!line.startsWith("$")) {
                continue;
            }
            if (line.substring(3, 6).equals("RMC")) {
                String body = line.substring(1, line.indexOf('*'));
                String[] f = body.split(",", -1);
                f[9] = yesterday;
                line = withChecksum(String.join(",", f));
            }
            out.add(line);
            if (out.size() == maxLines) {
                break;
            }
        }
        return out;
    }

    static String withChecksum(String body) {
        int x = 0;
        for (char c : body.toCharArray()) {
            x ^= c;
        }
        return "$" + body + "*" + String.format("%02X", x);
    }

    @Test
    void storesEveryValidEpochOfARealCaptureAndAgreesWithTheParser() throws IOException {
        String device = assignedDevice();
        String upload = String.join("\r\n", recentCapture(400)) + "\r\n";
        int expected = new NmeaParser().parse(upload).fixes().size();
        assertThat(expected).isGreaterThan(10);
        given().auth().oauth2(gatewayToken()).contentType("text/plain").body(upload)
                .when().post("/api/v1/devices/" + device + "/nmea")
                .then().statusCode(200).body("accepted", equalTo(expected)).body("inserted", equalTo(expected));
        assertThat(storedFixes(device)).isEqualTo(expected);

        // The gateway retries the same upload after a dropped connection: nothing is stored twice.
        given().auth().oauth2(gatewayToken()).contentType("text/plain").body(upload)
                .when().post("/api/v1/devices/" + device + "/nmea")
                .then().statusCode(200).body("accepted", equalTo(expected)).body("inserted", equalTo(0));
        assertThat(storedFixes(device)).isEqualTo(expected);
    }

    @Test
    void reportsBadChecksumAndVoidFixLinesAndStoresTheRest() throws IOException {
        String device = assignedDevice();
        List<String> lines = new ArrayList<>(recentCapture(60));
        int rmc = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("$GNRMC")) {
                rmc = i;
                break;
            }
        }
        String original = lines.get(rmc);
        // Flip the checksum of the first RMC, and add a void RMC (status V) as the last line.
        String bad = original.substring(0, original.length() - 2) + (original.endsWith("00") ? "01" : "00");
        lines.set(rmc, bad);
        String[] f = original.substring(1, original.indexOf('*')).split(",", -1);
        f[1] = "235959.000";
        f[2] = "V";
        lines.add(withChecksum(String.join(",", f)));
        String upload = String.join("\n", lines);
        int valid = new NmeaParser().parse(upload).fixes().size();
        given().auth().oauth2(gatewayToken()).contentType("text/plain").body(upload)
                .when().post("/api/v1/devices/" + device + "/nmea")
                .then().statusCode(200).body("accepted", equalTo(valid))
                .body("lineErrors.line", org.hamcrest.Matchers.hasItems(rmc + 1, lines.size()))
                .body("lineErrors.reason", org.hamcrest.Matchers.hasItem(containsString("checksum")));
        assertThat(storedFixes(device)).isEqualTo(valid);
    }

    @Test
    void rejectsAnUploadWithoutAnyFix() {
        String device = assignedDevice();
        given().auth().oauth2(gatewayToken()).contentType("text/plain").body("$GNRMC,055234.000,A,4739.71890,N,12219.58362,W,0.00,286.35,050826,,,A,V*00\n")
                .when().post("/api/v1/devices/" + device + "/nmea")
                .then().statusCode(400).body(containsString("checksum"));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void refusesAnUploadFromAGatewayNotBoundToTheDeviceWith403AndStoresNothing() throws IOException {
        String device = assignedDevice();
        given().auth().oauth2(io.sentinel.location.Fixtures.gatewayToken("gw-2")).contentType("text/plain")
                .body(String.join("\n", recentCapture(40)))
                .when().post("/api/v1/devices/" + device + "/nmea")
                .then().statusCode(403).body("field", equalTo("deviceId"))
                .body("detail", equalTo("deviceId: gateway 'gw-2' is not bound to device " + device));
        assertThat(storedFixes(device)).isZero();
    }

    @Test
    void rejectsAnUploadForAnUnknownDeviceNamingIt() throws IOException {
        given().auth().oauth2(gatewayToken()).contentType("text/plain").body(String.join("\n", recentCapture(40)))
                .when().post("/api/v1/devices/" + UUID.randomUUID() + "/nmea")
                .then().statusCode(400).body(containsString("deviceId")).body(containsString("not a registered device"));
    }
}
