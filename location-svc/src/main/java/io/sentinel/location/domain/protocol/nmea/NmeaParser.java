package io.sentinel.location.domain.protocol.nmea;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses NMEA 0183 logs uploaded by gateways: RMC and GGA from any talker (GP, GN, GL, GA, BD...),
 * checksums verified, and an RMC and a GGA of the same epoch merged into one {@link NmeaFix}.
 *
 * <p>Epochs: consecutive RMC/GGA sentences with the same UTC time-of-day form one epoch; a
 * different time (or a second sentence of a type the epoch already has) starts the next one. A
 * fix needs a valid RMC because GGA has no date; so, like gpsd, a trailing GGA whose RMC never
 * arrived gives no fix (it is reported as an error). An epoch is rejected when its RMC is void
 * (status V, or mode indicator N) or its GGA fix quality is 0 (no fix), 7 (manual input) or
 * 8 (simulator).
 *
 * <p>Other sentences with a valid checksum are skipped, as are proprietary ({@code $P...})
 * sentences without one; a bad checksum is an error whatever the sentence. The NMEA limit of 82
 * characters is not enforced because real receivers exceed it (the shared MTK log has 220-character
 * {@code $PMTKCHN} lines); lines over {@value #MAX_LINE_LENGTH} characters are rejected as garbage.
 */
public final class NmeaParser {

    public static final int MAX_LINE_LENGTH = 512;

    private static final double KNOTS_TO_MPS = 1852.0 / 3600.0;
    private static final Pattern ADDRESS = Pattern.compile("[A-Z]{2}[A-Z]{3}");
    private static final Pattern TIME = Pattern.compile("(\\d{2})(\\d{2})(\\d{2})(\\.\\d{1,9})?");
    private static final Pattern DATE = Pattern.compile("(\\d{2})(\\d{2})(\\d{2})");
    private static final Pattern LAT = Pattern.compile("(\\d{2})(\\d{2}(?:\\.\\d+)?)");
    private static final Pattern LON = Pattern.compile("(\\d{3})(\\d{2}(?:\\.\\d+)?)");
    private static final Pattern UNSIGNED = Pattern.compile("\\d+(\\.\\d*)?|\\.\\d+");
    private static final Pattern SIGNED = Pattern.compile("-?(\\d+(\\.\\d*)?|\\.\\d+)");

    /** Parses a whole upload; lines may end in CRLF or LF. */
    public NmeaLog parse(String text) {
        return parse(text == null ? List.of() : List.of(text.split("\r?\n", -1)));
    }

    /** Parses lines; numbers in errors are 1-based positions in {@code lines}. */
    public NmeaLog parse(List<String> lines) {
        Assembler assembler = new Assembler();
        int ignored = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (!sentence(i + 1, line, assembler)) {
                ignored++;
            }
        }
        assembler.flush();
        return new NmeaLog(assembler.fixes, assembler.errors, ignored);
    }

    /** Returns false when the line was a well-formed sentence that carries no fix. */
    private boolean sentence(int lineNo, String line, Assembler out) {
        if (line.length() > MAX_LINE_LENGTH) {
            out.error(lineNo, line, "line is " + line.length() + " characters (max " + MAX_LINE_LENGTH + ")");
            return true;
        }
        if (line.charAt(0) != '$') {
            out.error(lineNo, line, "not an NMEA sentence: must start with '$'");
            return true;
        }
        int star = line.lastIndexOf('*');
        String body = star < 0 ? line.substring(1) : line.substring(1, star);
        String address = body.split(",", 2)[0];
        boolean proprietary = address.startsWith("P");
        if (star >= 0) {
            String given = line.substring(star + 1);
            if (!given.matches("[0-9A-Fa-f]{2}")) {
                out.error(lineNo, line, "checksum '*" + abbreviate(given) + "' is not two hex digits");
                return true;
            }
            int computed = 0;
            for (int i = 0; i < body.length(); i++) {
                computed ^= body.charAt(i);
            }
            if (computed != Integer.parseInt(given, 16)) {
                out.error(lineNo, line, String.format(Locale.ROOT,
                        "checksum mismatch: sentence says *%s, content gives *%02X", given.toUpperCase(Locale.ROOT),
                        computed));
                return true;
            }
        }
        if (proprietary) {
            return false;
        }
        if (!ADDRESS.matcher(address).matches()) {
            out.error(lineNo, line, "address field '" + abbreviate(address)
                    + "' is not a 2-letter talker id and a 3-letter sentence type");
            return true;
        }
        String type = address.substring(2);
        if (!type.equals("RMC") && !type.equals("GGA")) {
            return false;
        }
        if (star < 0) {
            out.error(lineNo, line, type + " sentence has no checksum");
            return true;
        }
        String[] f = body.split(",", -1);
        if (type.equals("RMC")) {
            rmc(lineNo, line, f, out);
        } else {
            gga(lineNo, line, f, out);
        }
        return true;
    }

    private void rmc(int lineNo, String line, String[] f, Assembler out) {
        int n = f.length - 1;
        if (n < 11 || n > 13) {
            out.error(lineNo, line, "RMC has " + n + " data fields, expected 11 to 13");
            return;
        }
        List<String> problems = new ArrayList<>();
        LocalTime time = time("RMC time", f[1], problems);
        if (time == null) {
            out.error(lineNo, line, String.join("; ", problems));
            return;
        }
        if (f[2].equals("V")) {
            problems.add("RMC status V (void): the receiver has no valid fix");
        } else if (!f[2].equals("A")) {
            problems.add("RMC status must be A or V, got '" + abbreviate(f[2]) + "'");
        } else if (n >= 12 && f[12].equals("N")) {
            problems.add("RMC mode indicator N: data not valid");
        }
        if (!problems.isEmpty()) {
            out.rejectedRmc(lineNo, line, time, String.join("; ", problems));
            return;
        }
        Double lat = coordinate("RMC latitude", f[3], f[4], LAT, 90, 'N', 'S', problems);
        Double lon = coordinate("RMC longitude", f[5], f[6], LON, 180, 'E', 'W', problems);
        Double knots = optionalNumber("RMC speed", f[7], UNSIGNED, problems);
        Double course = optionalNumber("RMC course", f[8], UNSIGNED, problems);
        if (course != null && course > 360) {
            problems.add("RMC course must be within [0, 360], got " + course);
        }
        LocalDate date = date(f[9], problems);
        if (!problems.isEmpty()) {
            out.rejectedRmc(lineNo, line, time, String.join("; ", problems));
            return;
        }
        out.rmc(lineNo, line, time, new Rmc(date.atTime(time).toInstant(ZoneOffset.UTC), lat, lon,
                knots == null ? null : knots * KNOTS_TO_MPS, course));
    }

    private void gga(int lineNo, String line, String[] f, Assembler out) {
        int n = f.length - 1;
        if (n != 14) {
            out.error(lineNo, line, "GGA has " + n + " data fields, expected 14");
            return;
        }
        List<String> problems = new ArrayList<>();
        LocalTime time = time("GGA time", f[1], problems);
        if (time == null) {
            out.error(lineNo, line, String.join("; ", problems));
            return;
        }
        if (!f[6].matches("\\d")) {
            out.rejectedGga(lineNo, line, time, "GGA fix quality must be a digit 0-8, got '" + abbreviate(f[6]) + "'");
            return;
        }
        int quality = Integer.parseInt(f[6]);
        String qualityProblem = switch (quality) {
            case 0 -> "GGA fix quality 0: no fix";
            case 7 -> "GGA fix quality 7: position entered by hand, not measured";
            case 8 -> "GGA fix quality 8: simulator output, not a real position";
            case 9 -> "GGA fix quality must be 0-8, got 9";
            default -> null;
        };
        if (qualityProblem != null) {
            out.rejectedGga(lineNo, line, time, qualityProblem);
            return;
        }
        coordinate("GGA latitude", f[2], f[3], LAT, 90, 'N', 'S', problems);
        coordinate("GGA longitude", f[4], f[5], LON, 180, 'E', 'W', problems);
        Double sats = optionalNumber("GGA satellites", f[7], Pattern.compile("\\d{1,3}"), problems);
        Double hdop = optionalNumber("GGA hdop", f[8], UNSIGNED, problems);
        Double altitude = optionalNumber("GGA altitude", f[9], SIGNED, problems);
        if (!problems.isEmpty()) {
            out.rejectedGga(lineNo, line, time, String.join("; ", problems));
            return;
        }
        out.gga(lineNo, line, time, new Gga(quality, sats == null ? null : sats.intValue(), hdop, altitude));
    }

    private static LocalTime time(String field, String text, List<String> problems) {
        Matcher m = TIME.matcher(text);
        if (!m.matches()) {
            problems.add(field + " '" + abbreviate(text) + "' is not hhmmss[.sss]");
            return null;
        }
        int h = Integer.parseInt(m.group(1));
        int min = Integer.parseInt(m.group(2));
        int s = Integer.parseInt(m.group(3));
        int nanos = 0;
        if (m.group(4) != null) {
            String frac = (m.group(4).substring(1) + "000000000").substring(0, 9);
            nanos = Integer.parseInt(frac);
        }
        if (h > 23 || min > 59 || s > 59) {
            problems.add(field + " '" + text + "' is not a valid time of day");
            return null;
        }
        return LocalTime.of(h, min, s, nanos);
    }

    /** Two-digit years: 80-99 are 1980-1999 (GPS time starts in 1980), 00-79 are 2000-2079. */
    private static LocalDate date(String text, List<String> problems) {
        Matcher m = DATE.matcher(text);
        if (!m.matches()) {
            problems.add("RMC date '" + abbreviate(text) + "' is not ddmmyy");
            return null;
        }
        int yy = Integer.parseInt(m.group(3));
        try {
            return LocalDate.of(yy >= 80 ? 1900 + yy : 2000 + yy, Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(1)));
        } catch (DateTimeException e) {
            problems.add("RMC date '" + text + "' is not a valid calendar date");
            return null;
        }
    }

    private static Double coordinate(String field, String value, String hemisphere, Pattern shape, int maxDegrees,
                                     char positive, char negative, List<String> problems) {
        if (value.isEmpty()) {
            problems.add(field + " is empty");
            return null;
        }
        Matcher m = shape.matcher(value);
        if (!m.matches()) {
            problems.add(field + " '" + abbreviate(value) + "' is not " + (maxDegrees == 90 ? "ddmm.mmmm" : "dddmm.mmmm"));
            return null;
        }
        int degrees = Integer.parseInt(m.group(1));
        double minutes = Double.parseDouble(m.group(2));
        if (minutes >= 60) {
            problems.add(field + " '" + value + "' has " + m.group(2) + " minutes (must be < 60)");
            return null;
        }
        double result = degrees + minutes / 60.0;
        if (result > maxDegrees) {
            problems.add(field + " '" + value + "' is beyond " + maxDegrees + " degrees");
            return null;
        }
        if (hemisphere.length() != 1 || (hemisphere.charAt(0) != positive && hemisphere.charAt(0) != negative)) {
            problems.add(field + " hemisphere must be " + positive + " or " + negative + ", got '"
                    + abbreviate(hemisphere) + "'");
            return null;
        }
        return hemisphere.charAt(0) == negative ? -result : result;
    }

    private static Double optionalNumber(String field, String text, Pattern shape, List<String> problems) {
        if (text.isEmpty()) {
            return null;
        }
        if (!shape.matcher(text).matches()) {
            problems.add(field + " '" + abbreviate(text) + "' is not a number");
            return null;
        }
        return Double.parseDouble(text);
    }

    private static String abbreviate(String text) {
        return text.length() <= 24 ? text : text.substring(0, 21) + "...";
    }

    private record Rmc(java.time.Instant time, double lat, double lon, Double speedMps, Double course) {
    }

    private record Gga(int quality, Integer satellites, Double hdop, Double altitude) {
    }

    /** Groups RMC and GGA sentences into epochs and turns each epoch into a fix or an error. */
    private static final class Assembler {
        final List<NmeaFix> fixes = new ArrayList<>();
        final List<NmeaError> errors = new ArrayList<>();

        private LocalTime time;
        /** Slots of the current epoch; a filled slot with null data holds a rejected sentence. */
        private boolean hasRmc;
        private boolean hasGga;
        private Rmc rmc;
        private Gga gga;
        private int rmcLine;
        private int ggaLine;
        private String rmcText;
        private String ggaText;

        void error(int line, String sentence, String message) {
            errors.add(new NmeaError(line, sentence, message));
        }

        void rmc(int line, String sentence, LocalTime t, Rmc data) {
            begin(t, true);
            hasRmc = true;
            rmc = data;
            rmcLine = line;
            rmcText = sentence;
        }

        void rejectedRmc(int line, String sentence, LocalTime t, String message) {
            error(line, sentence, message);
            rmc(line, sentence, t, null);
        }

        void gga(int line, String sentence, LocalTime t, Gga data) {
            begin(t, false);
            hasGga = true;
            gga = data;
            ggaLine = line;
            ggaText = sentence;
        }

        void rejectedGga(int line, String sentence, LocalTime t, String message) {
            error(line, sentence, message);
            gga(line, sentence, t, null);
        }

        private void begin(LocalTime t, boolean isRmc) {
            if (time != null && (!time.equals(t) || (isRmc ? hasRmc : hasGga))) {
                flush();
            }
            time = t;
        }

        void flush() {
            if (time == null) {
                return;
            }
            if (rmc != null) {
                if (hasGga && gga == null) {
                    error(rmcLine, rmcText, "RMC at " + time + " dropped: the GGA of the same epoch (line " + ggaLine
                            + ") reports no usable fix");
                } else {
                    fixes.add(new NmeaFix(rmc.time(), rmc.lat(), rmc.lon(), rmc.speedMps(), rmc.course(),
                            gga == null ? null : gga.hdop(), gga == null ? null : gga.quality(),
                            gga == null ? null : gga.satellites(), gga == null ? null : gga.altitude(),
                            rmcLine, gga == null ? 0 : ggaLine));
                }
            } else if (!hasRmc && gga != null) {
                error(ggaLine, ggaText, "GGA at " + time + " has no RMC of the same epoch; GGA carries no date, "
                        + "so no fix can be made");
            }
            time = null;
            hasRmc = false;
            hasGga = false;
            rmc = null;
            gga = null;
        }
    }
}
