package io.sentinel.rules.domain.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.sentinel.rules.domain.breach.BreachEvent;
import io.sentinel.rules.domain.breach.BreachEvent.CloseReason;
import io.sentinel.rules.domain.breach.BreachEvent.Closed;
import io.sentinel.rules.domain.breach.BreachEvent.Opened;
import io.sentinel.rules.domain.breach.BreachPolicy;
import io.sentinel.rules.domain.curfew.CurfewSchedule;
import io.sentinel.rules.domain.curfew.CurfewSuspension;
import io.sentinel.rules.domain.curfew.CurfewSchedule.WindowSpec;
import io.sentinel.rules.domain.geo.GeoJsonZoneReader;
import io.sentinel.rules.domain.geo.PreparedZone;
import io.sentinel.rules.domain.geo.Wgs84;
import io.sentinel.rules.domain.geo.ZoneIndex;
import io.sentinel.rules.domain.geo.ZoneShape;
import org.junit.jupiter.api.Test;

class SubjectMonitorTest {

    private static final BreachPolicy STANDARD = BreachPolicy.standard();
    /** Home plot around (51.5, -0.1): 0.002 x 0.002 degrees, about 139 m x 222 m. */
    private static final double HOME_NORTH = 51.501;
    private static final ZoneIndex ZONES = ZoneIndex.empty()
            .with("home", PreparedZone.of(new GeoJsonZoneReader().read("{\"type\":\"Polygon\",\"coordinates\":"
                    + "[[[-0.101,51.499],[-0.099,51.499],[-0.099,51.501],[-0.101,51.501],[-0.101,51.499]]]}")))
            .with("victim", PreparedZone.of(new ZoneShape.Circle(51.51, -0.1, 300)));
    private static final CurfewSchedule NIGHTS = CurfewSchedule.parse("Europe/London",
            List.of(new WindowSpec(1, "19:00", "07:00"), new WindowSpec(2, "19:00", "07:00"), new WindowSpec(3, "19:00", "07:00"),
                    new WindowSpec(4, "19:00", "07:00"), new WindowSpec(5, "19:00", "07:00"), new WindowSpec(6, "19:00", "07:00"),
                    new WindowSpec(7, "19:00", "07:00")), List.of());

    private static final double[] HOME = {51.5, -0.1};
    private static final double[] AWAY = {51.52, -0.13};
    private static final double[] AT_VICTIM = {51.5101, -0.1001};

    private static Instant t(String iso) {
        return Instant.parse(iso);
    }

    private static Fix fix(Instant at, double[] where) {
        return new Fix(at, where[0], where[1], 8, false);
    }

    private static SubjectMonitor monitor(Condition... conditions) {
        return new SubjectMonitor(MonitoringOrder.of("subject-1", List.of(conditions), ZONES));
    }

    /** Feeds a fix every 30 s over [from, to) at one place and collects the events. */
    private static List<ConditionEvent> stay(SubjectMonitor m, Instant from, Instant to, double[] where) {
        List<ConditionEvent> events = new ArrayList<>();
        for (Instant at = from; at.isBefore(to); at = at.plusSeconds(30)) {
            events.addAll(m.onFix(fix(at, where)));
        }
        return events;
    }

    @Test
    void leavingTheInclusionZoneOpensOneAlertThatClosesOnReturn() {
        SubjectMonitor m = monitor(Condition.inclusion("stay-home", "home", STANDARD));
        assertEquals(List.of(), stay(m, t("2025-01-13T10:00:00Z"), t("2025-01-13T10:10:00Z"), HOME));
        List<ConditionEvent> away = stay(m, t("2025-01-13T10:10:00Z"), t("2025-01-13T11:00:00Z"), AWAY);
        assertEquals(List.of(new ConditionEvent("subject-1", "stay-home",
                new Opened(t("2025-01-13T10:10:00Z"), t("2025-01-13T10:12:00Z"), 5))), away);
        List<ConditionEvent> back = stay(m, t("2025-01-13T11:00:00Z"), t("2025-01-13T11:10:00Z"), HOME);
        Closed closed = assertInstanceOf(Closed.class, back.get(0).event());
        assertEquals(1, back.size());
        assertEquals(Duration.ofMinutes(50), closed.duration());
        assertEquals(t("2025-01-13T11:01:00Z"), closed.closedAt());
    }

    @Test
    void enteringAnExclusionZoneOpensAnAlertButAnImplausibleJumpDoesNot() {
        SubjectMonitor m = monitor(Condition.exclusion("keep-away", "victim", STANDARD));
        for (Instant at = t("2025-01-13T10:00:00Z"); at.isBefore(t("2025-01-13T10:30:00Z")); at = at.plusSeconds(30)) {
            assertEquals(List.of(), m.onFix(new Fix(at, AT_VICTIM[0], AT_VICTIM[1], 5, true)));
        }
        List<ConditionEvent> events = stay(m, t("2025-01-13T10:30:00Z"), t("2025-01-13T10:40:00Z"), AT_VICTIM);
        assertEquals(1, events.size());
        assertInstanceOf(Opened.class, events.get(0).event());
    }

    @Test
    void curfewBreachOpensDuringTheWindowAndClosesWhenTheWindowEnds() {
        SubjectMonitor m = monitor(Condition.curfew("nights", "home", NIGHTS, STANDARD));
        assertEquals(List.of(), stay(m, t("2025-01-13T17:00:00Z"), t("2025-01-13T19:00:00Z"), AWAY), "away before the curfew");
        List<ConditionEvent> night = stay(m, t("2025-01-13T19:00:00Z"), t("2025-01-14T07:30:00Z"), AWAY);
        assertEquals(2, night.size());
        assertEquals(new Opened(t("2025-01-13T19:00:00Z"), t("2025-01-13T19:02:00Z"), 5), night.get(0).event());
        assertEquals(new Closed(t("2025-01-13T19:00:00Z"), t("2025-01-13T19:02:00Z"), t("2025-01-14T07:00:00Z"),
                t("2025-01-14T07:00:00Z"), CloseReason.CONDITION_ENDED), night.get(1).event());
        assertEquals(Duration.ofHours(12), ((Closed) night.get(1).event()).duration());
    }

    @Test
    void advancingTheClockClosesACurfewBreachWithoutAFix() {
        SubjectMonitor m = monitor(Condition.curfew("nights", "home", NIGHTS, STANDARD));
        stay(m, t("2025-07-14T20:00:00Z"), t("2025-07-14T20:10:00Z"), AWAY);
        assertEquals(List.of(), m.advanceTo(t("2025-07-15T05:59:59Z")));
        List<ConditionEvent> closed = m.advanceTo(t("2025-07-15T06:00:00Z"));
        assertEquals(t("2025-07-15T06:00:00Z"), ((Closed) closed.get(0).event()).breachEndedAt(), "07:00 BST");
        assertEquals(List.of(), m.advanceTo(t("2025-07-15T09:00:00Z")));
    }

    @Test
    void suspensionDefersTheCurfewBreach() {
        CurfewSchedule suspended = NIGHTS.withSuspension(
                CurfewSuspension.of("suspensions[0]", t("2025-01-13T19:00:00Z"), t("2025-01-13T22:00:00Z")));
        SubjectMonitor m = monitor(Condition.curfew("nights", "home", suspended, STANDARD));
        List<ConditionEvent> events = stay(m, t("2025-01-13T19:00:00Z"), t("2025-01-13T22:10:00Z"), AWAY);
        assertEquals(List.of(new ConditionEvent("subject-1", "nights",
                new Opened(t("2025-01-13T22:00:00Z"), t("2025-01-13T22:02:00Z"), 5))), events);
    }

    @Test
    void walkingAlongTheBoundaryWithGpsJitterRaisesNoAlert() {
        // Walk east along the home plot's north edge for 2 hours, truly within 2 m of it, with GPS noise
        // of 4 m per axis and a reported accuracy of 10 m (about the 95th percentile of the noise).
        Random rnd = new Random(21);
        double ky = Wgs84.metresPerDegreeLatitude(HOME_NORTH);
        double kx = Wgs84.metresPerDegreeLongitude(HOME_NORTH);
        SubjectMonitor honest = monitor(Condition.inclusion("stay-home", "home", STANDARD));
        SubjectMonitor naive = monitor(Condition.inclusion("stay-home", "home",
                new BreachPolicy(Duration.ZERO, 1, Duration.ZERO, 1)));
        List<ConditionEvent> honestEvents = new ArrayList<>();
        List<ConditionEvent> naiveEvents = new ArrayList<>();
        Instant at = t("2025-01-13T10:00:00Z");
        for (int i = 0; i < 480; i++, at = at.plusSeconds(15)) {
            double trueNorth = (rnd.nextDouble() * 4 - 2) / ky;
            double lat = HOME_NORTH + trueNorth + rnd.nextGaussian() * 4 / ky;
            double lon = -0.1008 + (i / 480.0) * 0.0016 + rnd.nextGaussian() * 4 / kx;
            honestEvents.addAll(honest.onFix(new Fix(at, lat, lon, 10, false)));
            naiveEvents.addAll(naive.onFix(new Fix(at, lat, lon, 0, false)));
        }
        assertEquals(List.of(), honestEvents);
        assertTrue(naiveEvents.size() > 50, "ignoring accuracy, dwell and hysteresis flaps: " + naiveEvents.size());
    }

    @Test
    void removingAConditionClosesItsOpenAlertAndChangingItsPolicyKeepsIt() {
        SubjectMonitor m = monitor(Condition.inclusion("stay-home", "home", STANDARD),
                Condition.exclusion("keep-away", "victim", STANDARD));
        stay(m, t("2025-01-13T10:00:00Z"), t("2025-01-13T10:10:00Z"), AT_VICTIM);
        assertTrue(m.states().values().stream().allMatch(s -> s.breach().phase().name().equals("OPEN")));
        BreachPolicy slower = new BreachPolicy(Duration.ofMinutes(10), 5, Duration.ofMinutes(5), 5);
        List<ConditionEvent> replaced = m.replaceOrder(MonitoringOrder.of("subject-1",
                List.of(Condition.inclusion("stay-home", "home", slower)), ZONES), t("2025-01-13T10:20:00Z"));
        assertEquals(1, replaced.size());
        assertEquals("keep-away", replaced.get(0).conditionId());
        assertEquals(new Closed(t("2025-01-13T10:00:00Z"), t("2025-01-13T10:02:00Z"), t("2025-01-13T10:20:00Z"),
                t("2025-01-13T10:20:00Z"), CloseReason.CONDITION_ENDED), replaced.get(0).event());
        assertEquals(List.of(), stay(m, t("2025-01-13T10:21:00Z"), t("2025-01-13T10:25:00Z"), HOME),
                "the slower clearing policy now applies");
        assertInstanceOf(Closed.class, stay(m, t("2025-01-13T10:25:00Z"), t("2025-01-13T10:30:00Z"), HOME).get(0).event());
    }

    @Test
    void resumesFromSavedStatesWithoutReopeningAnOpenAlert() {
        SubjectMonitor m = monitor(Condition.inclusion("stay-home", "home", STANDARD));
        stay(m, t("2025-01-13T10:00:00Z"), t("2025-01-13T10:05:00Z"), AWAY);
        SubjectMonitor resumed = new SubjectMonitor(m.order(), m.states());
        assertEquals(List.of(), stay(resumed, t("2025-01-13T10:05:00Z"), t("2025-01-13T10:30:00Z"), AWAY));
        List<ConditionEvent> back = stay(resumed, t("2025-01-13T10:30:00Z"), t("2025-01-13T10:35:00Z"), HOME);
        assertEquals(t("2025-01-13T10:00:00Z"), back.get(0).event().breachStartedAt());
    }

    @Test
    void rejectsOrdersReferringToUnknownZonesOrRepeatingIds() {
        assertEquals("conditions[0].zoneId: no zone 'garden' among [home, victim]", assertThrows(IllegalArgumentException.class,
                () -> MonitoringOrder.of("s", List.of(Condition.inclusion("a", "garden", STANDARD)), ZONES)).getMessage());
        assertEquals("conditions[1].id: 'a' is used twice", assertThrows(IllegalArgumentException.class,
                () -> MonitoringOrder.of("s", List.of(Condition.inclusion("a", "home", STANDARD),
                        Condition.exclusion("a", "victim", STANDARD)), ZONES)).getMessage());
        assertEquals("curfew: is missing for a CURFEW condition", assertThrows(IllegalArgumentException.class,
                () -> new Condition("c", ConditionKind.CURFEW, "home", null, STANDARD)).getMessage());
        assertEquals("latitude: 91.0 out of range [-90, 90]", assertThrows(IllegalArgumentException.class,
                () -> new Fix(Instant.EPOCH, 91, 0, 5, false)).getMessage());
    }

    @Test
    void eventsNameTheSubjectAndCondition() {
        SubjectMonitor m = monitor(Condition.exclusion("keep-away", "victim", new BreachPolicy(Duration.ZERO, 1, Duration.ZERO, 1)));
        List<ConditionEvent> events = m.onFix(fix(t("2025-01-13T10:00:00Z"), AT_VICTIM));
        BreachEvent e = events.get(0).event();
        assertEquals(new ConditionEvent("subject-1", "keep-away", new Opened(t("2025-01-13T10:00:00Z"), t("2025-01-13T10:00:00Z"), 1)),
                events.get(0));
        assertEquals(t("2025-01-13T10:00:00Z"), e.breachStartedAt());
    }
}
