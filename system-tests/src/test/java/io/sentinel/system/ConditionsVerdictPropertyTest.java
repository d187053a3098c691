package io.sentinel.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.sentinel.api.common.v1.Circle;
import io.sentinel.api.common.v1.Curfew;
import io.sentinel.api.common.v1.CurfewException;
import io.sentinel.api.common.v1.CurfewWindow;
import io.sentinel.api.common.v1.GeoPoint;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.enrollment.v1.CheckInPolicy;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.service.OrderConditions;
import io.sentinel.rules.config.RulesConfig;
import io.sentinel.rules.service.SubjectOrders;

/**
 * Property: enrollment-svc refuses up front exactly what rules-svc would refuse. Random conditions,
 * mostly GeoJSON (valid polygons with and without holes, MultiPolygons, self-intersecting,
 * unclosed, oversized, wrongly nested, NaN and infinite numbers, out-of-range coordinates, holes
 * outside their shell or inside another, overlapping parts, duplicate keys, other types) plus
 * circles, curfews and ids, go through both entry points: enrollment-svc's validation of a
 * caseworker's order ({@link OrderConditions#normalise}, what CreateOrder and AmendConditions run)
 * and rules-svc's compilation of PutSubjectConditions ({@link SubjectOrders#compile}, the message
 * enrollment-svc would send). Each pair must agree: both accept, or both refuse naming the same
 * field with the same message. A plain JUnit test on the two services' classes: no process runs.
 */
class ConditionsVerdictPropertyTest {
    static final long SEED = 20_261_207L;
    static final int CASES = 3_000;

    /** rules-svc's configuration, as its defaults. */
    static final RulesConfig CONFIG = new RulesConfig() {
        @Override
        public Breach breach() {
            return new Breach() {
                public Duration openAfter() {
                    return Duration.ofMinutes(2);
                }

                public int openAfterFixes() {
                    return 3;
                }

                public Duration clearAfter() {
                    return Duration.ofMinutes(1);
                }

                public int clearAfterFixes() {
                    return 2;
                }
            };
        }

        @Override
        public Escalation escalation() {
            throw new UnsupportedOperationException();
        }

        @Override
        public CurfewClock curfewClock() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Duration slowEvaluation() {
            return Duration.ofMillis(250);
        }

        @Override
        public String conditionsRefresh() {
            return "off";
        }
    };

    /** A verdict: null when accepted, else "field: message" without the entry point's prefix. */
    static String enrollmentVerdict(Conditions c) {
        try {
            OrderConditions.normalise("order.conditions", c);
            return null;
        } catch (SentinelException e) {
            String d = e.describe();
            assertThat(d).as("enrollment-svc names fields under order.conditions").startsWith("order.conditions.");
            return d.substring("order.conditions.".length());
        }
    }

    static String rulesVerdict(SubjectOrders orders, Conditions c) {
        PutSubjectConditionsRequest r = PutSubjectConditionsRequest.newBuilder().setSubjectId(UUID.randomUUID().toString())
                .setOwningAgencyId("agency-a").setOrderId(UUID.randomUUID().toString()).setTimeZone(c.getTimeZone())
                .addAllZones(c.getZonesList()).addAllCurfews(c.getCurfewsList()).setVersion(1).setActive(true).build();
        try {
            orders.compile(r);
            return null;
        } catch (SentinelException e) {
            return e.describe();
        }
    }

    @Test
    void enrollmentAndRulesGiveTheSameVerdictOnRandomConditions() {
        Random random = new Random(SEED);
        SubjectOrders orders = new SubjectOrders(CONFIG);
        Map<String, Integer> verdicts = new TreeMap<>();
        int accepted = 0;
        for (int i = 0; i < CASES; i++) {
            Conditions c = new Generator(random).conditions();
            String enrollment = enrollmentVerdict(c);
            String rules = rulesVerdict(orders, c);
            int n = i;
            assertThat(rules).as(() -> "case " + n + " (seed " + SEED + "): enrollment-svc said " + enrollment + "\n" + c).isEqualTo(enrollment);
            if (enrollment == null) {
                accepted++;
            } else {
                verdicts.merge(enrollment.replaceAll("\\[\\d+]", "[]").replaceAll(":.*", ""), 1, Integer::sum);
            }
        }
        // The generator reaches both verdicts and many kinds of refusal: a test that could not fail proves nothing.
        assertThat(accepted).as("accepted cases").isBetween(CASES / 5, CASES * 4 / 5);
        assertThat(verdicts.keySet()).as("fields refused: " + verdicts).hasSizeGreaterThanOrEqualTo(12);
        System.out.printf(Locale.ROOT, "%d cases: %d accepted by both, %d refused by both; refusals per field: %s%n", CASES, accepted,
                CASES - accepted, verdicts);
    }

    /** Random conditions, valid more often than not, every part with its own ways of going wrong. */
    static final class Generator {
        final Random r;

        Generator(Random r) {
            this.r = r;
        }

        boolean chance(double p) {
            return r.nextDouble() < p;
        }

        Conditions conditions() {
            Conditions.Builder c = Conditions.newBuilder().setTimeZone(chance(0.97) ? "Europe/London" : pick("+01:00", "Mars/Olympus", ""))
                    .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL)
                    .setCheckIns(CheckInPolicy.newBuilder().setPerDay(2).setWindowStart("08:00").setWindowEnd("20:00"));
            int zones = chance(0.01) ? 57 : 1 + r.nextInt(3);
            boolean home = false;
            for (int i = 0; i < zones; i++) {
                Zone z = zone(i);
                home |= z.getKind() == ZoneKind.ZONE_KIND_HOME;
                c.addZones(z);
            }
            if (chance(0.35)) {
                c.addCurfews(curfew());
                if (chance(0.2)) {
                    c.addCurfews(curfew());
                }
            }
            if (chance(0.02)) {
                // An id reused across a zone and a curfew.
                if (c.getCurfewsCount() > 0) {
                    c.setCurfews(0, c.getCurfews(0).toBuilder().setCurfewId(c.getZones(0).getZoneId()));
                }
            }
            return c.build();
        }

        String id() {
            // Never empty: enrollment-svc assigns a missing id before validating, so rules-svc never sees one.
            return chance(0.01) ? pick("zone-1", "0193A3C4-0000-7000-8000-00000000000G") : UUID.randomUUID().toString();
        }

        Zone zone(int index) {
            Zone.Builder z = Zone.newBuilder().setZoneId(id()).setName(chance(0.01) ? "x".repeat(201) : "zone " + index);
            double k = r.nextDouble();
            z.setKind(k < 0.4 ? ZoneKind.ZONE_KIND_EXCLUSION : k < 0.7 ? ZoneKind.ZONE_KIND_INCLUSION : k < 0.98 ? ZoneKind.ZONE_KIND_HOME
                    : ZoneKind.ZONE_KIND_UNSPECIFIED);
            if (chance(0.15)) {
                Circle.Builder circle = Circle.newBuilder().setRadiusMetres(chance(0.8) ? 1 + r.nextDouble() * 19_999
                        : pick(0.0, 0.5, 20_000.5, 50_000.0, Double.NaN, Double.POSITIVE_INFINITY, -5.0));
                if (chance(0.97)) {
                    circle.setCentre(GeoPoint.newBuilder().setLatitude(chance(0.97) ? 51 + r.nextDouble() : pick(90.5, -91.0, Double.NaN))
                            .setLongitude(-0.5 + r.nextDouble()));
                }
                return z.setCircle(circle).build();
            }
            if (chance(0.01)) {
                return z.build(); // no shape
            }
            return z.setGeojson(geojson()).build();
        }

        Curfew curfew() {
            Curfew.Builder c = Curfew.newBuilder().setCurfewId(id());
            int windows = chance(0.01) ? 51 : chance(0.03) ? 0 : 1 + r.nextInt(3);
            for (int i = 0; i < windows; i++) {
                int startHour = r.nextInt(24);
                String start = String.format(Locale.ROOT, "%02d:%02d", startHour, r.nextInt(4) * 15);
                String end = chance(0.15) ? start : String.format(Locale.ROOT, "%02d:%02d", r.nextInt(24), r.nextInt(4) * 15);
                if (chance(0.02)) {
                    end = pick("24:00", "7:00", "07:60", "");
                }
                c.addWindows(CurfewWindow.newBuilder().setStartDay(chance(0.98) ? 1 + r.nextInt(7) : pick(0, 8)).setStartTime(start).setEndTime(end));
            }
            if (chance(0.2)) {
                long s = 1_800_000_000L + r.nextInt(1_000_000);
                long e = chance(0.9) ? s + 3600 : s - 60;
                c.addExceptions(CurfewException.newBuilder().setStart(Timestamps.of(java.time.Instant.ofEpochSecond(s)))
                        .setEnd(Timestamps.of(java.time.Instant.ofEpochSecond(e))).setReason(chance(0.95) ? "hospital appointment" : ""));
            }
            return c.build();
        }

        // ---- GeoJSON

        double lon() {
            return -0.5 + r.nextDouble();
        }

        double lat() {
            return 51 + r.nextDouble();
        }

        /** A closed ring of {@code n} positions (n - 1 distinct) around a centre, counter-clockwise unless reversed. */
        List<double[]> ring(double lon, double lat, double radius, int n, boolean reversed) {
            List<double[]> ring = new ArrayList<>();
            for (int i = 0; i < n - 1; i++) {
                double a = 2 * Math.PI * i / (n - 1) * (reversed ? -1 : 1);
                ring.add(new double[] {lon + radius * Math.cos(a), lat + radius * Math.sin(a)});
            }
            ring.add(ring.get(0).clone());
            return ring;
        }

        static String positions(List<double[]> ring) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < ring.size(); i++) {
                b.append(i == 0 ? "" : ",").append('[').append(ring.get(i)[0]).append(',').append(ring.get(i)[1]).append(']');
            }
            return b.append(']').toString();
        }

        static String polygon(String... rings) {
            return "[" + String.join(",", rings) + "]";
        }

        String geojson() {
            double lon = lon();
            double lat = lat();
            double radius = 0.001 + r.nextDouble() * 0.05;
            int n = 4 + r.nextInt(60);
            String shell = positions(ring(lon, lat, radius, n, chance(0.3)));
            String hole = positions(ring(lon, lat, radius / 3, 4 + r.nextInt(10), chance(0.5)));
            int kind = r.nextInt(100);
            return switch (kind / 5) {
                case 0, 1, 2, 3, 4, 5, 6 -> "{\"type\":\"Polygon\",\"coordinates\":" + polygon(shell) + "}";
                case 7 -> "{\"type\":\"Polygon\",\"coordinates\":" + polygon(shell, hole) + "}";
                case 8 -> {
                    // Two parts, apart or overlapping.
                    double shift = chance(0.5) ? radius * 3 : radius / 2;
                    String other = positions(ring(lon + shift, lat, radius, 4 + r.nextInt(20), false));
                    yield "{\"coordinates\":[" + polygon(shell) + "," + polygon(other) + "],\"type\":\"MultiPolygon\",\"bbox\":[0,0,1,1]}";
                }
                case 9 -> {
                    // Self-intersecting: a bow tie or a shell whose two positions are swapped.
                    List<double[]> ring = ring(lon, lat, radius, Math.max(6, n), false);
                    double[] t = ring.get(1);
                    ring.set(1, ring.get(3));
                    ring.set(3, t);
                    yield "{\"type\":\"Polygon\",\"coordinates\":" + polygon(positions(ring)) + "}";
                }
                case 10 -> {
                    // Unclosed ring.
                    List<double[]> ring = ring(lon, lat, radius, n, false);
                    ring.remove(ring.size() - 1);
                    yield "{\"type\":\"Polygon\",\"coordinates\":" + polygon(positions(ring)) + "}";
                }
                case 11 -> {
                    // Holes outside their shell, or inside another hole.
                    String outside = positions(ring(lon + radius * 4, lat, radius / 3, 5, false));
                    String inner = positions(ring(lon, lat, radius / 6, 5, false));
                    yield "{\"type\":\"Polygon\",\"coordinates\":" + (chance(0.5) ? polygon(shell, outside) : polygon(shell, hole, inner)) + "}";
                }
                case 12 -> {
                    // Out of range, non-finite or non-numeric coordinates.
                    String bad = pick("[181.0," + lat + "]", "[" + lon + ",-90.5]", "[1e400," + lat + "]", "[NaN," + lat + "]",
                            "[\"" + lon + "\"," + lat + "]", "[" + lon + "]", "[" + lon + "," + lat + ",0,0]", "[" + lon + "," + lat + ",12.5]");
                    yield "{\"type\":\"Polygon\",\"coordinates\":[[" + bad + "," + shell.substring(1) + "]}";
                }
                case 13 -> {
                    // Wrong nesting for the declared type.
                    yield pick("{\"type\":\"Polygon\",\"coordinates\":" + shell + "}", "{\"type\":\"MultiPolygon\",\"coordinates\":" + polygon(shell) + "}",
                            "{\"type\":\"Polygon\",\"coordinates\":[" + polygon(shell) + "]}", "{\"type\":\"Polygon\",\"coordinates\":[[[[[" + lon + "]]]]]}",
                            "{\"type\":\"Polygon\",\"coordinates\":[]}", "{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}");
                }
                case 14 -> pick("{\"type\":\"Point\",\"coordinates\":[" + lon + "," + lat + "]}", "{\"type\":\"Polygon\"}",
                        "{\"type\":7,\"coordinates\":" + polygon(shell) + "}", "{\"coordinates\":" + polygon(shell) + "}",
                        "{\"type\":\"Polygon\",\"type\":\"Polygon\",\"coordinates\":" + polygon(shell) + "}",
                        "{\"type\":\"Polygon\",\"coordinates\":" + polygon(shell) + "} trailing", "[1,2]", "", "   ", "{\"type\":\"Polygon\",",
                        "{\"type\":\"Polygon\",\"coordinates\":{}}");
                case 15 -> {
                    // Rings too short or degenerate.
                    String p = "[" + lon + "," + lat + "]";
                    yield pick("{\"type\":\"Polygon\",\"coordinates\":[[" + p + "," + p + "," + p + "]]}",
                            "{\"type\":\"Polygon\",\"coordinates\":[[" + p + "," + p + "," + p + "," + p + "]]}");
                }
                case 16 -> {
                    // Vertex limits: just under or just over one zone's 10,000, rarely (they cost time).
                    if (!chance(0.15)) {
                        yield "{\"type\":\"Polygon\",\"coordinates\":" + polygon(shell) + "}";
                    }
                    yield "{\"type\":\"Polygon\",\"coordinates\":" + polygon(positions(ring(lon, lat, radius, chance(0.5) ? 10_000 : 10_001, false))) + "}";
                }
                default -> "{\"type\":\"Polygon\",\"properties\":{\"note\":[1,[2]]},\"coordinates\":" + polygon(shell) + "}";
            };
        }

        @SafeVarargs
        final <T> T pick(T... options) {
            return options[r.nextInt(options.length)];
        }
    }
}
