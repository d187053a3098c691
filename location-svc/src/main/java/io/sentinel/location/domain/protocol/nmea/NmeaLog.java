package io.sentinel.location.domain.protocol.nmea;

import io.sentinel.location.domain.FixReport;

import java.time.Instant;
import java.util.List;

/**
 * Result of parsing an NMEA upload: fixes in input order, errors per line, and how many valid
 * sentences were skipped because they carry no fix (GSV, GSA, VTG, proprietary...).
 */
public record NmeaLog(List<NmeaFix> fixes, List<NmeaError> errors, int ignoredSentences) {

    public NmeaLog {
        fixes = List.copyOf(fixes);
        errors = List.copyOf(errors);
    }

    public List<FixReport> toReports(String deviceId, Instant receivedAt) {
        return fixes.stream().map(f -> f.toReport(deviceId, receivedAt)).toList();
    }
}
