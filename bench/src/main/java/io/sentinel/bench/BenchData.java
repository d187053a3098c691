package io.sentinel.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sentinel.rules.domain.geo.GeoJsonZoneReader;
import io.sentinel.rules.domain.geo.Wgs84;
import org.locationtech.jts.geom.Geometry;

/** Finds and reads the shared real data (../shared/data) for the benchmarks. */
final class BenchData {

    /** A fix: position and accuracy radius (NaN when the source has none). */
    record Fix(double lat, double lon, double accuracy) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchData() {
    }

    /**
     * -Dsentinel.data=DIR, else -Dsentinel.repo.root=ROOT with ROOT/../shared/data, else
     * ../shared/data relative to the working directory (the repository root), else /work/shared/data.
     */
    static Optional<Path> dir() {
        List<Path> candidates = new ArrayList<>();
        if (System.getProperty("sentinel.data") != null) {
            candidates.add(Path.of(System.getProperty("sentinel.data")));
        }
        if (System.getProperty("sentinel.repo.root") != null) {
            candidates.add(Path.of(System.getProperty("sentinel.repo.root")).resolve("../shared/data"));
        }
        candidates.add(Path.of("../shared/data"));
        candidates.add(Path.of("/work/main/../shared/data"));
        return candidates.stream().map(p -> p.toAbsolutePath().normalize())
                .filter(p -> Files.isDirectory(p.resolve("zones")) && Files.isDirectory(p.resolve("gps")))
                .findFirst();
    }

    static List<Geometry> boroughs(Path data) {
        GeoJsonZoneReader reader = new GeoJsonZoneReader();
        List<Geometry> out = new ArrayList<>();
        for (JsonNode f : json(data.resolve("zones/london_boroughs_gla_2011_wgs84.geojson")).get("features")) {
            out.add(reader.read(f.get("geometry")).geometry());
        }
        return out;
    }

    /** Every real trace, each moved onto London around the given anchors (lat, lon). */
    static List<Fix> tracesOnLondon(Path data, List<double[]> anchors) {
        Path gps = data.resolve("gps");
        List<List<Fix>> traces = new ArrayList<>();
        List<Fix> t = new ArrayList<>();
        List<String> lines = lines(gps.resolve("uci-gotrack/go_track_trackspoints.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            t.add(new Fix(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.NaN));
        }
        traces.add(t);
        t = new ArrayList<>();
        lines = lines(gps.resolve("trackintel/google_trajectory.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(";");
            t.add(new Fix(Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[5])));
        }
        traces.add(t);
        t = new ArrayList<>();
        lines = lines(gps.resolve("trackintel/posmo_trajectory.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(";");
            t.add(new Fix(Double.parseDouble(f[2]), Double.parseDouble(f[1]), Double.parseDouble(f[3])));
        }
        traces.add(t);
        t = new ArrayList<>();
        Matcher m = Pattern.compile("<trkpt lat=\"([-0-9.]+)\" lon=\"([-0-9.]+)\"")
                .matcher(String.join("\n", lines(gps.resolve("gpxpy/cerknicko-jezero.gpx"))));
        while (m.find()) {
            t.add(new Fix(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.NaN));
        }
        traces.add(t);
        List<Fix> out = new ArrayList<>();
        for (List<Fix> trace : traces) {
            // The city-wide Go!Track set needs few placements; the short traces are spread over many.
            int placements = trace.size() > 10_000 ? 2 : anchors.size();
            for (int a = 0; a < placements; a++) {
                out.addAll(shift(trace, anchors.get(a)[0], anchors.get(a)[1]));
            }
        }
        return out;
    }

    /** Moves a trace so its mean lands on (lat, lon), keeping east/north offsets in metres. */
    private static List<Fix> shift(List<Fix> trace, double lat, double lon) {
        double mLat = trace.stream().mapToDouble(Fix::lat).average().orElseThrow();
        double mLon = trace.stream().mapToDouble(Fix::lon).average().orElseThrow();
        double kx = Wgs84.metresPerDegreeLongitude(mLat) / Wgs84.metresPerDegreeLongitude(lat);
        double ky = Wgs84.metresPerDegreeLatitude(mLat) / Wgs84.metresPerDegreeLatitude(lat);
        List<Fix> out = new ArrayList<>(trace.size());
        for (Fix f : trace) {
            out.add(new Fix(lat + (f.lat() - mLat) * ky, lon + (f.lon() - mLon) * kx, f.accuracy()));
        }
        return out;
    }

    private static JsonNode json(Path file) {
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
}
