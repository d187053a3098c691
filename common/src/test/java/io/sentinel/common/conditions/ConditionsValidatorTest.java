package io.sentinel.common.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Timestamp;

import io.sentinel.common.conditions.ConditionsInput.CircleInput;
import io.sentinel.common.conditions.ConditionsInput.CurfewInput;
import io.sentinel.common.conditions.ConditionsInput.ExceptionInput;
import io.sentinel.common.conditions.ConditionsInput.WindowInput;
import io.sentinel.common.conditions.ConditionsInput.ZoneInput;
import io.sentinel.common.error.SentinelException;

class ConditionsValidatorTest {
    static final String SQUARE = "{\"type\":\"Polygon\",\"coordinates\":[[[-0.1,51.5],[-0.09,51.5],[-0.09,51.51],[-0.1,51.51],[-0.1,51.5]]]}";

    static ZoneInput home() {
        return new ZoneInput(UUID.randomUUID().toString(), "home", "ZONE_KIND_HOME", SQUARE, null);
    }

    static ZoneInput zone(String kind, String geojson) {
        return new ZoneInput(UUID.randomUUID().toString(), "", kind, geojson, null);
    }

    static CurfewInput curfew(WindowInput... windows) {
        return new CurfewInput(UUID.randomUUID().toString(), List.of(windows), List.of());
    }

    static ConditionsInput order(List<ZoneInput> zones, List<CurfewInput> curfews) {
        return new ConditionsInput("Europe/London", zones, curfews);
    }

    static SentinelException refused(ConditionsInput in) {
        return (SentinelException) org.assertj.core.api.Assertions.catchThrowable(() -> ConditionsValidator.validate("conditions", in));
    }

    /** A closed ring of n positions around a centre, valid (a regular polygon). */
    static String polygon(double lon, double lat, int n) {
        StringBuilder ring = new StringBuilder("{\"type\":\"Polygon\",\"coordinates\":[[");
        for (int i = 0; i < n - 1; i++) {
            double a = 2 * Math.PI * i / (n - 1);
            ring.append('[').append(lon + Math.cos(a) * 0.01).append(',').append(lat + Math.sin(a) * 0.01).append("],");
        }
        ring.append('[').append(lon + 0.01).append(',').append(lat).append("]]]}");
        return ring.toString();
    }

    @Test
    void acceptsAWholeDayWindowWhenStartEqualsEnd() {
        ValidConditions v = ConditionsValidator.validate("conditions", order(List.of(home()), List.of(curfew(new WindowInput(6, "19:00", "19:00")))));
        ValidConditions.Window w = v.curfews().get(0).windows().get(0);
        assertThat(w.startDay()).isEqualTo(DayOfWeek.SATURDAY);
        assertThat(w.start()).isEqualTo(LocalTime.of(19, 0));
        assertThat(w.wallMinutes()).isEqualTo(24 * 60);
    }

    @Test
    void aWholeDayWindowOverlapsAWindowOfTheNextMorningButTouchesOneAtItsEnd() {
        SentinelException e = refused(order(List.of(home()), List.of(curfew(new WindowInput(1, "19:00", "19:00")),
                curfew(new WindowInput(2, "08:00", "09:00")))));
        assertThat(e.field()).isEqualTo("conditions.curfews[1].windows[0]");
        assertThat(e.getMessage()).isEqualTo("(Tue 08:00-09:00) overlaps curfews[0].windows[0] (Mon 19:00-19:00 (next day))");
        ConditionsValidator.validate("conditions", order(List.of(home()), List.of(curfew(new WindowInput(1, "19:00", "19:00"),
                new WindowInput(2, "19:00", "21:00")))));
    }

    @Test
    void sundayNightWindowWrapsIntoMonday() {
        SentinelException e = refused(order(List.of(home()), List.of(curfew(new WindowInput(7, "22:00", "06:00"), new WindowInput(1, "05:00", "05:30")))));
        assertThat(e.field()).isEqualTo("conditions.curfews[0].windows[1]");
    }

    @Test
    void countsZonesAndCurfewsBeforeReadingAnyOfThem() {
        List<ZoneInput> zones = new ArrayList<>(Collections.nCopies(ConditionLimits.MAX_ZONES + 1, zone("ZONE_KIND_EXCLUSION", "not json")));
        SentinelException e = refused(order(zones, List.of()));
        assertThat(e.field()).isEqualTo("conditions.zones");
        assertThat(e.getMessage()).isEqualTo("at most 56 zones per order, got 57");
        List<CurfewInput> curfews = new ArrayList<>();
        for (int i = 0; i <= ConditionLimits.MAX_CURFEWS; i++) {
            curfews.add(curfew(new WindowInput(1, "00:00", "00:01")));
        }
        assertThat(refused(order(List.of(home()), curfews)).getMessage()).isEqualTo("at most 8 curfews per order, got 9");
        List<WindowInput> windows = Collections.nCopies(51, new WindowInput(9, "x", "y"));
        e = refused(order(List.of(home()), List.of(new CurfewInput(UUID.randomUUID().toString(), windows, List.of()))));
        assertThat(e.field()).isEqualTo("conditions.curfews[0].windows");
        assertThat(e.getMessage()).isEqualTo("at most 50 windows per curfew, got 51");
        List<ExceptionInput> exceptions = Collections.nCopies(501, new ExceptionInput(null, null, ""));
        e = refused(order(List.of(home()), List.of(new CurfewInput(UUID.randomUUID().toString(), List.of(new WindowInput(1, "20:00", "07:00")),
                exceptions))));
        assertThat(e.getMessage()).isEqualTo("at most 500 exceptions per curfew, got 501");
    }

    @Test
    void countsTheVerticesOfAllZonesBeforeBuildingAnyGeometry() {
        // Six zones of 9,000 vertices: each within the zone limit, 54,000 in all. The first zone is
        // self-intersecting, which geometry work would report first; the count is reported instead.
        String bowTie = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}";
        List<ZoneInput> zones = new ArrayList<>(List.of(zone("ZONE_KIND_EXCLUSION", bowTie)));
        for (int i = 0; i < 6; i++) {
            zones.add(zone("ZONE_KIND_EXCLUSION", polygon(-0.1 + i * 0.05, 51.5, 9_000)));
        }
        SentinelException e = refused(order(zones, List.of()));
        assertThat(e.field()).isEqualTo("conditions.zones[6].geojson.coordinates");
        assertThat(e.getMessage()).isEqualTo("the order's zones have more than 50000 vertices in all");
        zones.remove(6);
        assertThat(refused(order(zones, List.of())).field()).isEqualTo("conditions.zones[0].geojson.coordinates[0]");
    }

    @Test
    void refusesAZoneOverTheVertexLimitWhileReadingIt() {
        SentinelException e = refused(order(List.of(zone("ZONE_KIND_INCLUSION", polygon(0, 0, 10_001))), List.of()));
        assertThat(e.field()).isEqualTo("conditions.zones[0].geojson.coordinates");
        assertThat(e.getMessage()).isEqualTo("more than 10000 vertices");
        assertThat(ConditionsValidator.validate("", order(List.of(zone("ZONE_KIND_INCLUSION", polygon(0, 0, 10_000))), List.of()))
                .zones().get(0).polygonal().getNumPoints()).isEqualTo(10_000);
    }

    @Test
    void circlesAreOneMetreToTwentyKilometresWithACentre() {
        ZoneInput big = new ZoneInput(UUID.randomUUID().toString(), "", "ZONE_KIND_EXCLUSION", null, new CircleInput(true, 51.5, -0.1, 20_000.5));
        assertThat(refused(order(List.of(big), List.of())).describe())
                .isEqualTo("conditions.zones[0].circle.radius_metres: must be within [1, 20000], got 20000.5");
        ZoneInput nan = new ZoneInput(UUID.randomUUID().toString(), "", "ZONE_KIND_EXCLUSION", null, new CircleInput(true, Double.NaN, 0, 10));
        assertThat(refused(order(List.of(nan), List.of())).describe()).isEqualTo("conditions.zones[0].circle.centre.latitude: is NaN");
        ZoneInput noCentre = new ZoneInput(UUID.randomUUID().toString(), "", "ZONE_KIND_EXCLUSION", null, new CircleInput(false, 0, 0, 10));
        assertThat(refused(order(List.of(noCentre), List.of())).describe()).isEqualTo("conditions.zones[0].circle.centre: is required");
    }

    @Test
    void idsAreUniqueAcrossZonesAndCurfewsAndAtMostOneHome() {
        ZoneInput h = home();
        CurfewInput c = new CurfewInput(h.zoneId(), List.of(new WindowInput(1, "20:00", "07:00")), List.of());
        assertThat(refused(order(List.of(h), List.of(c))).describe())
                .isEqualTo("conditions.curfews[0].curfew_id: '" + h.zoneId() + "' is already the id of zones[0]");
        assertThat(refused(order(List.of(home(), home()), List.of())).describe())
                .isEqualTo("conditions.zones[1].kind: at most one zone of kind HOME per order");
        assertThat(refused(order(List.of(zone("ZONE_KIND_INCLUSION", SQUARE)), List.of(curfew(new WindowInput(1, "20:00", "07:00"))))).describe())
                .isEqualTo("conditions.curfews[0]: a curfew needs a zone of kind HOME among zones");
    }

    @Test
    void exceptionsNeedAnOrderedRangeAndAReason() {
        Timestamp t1 = Timestamp.newBuilder().setSeconds(1_800_000_000L).build();
        Timestamp t0 = Timestamp.newBuilder().setSeconds(1_700_000_000L).build();
        CurfewInput c = new CurfewInput(UUID.randomUUID().toString(), List.of(new WindowInput(1, "20:00", "07:00")),
                List.of(new ExceptionInput(t1, t0, "hospital")));
        assertThat(refused(order(List.of(home()), List.of(c))).describe()).isEqualTo("conditions.curfews[0].exceptions[0].end: must be after start");
        c = new CurfewInput(UUID.randomUUID().toString(), List.of(new WindowInput(1, "20:00", "07:00")), List.of(new ExceptionInput(t0, t1, "")));
        assertThat(refused(order(List.of(home()), List.of(c))).describe()).isEqualTo("conditions.curfews[0].exceptions[0].reason: must be 1 to 200 characters");
    }

    @Test
    void timeZoneMustBeAnIanaRegion() {
        assertThat(refused(new ConditionsInput("+01:00", List.of(), List.of())).describe())
                .isEqualTo("conditions.time_zone: must be an IANA time zone (e.g. Europe/London), got '+01:00'");
        assertThat(refused(new ConditionsInput("", List.of(), List.of())).describe()).isEqualTo("conditions.time_zone: is required");
    }

    @Test
    void namesTheGeoJsonPositionUnderTheZonesField() {
        String outOfRange = "{\"type\":\"Polygon\",\"coordinates\":[[[-0.1,51.5],[-0.09,51.5],[181,51.51],[-0.1,51.5]]]}";
        assertThat(refused(order(List.of(zone("ZONE_KIND_EXCLUSION", outOfRange)), List.of())).describe())
                .isEqualTo("conditions.zones[0].geojson.coordinates[0][2]: longitude 181.0 out of range [-180, 180]");
        assertThat(refused(order(List.of(zone("ZONE_KIND_EXCLUSION", "{\"type\":\"Polygon\",")), List.of())).field())
                .isEqualTo("conditions.zones[0].geojson");
    }
}
