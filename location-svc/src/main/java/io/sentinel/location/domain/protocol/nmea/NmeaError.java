package io.sentinel.location.domain.protocol.nmea;

/** Why one line of an NMEA upload produced no fix, with its 1-based line number. */
public record NmeaError(int line, String sentence, String message) {

    @Override
    public String toString() {
        return "line " + line + ": " + message;
    }
}
