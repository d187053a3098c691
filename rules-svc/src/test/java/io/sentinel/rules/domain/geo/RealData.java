package io.sentinel.rules.domain.geo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

/** Loads the shared real-world data set (../shared/data); tests skip when it is absent. */
final class RealData {

    /** A fix of a real trace: position and, when the source has one, its accuracy radius (else NaN). */
    record Point(double lat, double lon, double accuracy) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private RealData() {
    }

    private static Path location() {
        Path root = Path.of(System.getProperty("sentinel.repo.root", "/work/main"));
        return root.resolve("../shared/data").toAbsolutePath().normalize();
    }

    static boolean present() {
        Path data = location();
        return Files.isDirectory(data.resolve("zones")) && Files.isDirectory(data.resolve("gps"));
    }

    /** The data folder; skips the calling test (JUnit assumption) when it is missing. */
    static Path dir() {
        Assumptions.assumeTrue(present(), () -> "real data not found at " + location()
                + " (set -Dsentinel.repo.root to the repository root); skipping");
        return location();
    }

    /** Borough name to its zone, read through the same validating reader as production zones. */
    static Map<String, ZoneShape.Polygonal> boroughs() {
        return features(dir().resolve("zones/london_boroughs_gla_2011_wgs84.geojson"), "NAME");
    }

    static Map<String, ZoneShape.Polygonal> englandDistricts() {
        return features(dir().resolve("zones/england_lad_may2024_buc.geojson"), "name");
    }

    private static Map<String, ZoneShape.Polygonal> features(Path file, String nameProperty) {
        GeoJsonZoneReader reader = new GeoJsonZoneReader();
        Map<String, ZoneShape.Polygonal> out = new LinkedHashMap<>();
        for (JsonNode f : read(file).get("features")) {
            out.put(f.get("properties").get(nameProperty).asText(), reader.read(f.get("geometry")));
        }
        return out;
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every trace, by file name. */
    static Map<String, List<Point>> traces() {
        Path gps = dir().resolve("gps");
        Map<String, List<Point>> out = new LinkedHashMap<>();
        List<Point> gotrack = new ArrayList<>();
        List<String> t = lines(gps.resolve("uci-gotrack/go_track_trackspoints.csv"));
        for (String line : t.subList(1, t.size())) {
            String[] f = line.split(",");
            gotrack.add(new Point(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.NaN));
        }
        out.put("go_track_trackspoints.csv", gotrack);
        List<Point> google = new ArrayList<>();
        List<String> g = lines(gps.resolve("trackintel/google_trajectory.csv"));
        for (String line : g.subList(1, g.size())) {
            String[] f = line.split(";");
            google.add(new Point(Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[5])));
        }
        out.put("google_trajectory.csv", google);
        List<Point> posmo = new ArrayList<>();
        List<String> p = lines(gps.resolve("trackintel/posmo_trajectory.csv"));
        for (String line : p.subList(1, p.size())) {
            String[] f = line.split(";");
            posmo.add(new Point(Double.parseDouble(f[2]), Double.parseDouble(f[1]), Double.parseDouble(f[3])));
        }
        out.put("posmo_trajectory.csv", posmo);
        List<Point> gpx = new ArrayList<>();
        Matcher m = Pattern.compile("<trkpt lat=\"([-0-9.]+)\" lon=\"([-0-9.]+)\"")
                .matcher(String.join("\n", lines(gps.resolve("gpxpy/cerknicko-jezero.gpx"))));
        while (m.find()) {
            gpx.add(new Point(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.NaN));
        }
        out.put("cerknicko-jezero.gpx", gpx);
        List<Point> tpv = new ArrayList<>();
        for (String line : lines(gps.resolve("gpsd/quectel-l76k-nmea.tpv.jsonl"))) {
            try {
                JsonNode n = JSON.readTree(line);
                if (n.has("lat") && n.has("lon")) {
                    tpv.add(new Point(n.get("lat").asDouble(), n.get("lon").asDouble(),
                            n.has("eph") ? n.get("eph").asDouble() : Double.NaN));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.put("quectel-l76k-nmea.tpv.jsonl", tpv);
        return out;
    }

    /**
     * Moves a trace so that its mean position lands on (lat, lon), keeping every fix's east/north
     * offset in metres, so shapes and distances survive the move.
     */
    static List<Point> shiftOnto(List<Point> trace, double lat, double lon) {
        double mLat = trace.stream().mapToDouble(Point::lat).average().orElseThrow();
        double mLon = trace.stream().mapToDouble(Point::lon).average().orElseThrow();
        double kx = Wgs84.metresPerDegreeLongitude(mLat);
        double ky = Wgs84.metresPerDegreeLatitude(mLat);
        double tx = Wgs84.metresPerDegreeLongitude(lat);
        double ty = Wgs84.metresPerDegreeLatitude(lat);
        List<Point> out = new ArrayList<>(trace.size());
        for (Point p : trace) {
            double east = (p.lon() - mLon) * kx;
            double north = (p.lat() - mLat) * ky;
            out.add(new Point(lat + north / ty, lon + east / tx, p.accuracy()));
        }
        return out;
    }
}
