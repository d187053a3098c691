package io.sentinel.location.domain.protocol.nmea;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sentinel.location.domain.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gpsd's own decode of real receiver logs (test/daemon in ntpsec/gpsd) as the oracle.
 *
 * <p>Tolerances come from gpsd's printed precision: lat/lon with 9 decimals, so a correct decode
 * differs from the printed value by at most half a unit in the last place, 5e-10 degrees (0.06 mm),
 * plus 1e-12 for double rounding; speed 3 decimals (5e-4 m/s); track 4 decimals (5e-5 degrees).
 * Time must be identical. gpsd may emit several TPVs per epoch as sentences arrive; the last one
 * of each time is the complete report and is the one compared.
 */
class NmeaOracleTest {

    private static final double LATLON = 5e-10 + 1e-12;
    private static final double SPEED = 5e-4 + 1e-9;
    private static final double TRACK = 5e-5 + 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NmeaParser parser = new NmeaParser();

    /** gpsd test logs start with '#' comment lines; blanking them keeps line numbers true. */
    private static List<String> logLines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(l -> l.startsWith("#") ? "" : l).toList();
    }

    private static List<JsonNode> tpvs(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("{\"class\":\"TPV\"")) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    /** The last positioned TPV of each time, in order of first appearance. */
    private static Map<Instant, JsonNode> timedFixes(List<JsonNode> tpvs) {
        Map<Instant, JsonNode> byTime = new LinkedHashMap<>();
        for (JsonNode t : tpvs) {
            if (t.has("time") && t.path("mode").asInt() >= 2 && t.has("lat")) {
                byTime.put(Instant.parse(t.get("time").asText()), t);
            }
        }
        return byTime;
    }

    private static void assertAgrees(NmeaFix fix, JsonNode tpv) {
        String where = "fix at " + fix.time() + " (line " + fix.rmcLine() + ")";
        assertEquals(Instant.parse(tpv.get("time").asText()), fix.time(), where);
        assertEquals(tpv.get("lat").asDouble(), fix.latitude(), LATLON, where + " latitude");
        assertEquals(tpv.get("lon").asDouble(), fix.longitude(), LATLON, where + " longitude");
        if (tpv.has("speed")) {
            assertEquals(tpv.get("speed").asDouble(), fix.speedMps(), SPEED, where + " speed");
        }
        if (tpv.has("track")) {
            assertEquals(tpv.get("track").asDouble(), fix.courseDegrees(), TRACK, where + " track");
        }
    }

    @Test
    void agreesWithGpsdOnEveryFixOfTheQuectelMultiConstellationLog() throws IOException {
        Path log = SharedData.require("gps/gpsd/quectel-l76k-nmea.log");
        Path oracle = SharedData.require("gps/gpsd/quectel-l76k-nmea.tpv.jsonl");
        List<JsonNode> tpvs = tpvs(oracle);
        Map<Instant, JsonNode> expected = timedFixes(tpvs);

        List<String> lines = logLines(log);
        NmeaLog result = parser.parse(lines);

        assertEquals(150, tpvs.size());
        assertEquals(expected.size(), result.fixes().size(), "one fix per gpsd TPV epoch");
        List<JsonNode> ordered = new ArrayList<>(expected.values());
        for (int i = 0; i < result.fixes().size(); i++) {
            NmeaFix fix = result.fixes().get(i);
            JsonNode tpv = ordered.get(i);
            assertAgrees(fix, tpv);
            // gpsd reports a 2D fix without altitude exactly when no GGA was seen for the epoch.
            assertEquals(tpv.has("altMSL"), fix.ggaLine() != 0, "GGA presence at " + fix.time());
            if (fix.ggaLine() != 0) {
                assertEquals(tpv.get("altMSL").asDouble(), fix.altitudeMetres(), 5e-5);
                assertEquals(0.9, fix.hdop());
                assertEquals(Integer.valueOf(lines.get(fix.ggaLine() - 1).split(",")[7]), fix.satellites());
            }
        }
        // The capture ends after the GGA of 05:53:04.000 but before its RMC: gpsd never reports
        // that epoch, and neither do we.
        assertEquals(1, result.errors().size(), () -> "errors: " + result.errors());
        NmeaError trailing = result.errors().get(0);
        assertTrue(trailing.sentence().startsWith("$GNGGA,055304.000,"), trailing.sentence());
        assertEquals("GGA at 05:53:04 has no RMC of the same epoch; GGA carries no date, so no fix can be made",
                trailing.message());
    }

    @Test
    void agreesWithGpsdOnTheSirfBu353s4Log() throws IOException {
        Path log = SharedData.require("gps/gpsd/bu353s4.log");
        Path check = SharedData.require("gps/gpsd/bu353s4.log.chk");
        List<JsonNode> tpvs = tpvs(check);
        Map<Instant, JsonNode> expected = timedFixes(tpvs);

        NmeaLog result = parser.parse(logLines(log));

        assertEquals(List.of(), result.errors());
        assertEquals(25, expected.size());
        assertEquals(expected.size(), result.fixes().size());
        for (NmeaFix fix : result.fixes()) {
            JsonNode tpv = expected.get(fix.time());
            assertTrue(tpv != null, "gpsd has no TPV at " + fix.time());
            assertAgrees(fix, tpv);
            assertEquals(1, fix.fixQuality());
        }
        // gpsd's two TPVs before the first RMC have no time (GGA has no date); their position is
        // the first epoch's, which we report once dated.
        NmeaFix first = result.fixes().get(0);
        for (JsonNode t : tpvs) {
            if (!t.has("time")) {
                assertEquals(t.get("lat").asDouble(), first.latitude(), LATLON);
                assertEquals(t.get("lon").asDouble(), first.longitude(), LATLON);
            }
        }
    }

    @Test
    void agreesWithGpsdOnTheMtk3301PowerUpLogAndRejectsItsVoidFixes() throws IOException {
        Path log = SharedData.require("gps/gpsd/mtk-3301.log");
        Path check = SharedData.require("gps/gpsd/mtk-3301.log.chk");
        List<String> lines = logLines(log);
        List<JsonNode> tpvs = tpvs(check);
        Map<Instant, JsonNode> expected = timedFixes(tpvs);

        NmeaLog result = parser.parse(lines);

        long rmcs = lines.stream().filter(l -> l.startsWith("$GPRMC")).count();
        long voidRmcs = lines.stream().filter(l -> l.startsWith("$GPRMC") && l.split(",")[2].equals("V")).count();
        assertEquals(11, rmcs);
        assertEquals(7, voidRmcs);
        assertEquals(rmcs - voidRmcs, result.fixes().size());

        // Every void RMC and every quality-0 GGA that shares its epoch is rejected by line.
        assertEquals(14, result.errors().size(), () -> "errors: " + result.errors());
        assertEquals(7, result.errors().stream()
                .filter(e -> e.message().equals("RMC status V (void): the receiver has no valid fix")).count());
        assertEquals(7, result.errors().stream().filter(e -> e.message().equals("GGA fix quality 0: no fix")).count());
        for (NmeaError e : result.errors()) {
            assertEquals(e.sentence(), lines.get(e.line() - 1));
        }

        // gpsd dates 08:14:37-39 and agrees with us there.
        assertEquals(3, expected.size());
        for (Map.Entry<Instant, JsonNode> e : expected.entrySet()) {
            NmeaFix fix = result.fixes().stream().filter(f -> f.time().equals(e.getKey())).findFirst().orElseThrow();
            assertAgrees(fix, e.getValue());
        }
        // 08:14:36 follows 1980-dated void sentences and gpsd reports it without a time; it is our
        // first fix. gpsd's other undated position comes from the void 08:14:34.590 epoch, which
        // the issue's rules reject.
        NmeaFix firstValid = result.fixes().get(0);
        assertEquals(Instant.parse("2008-08-23T08:14:36Z"), firstValid.time());
        int matchedUndated = 0;
        for (JsonNode t : tpvs) {
            if (t.has("time") || !t.has("lat")) {
                continue;
            }
            boolean ours = Math.abs(t.get("lat").asDouble() - firstValid.latitude()) <= LATLON
                    && Math.abs(t.get("lon").asDouble() - firstValid.longitude()) <= LATLON;
            if (ours) {
                matchedUndated++;
            } else {
                assertEquals(52.21631655, t.get("lat").asDouble(), 0.0);
                NmeaError rejected = result.errors().stream()
                        .filter(e -> e.sentence().startsWith("$GPRMC,081434.590,V")).findFirst().orElseThrow();
                assertEquals("RMC status V (void): the receiver has no valid fix", rejected.message());
            }
        }
        assertEquals(1, matchedUndated);
        assertNull(result.fixes().stream().filter(f -> f.time().toString().startsWith("1980")).findFirst()
                .orElse(null));
    }
}
