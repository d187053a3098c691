package io.sentinel.location.domain;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JumpDetectorTest {

    private static final Instant T0 = Instant.parse("2026-03-05T10:00:00Z");
    private final JumpDetector detector = new JumpDetector();

    private static FixReport at(double lat, double lon, long seconds, double accuracy) {
        return FixReport.of("tag-42", T0.plusSeconds(seconds), T0.plusSeconds(seconds), lat, lon, accuracy);
    }

    @Test
    void measuresOneDegreeOfLatitudeOnTheMeanSphere() {
        assertEquals(JumpDetector.EARTH_RADIUS_METRES * Math.PI / 180,
                JumpDetector.distanceMetres(0, 0, 1, 0), 1e-6);
    }

    @Test
    void flagsLondonToParisInTenMinutes() {
        FixReport bigBen = at(51.5007, -0.1246, 0, 10);
        FixReport eiffel = at(48.8584, 2.2945, 600, 10);
        JumpDetector.Step step = detector.measure(bigBen, eiffel);
        assertEquals(340_600, step.distanceMetres(), 2_000);
        assertTrue(step.implausible());
        assertEquals(Set.of(FixFlag.IMPLAUSIBLE_JUMP), detector.flags(bigBen, eiffel));
    }

    @Test
    void doesNotFlagWalking() {
        assertEquals(Set.of(), detector.flags(at(51.5, -0.12, 0, 5), at(51.5009, -0.12, 60, 5)));
    }

    @Test
    void subtractsBothAccuracyRadiiBeforeJudgingSpeed() {
        // 150 m apart one second apart: 150 m/s raw, but 80 m circles overlap, so it may be one spot.
        FixReport a = at(51.5, -0.12, 0, 80);
        FixReport b = at(51.5 + 150 / 111_195.08, -0.12, 1, 80);
        JumpDetector.Step step = detector.measure(a, b);
        assertEquals(150, step.distanceMetres(), 0.01);
        assertEquals(0, step.unexplainedMetres());
        assertFalse(step.implausible());
        assertTrue(detector.measure(at(51.5, -0.12, 0, 5), at(51.5 + 150 / 111_195.08, -0.12, 1, 5)).implausible());
    }

    @Test
    void flagsAtTheBoundOnlyWhenExceeded() {
        double metresPerDegree = JumpDetector.EARTH_RADIUS_METRES * Math.PI / 180;
        FixReport a = at(0, 0, 0, 0);
        assertFalse(detector.measure(a, at(700 / metresPerDegree, 0, 10, 0)).implausible());
        assertTrue(detector.measure(a, at(701 / metresPerDegree, 0, 10, 0)).implausible());
    }

    @Test
    void flagsTwoPlacesAtTheSameInstant() {
        JumpDetector.Step step = detector.measure(at(51.5, -0.12, 0, 5), at(51.6, -0.12, 0, 5));
        assertEquals(Double.POSITIVE_INFINITY, step.impliedSpeedMps());
        assertTrue(step.implausible());
    }

    @Test
    void judgesALateFixTheSameFromEitherSide() {
        FixReport earlier = at(51.5, -0.12, 0, 5);
        FixReport later = at(51.7, -0.12, 100, 5);
        assertEquals(detector.measure(earlier, later).impliedSpeedMps(),
                detector.measure(later, earlier).impliedSpeedMps(), 1e-9);
        assertEquals(Duration.ofSeconds(100), detector.measure(later, earlier).interval());
    }

    @Test
    void hasNothingToCompareForAFirstFix() {
        assertEquals(Set.of(), detector.flags(null, at(0, 0, 0, 5)));
    }

    @Test
    void usesAConfiguredBound() {
        JumpDetector strict = new JumpDetector(1.0);
        assertTrue(strict.measure(at(51.5, -0.12, 0, 0), at(51.5009, -0.12, 60, 0)).implausible());
        assertThrows(IllegalArgumentException.class, () -> new JumpDetector(0));
    }

    /**
     * The shared Go!Track sample (18,107 real phone fixes) is documented with 6 jumps faster than
     * 70 m/s and 2 repeated timestamps. Its CSV has no accuracy column, so radii are set to 0 to
     * reproduce that count; with the unknown-accuracy default (50 m each) the slower glitches are
     * tolerated and only the gross ones stay flagged.
     */
    @Test
    void findsTheDocumentedJumpsInTheGoTrackSample() throws IOException {
        Path csv = SharedData.require("gps/uci-gotrack/go_track_trackspoints.csv");
        Map<String, List<String[]>> tracks = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv);
        assertEquals("latitude,longitude,track_id,time", lines.get(0).replace("\"", ""));
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.replace("\"", "").split(",");
            tracks.computeIfAbsent(c[2], k -> new ArrayList<>()).add(c);
        }
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        List<String> flaggedExact = new ArrayList<>();
        List<String> flaggedDefault = new ArrayList<>();
        int sameInstant = 0;
        for (Map.Entry<String, List<String[]>> track : tracks.entrySet()) {
            List<FixReport> exact = new ArrayList<>();
            for (String[] c : track.getValue()) {
                // Go!Track times are local time in Brazil, UTC-3.
                Instant t = LocalDateTime.parse(c[3], format).toInstant(ZoneOffset.ofHours(-3));
                exact.add(FixReport.of("track-" + track.getKey(), t, t, Double.parseDouble(c[0]),
                        Double.parseDouble(c[1]), 0));
            }
            List<FixReport> ordered = FixBatch.dedupeAndOrder(exact).fixes();
            sameInstant += exact.size() - ordered.size();
            for (int i = 1; i < exact.size(); i++) {
                FixReport prev = exact.get(i - 1);
                FixReport cur = exact.get(i);
                if (prev.deviceTime().equals(cur.deviceTime())) {
                    continue;
                }
                if (detector.measure(prev, cur).implausible()) {
                    flaggedExact.add(track.getKey());
                }
                FixReport prevDefault = FixReport.of(prev.deviceId(), prev.deviceTime(), prev.receivedAt(),
                        prev.latitude(), prev.longitude(), Accuracy.UNKNOWN_METRES);
                FixReport curDefault = FixReport.of(cur.deviceId(), cur.deviceTime(), cur.receivedAt(),
                        cur.latitude(), cur.longitude(), Accuracy.UNKNOWN_METRES);
                if (detector.measure(prevDefault, curDefault).implausible()) {
                    flaggedDefault.add(track.getKey());
                }
            }
        }
        assertEquals(18_107, tracks.values().stream().mapToInt(List::size).sum());
        assertEquals(List.of("11", "11", "58", "58", "58", "58"), flaggedExact);
        assertEquals(List.of("58", "58", "58"), flaggedDefault);
        assertEquals(2, sameInstant);
    }
}
