package io.sentinel.location.domain.protocol.nmea;

import io.sentinel.location.domain.Accuracy;
import io.sentinel.location.domain.FixReport;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NmeaParserTest {

    private static final String RMC = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A";
    private static final String GGA = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47";

    private final NmeaParser parser = new NmeaParser();

    private static String only(NmeaLog log) {
        assertEquals(1, log.errors().size(), () -> "errors: " + log.errors());
        return log.errors().get(0).message();
    }

    @Test
    void decodesTheClassicRmcExample() {
        NmeaLog log = parser.parse(RMC);
        assertEquals(List.of(), log.errors());
        NmeaFix fix = log.fixes().get(0);
        assertEquals(Instant.parse("1994-03-23T12:35:19Z"), fix.time());
        assertEquals(48 + 7.038 / 60, fix.latitude(), 1e-12);
        assertEquals(11 + 31.0 / 60, fix.longitude(), 1e-12);
        assertEquals(22.4 * 1852 / 3600, fix.speedMps(), 1e-12);
        assertEquals(84.4, fix.courseDegrees(), 1e-12);
        assertNull(fix.hdop());
        assertEquals(1, fix.rmcLine());
        assertEquals(0, fix.ggaLine());
    }

    @Test
    void mergesGgaOfTheSameEpochIntoTheRmcFix() {
        NmeaLog log = parser.parse(GGA + "\r\n$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39\r\n" + RMC + "\r\n");
        assertEquals(List.of(), log.errors());
        assertEquals(1, log.fixes().size());
        NmeaFix fix = log.fixes().get(0);
        assertEquals(0.9, fix.hdop());
        assertEquals(1, fix.fixQuality());
        assertEquals(8, fix.satellites());
        assertEquals(545.4, fix.altitudeMetres());
        assertEquals(1, fix.ggaLine());
        assertEquals(3, fix.rmcLine());
        assertEquals(1, log.ignoredSentences());
    }

    @Test
    void mergesWhenRmcComesBeforeGga() {
        NmeaLog log = parser.parse(List.of(RMC, GGA));
        assertEquals(1, log.fixes().size());
        assertEquals(0.9, log.fixes().get(0).hdop());
    }

    @Test
    void keepsEpochsWithDifferentTimesApart() {
        NmeaLog log = parser.parse(List.of(RMC,
                "$GPRMC,123520,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*60"));
        assertEquals(2, log.fixes().size());
        assertEquals(Instant.parse("1994-03-23T12:35:20Z"), log.fixes().get(1).time());
        assertNull(log.fixes().get(0).hdop());
    }

    @Test
    void acceptsAnyTalkerAndBothHemispheres() {
        NmeaLog log = parser.parse(List.of(
                "$GARMC,101500.00,A,5130.4560,N,00007.6400,W,1.50,92.30,050326,,,A,V*19",
                "$GAGGA,101500.00,5130.4560,N,00007.6400,W,1,09,1.2,35.0,M,45.9,M,,*5B",
                "$BDRMC,020304.000,A,3954.8720,N,11623.4560,E,0.00,0.00,050326,,,A*7E"));
        assertEquals(List.of(), log.errors());
        assertEquals(2, log.fixes().size());
        NmeaFix london = log.fixes().get(0);
        assertEquals(Instant.parse("2026-03-05T10:15:00Z"), london.time());
        assertEquals(-(7.64 / 60), london.longitude(), 1e-12);
        assertEquals(1.2, london.hdop());
        assertEquals(116 + 23.456 / 60, log.fixes().get(1).longitude(), 1e-12);
    }

    @Test
    void readsSouthernLatitudeAndMergesAcrossTalkers() {
        NmeaLog log = parser.parse(List.of(
                "$GLGGA,020304.000,3354.1200,S,15112.3400,E,2,07,1.6,12.0,M,22.0,M,1.0,0000*44",
                "$GNRMC,020304.000,A,3354.1200,S,15112.3400,E,0.10,45.00,050326,,,D*5C"));
        assertEquals(List.of(), log.errors());
        NmeaFix sydney = log.fixes().get(0);
        assertEquals(-(33 + 54.12 / 60), sydney.latitude(), 1e-12);
        assertEquals(2, sydney.fixQuality());
        assertEquals(7, sydney.satellites());
    }

    @Test
    void rejectsGgaWithoutRmcBecauseGgaHasNoDate() {
        NmeaLog log = parser.parse(List.of(
                "$GLGGA,020304.000,3354.1200,S,15112.3400,E,2,07,1.6,12.0,M,22.0,M,1.0,0000*44"));
        assertEquals(List.of(), log.fixes());
        assertEquals("GGA at 02:03:04 has no RMC of the same epoch; GGA carries no date, so no fix can be made",
                only(log));
    }

    @Test
    void rejectsRmcWhoseModeIndicatorSaysNotValid() {
        assertEquals("RMC mode indicator N: data not valid",
                only(parser.parse("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W,N*08")));
    }

    @Test
    void keepsFractionalSecondsAndCenturyOfTwoDigitYears() {
        NmeaLog log = parser.parse("$GPRMC,235959.500,A,4807.038,N,01131.000,E,,,311299,,,A*69");
        NmeaFix fix = log.fixes().get(0);
        assertEquals(Instant.parse("1999-12-31T23:59:59.500Z"), fix.time());
        assertNull(fix.speedMps());
        assertNull(fix.courseDegrees());
    }

    @Test
    void rejectsVoidRmc() {
        NmeaLog log = parser.parse("$GPRMC,123519,V,,,,,,,230394,,,N*51");
        assertEquals(List.of(), log.fixes());
        assertEquals("RMC status V (void): the receiver has no valid fix", only(log));
    }

    @Test
    void rejectsGgaWithFixQualityZeroAndDropsItsEpoch() {
        NmeaLog log = parser.parse(List.of("$GPGGA,123519,,,,,0,00,99.99,,,,,,*45", RMC));
        assertEquals(List.of(), log.fixes());
        assertEquals(2, log.errors().size());
        assertEquals("GGA fix quality 0: no fix", log.errors().get(0).message());
        assertEquals(1, log.errors().get(0).line());
        assertEquals("RMC at 12:35:19 dropped: the GGA of the same epoch (line 1) reports no usable fix",
                log.errors().get(1).message());
    }

    @Test
    void rejectsSimulatorFixQuality() {
        NmeaLog log = parser.parse("$GPGGA,123519,4807.038,N,01131.000,E,8,08,0.9,545.4,M,46.9,M,,*4E");
        assertEquals("GGA fix quality 8: simulator output, not a real position", only(log));
    }

    @Test
    void rejectsChecksumMismatch() {
        NmeaLog log = parser.parse(RMC.replace("*6A", "*6B"));
        assertEquals("checksum mismatch: sentence says *6B, content gives *6A", only(log));
        assertEquals(List.of(), log.fixes());
    }

    @Test
    void rejectsCorruptedFieldThatBreaksTheChecksum() {
        NmeaLog log = parser.parse(RMC.replace("4807.038", "4807.039"));
        assertTrue(only(log).startsWith("checksum mismatch"));
    }

    @Test
    void rejectsRmcWithoutChecksum() {
        NmeaLog log = parser.parse(RMC.substring(0, RMC.indexOf('*')));
        assertEquals("RMC sentence has no checksum", only(log));
    }

    @Test
    void rejectsMalformedChecksumDigits() {
        assertEquals("checksum '*6' is not two hex digits", only(parser.parse(RMC.replace("*6A", "*6"))));
    }

    @Test
    void rejectsWrongFieldCount() {
        assertEquals("RMC has 9 data fields, expected 11 to 13",
                only(parser.parse("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394*11")));
    }

    @Test
    void rejectsBadNumbers() {
        assertEquals("RMC latitude '4807.0x8' is not ddmm.mmmm",
                only(parser.parse("$GPRMC,123519,A,4807.0x8,N,01131.000,E,022.4,084.4,230394,003.1,W*21")));
    }

    @Test
    void rejectsMinutesOfSixtyOrMore() {
        assertEquals("RMC latitude '4860.000' has 60.000 minutes (must be < 60)",
                only(parser.parse("$GPRMC,123519,A,4860.000,N,01131.000,E,022.4,084.4,230394,003.1,W*60")));
    }

    @Test
    void rejectsImpossibleDate() {
        assertEquals("RMC date '320394' is not a valid calendar date",
                only(parser.parse("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,320394,003.1,W*6A")));
    }

    @Test
    void rejectsImpossibleTime() {
        assertEquals("RMC time '246000' is not a valid time of day",
                only(parser.parse("$GPRMC,246000,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*67")));
    }

    @Test
    void rejectsUnknownHemisphere() {
        assertEquals("RMC latitude hemisphere must be N or S, got 'Q'",
                only(parser.parse("$GPRMC,123519,A,4807.038,Q,01131.000,E,022.4,084.4,230394,003.1,W*75")));
    }

    @Test
    void rejectsLinesThatAreNotSentences() {
        NmeaLog log = parser.parse(List.of("hello", "", RMC));
        assertEquals("not an NMEA sentence: must start with '$'", log.errors().get(0).message());
        assertEquals(1, log.errors().get(0).line());
        assertEquals(1, log.fixes().size());
    }

    @Test
    void rejectsOverlongLines() {
        String junk = "$GPTXT," + "x".repeat(600);
        assertEquals("line is 607 characters (max 512)", only(parser.parse(junk)));
    }

    @Test
    void skipsProprietarySentencesWithoutChecksumAndOtherStandardSentences() {
        NmeaLog log = parser.parse(List.of("$POLYN,TIME,RESTART_OCCURRED", "$PMTK010,001*2E",
                "$GPVTG,0.00,T,,M,0.000,N,0.000,K,N*32", RMC));
        assertEquals(List.of(), log.errors());
        assertEquals(3, log.ignoredSentences());
        assertEquals(1, log.fixes().size());
    }

    @Test
    void reportsEveryBadLineAndKeepsTheGoodOnes() {
        NmeaLog log = parser.parse(List.of(
                RMC.replace("*6A", "*00"),
                "$GPRMC,123520,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*60",
                "$GPRMC,123519,V,,,,,,,230394,,,N*51"));
        assertEquals(1, log.fixes().size());
        assertEquals(List.of(1, 3), log.errors().stream().map(NmeaError::line).toList());
    }

    @Test
    void derivesAccuracyFromHdopWhenTurnedIntoAReport() {
        NmeaLog log = parser.parse(List.of(GGA, RMC));
        Instant received = Instant.parse("2026-03-05T10:00:00Z");
        FixReport report = log.toReports("gw-7:tag-42", received).get(0);
        assertEquals("gw-7:tag-42", report.deviceId());
        assertEquals(received, report.receivedAt());
        assertEquals(0.9 * Accuracy.UERE_METRES, report.accuracyMetres(), 1e-12);
        assertEquals(Accuracy.UNKNOWN_METRES, parser.parse(RMC).toReports("x", received).get(0).accuracyMetres());
    }
}
