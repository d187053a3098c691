package io.sentinel.enrollment.domain;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;

/** Checks of identity and schedule values, each naming the field it rejects. */
public final class SubjectChecks {
    private static final Set<String> ALPHA3 = Locale.getISOCountries(Locale.IsoCountryCode.PART1_ALPHA3);
    private static final Set<String> LANGUAGES = Arrays.stream(Locale.getISOLanguages()).collect(Collectors.toUnmodifiableSet());
    /** People under electronic monitoring are at least 10 (the age of criminal responsibility in England and Wales). */
    static final int MIN_AGE = 10;
    static final int MAX_AGE = 120;

    private SubjectChecks() {
    }

    public static String name(String field, String value) {
        Check.required(field, value);
        if (value.length() > 200) {
            throw SentinelException.invalid(field, "must be at most 200 characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw SentinelException.invalid(field, "must not contain control characters");
        }
        int[] cps = value.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            if (Character.getType(cps[i]) == Character.FORMAT && !joinerInsideAWord(cps, i)) {
                throw SentinelException.invalid(field, String.format(Locale.ROOT,
                        "must not contain invisible formatting characters (bidirectional overrides, zero-width characters): U+%04X at %d",
                        cps[i], i));
            }
        }
        return value.strip();
    }

    /**
     * Invisible formatting characters (Unicode category Cf: bidirectional embeddings, overrides and
     * isolates, zero-width spaces, word joiners, byte-order marks) make a name display as another
     * one, or reorder what a caseworker reads, so two records look alike and searches miss. The
     * zero-width (non-)joiner is part of spelling in scripts such as Persian and Devanagari, so it is
     * kept between two letters of such a script; next to Latin letters or at an edge it is refused.
     */
    private static boolean joinerInsideAWord(int[] cps, int i) {
        if ((cps[i] != 0x200C && cps[i] != 0x200D) || i == 0 || i == cps.length - 1) {
            return false;
        }
        return joinable(cps[i - 1]) && joinable(cps[i + 1]);
    }

    private static boolean joinable(int cp) {
        if (!Character.isLetter(cp) && Character.getType(cp) != Character.NON_SPACING_MARK && Character.getType(cp) != Character.COMBINING_SPACING_MARK) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script != Character.UnicodeScript.LATIN && script != Character.UnicodeScript.COMMON
                && script != Character.UnicodeScript.INHERITED && script != Character.UnicodeScript.CYRILLIC
                && script != Character.UnicodeScript.GREEK;
    }

    /** At most this many reference photos per subject. */
    public static final int MAX_REFERENCE_PHOTOS = 10;

    /** Reference photo ids: UUIDs, no repeats, at most {@link #MAX_REFERENCE_PHOTOS}. */
    public static List<String> photoIds(String field, List<String> ids) {
        if (ids.size() > MAX_REFERENCE_PHOTOS) {
            throw SentinelException.invalid(field, "at most " + MAX_REFERENCE_PHOTOS + " reference photos, got " + ids.size());
        }
        Set<String> seen = new java.util.LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = Check.uuid(field + "[" + i + "]", ids.get(i)).toString();
            if (!seen.add(id)) {
                throw SentinelException.invalid(field + "[" + i + "]", "repeats " + id);
            }
        }
        return List.copyOf(seen);
    }

    public static LocalDate dateOfBirth(String field, String value, LocalDate today) {
        Check.required(field, value);
        LocalDate dob;
        try {
            dob = LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw SentinelException.invalid(field, "must be an ISO-8601 date YYYY-MM-DD, got '" + value + "'");
        }
        if (dob.isAfter(today.minusYears(MIN_AGE))) {
            throw SentinelException.invalid(field, "implausible: the person would be younger than " + MIN_AGE);
        }
        if (dob.isBefore(today.minusYears(MAX_AGE))) {
            throw SentinelException.invalid(field, "implausible: the person would be older than " + MAX_AGE);
        }
        return dob;
    }

    public static String nationality(String field, String value) {
        Check.required(field, value);
        if (!ALPHA3.contains(value)) {
            throw SentinelException.invalid(field, "must be an ISO 3166-1 alpha-3 code (e.g. GBR), got '" + value + "'");
        }
        return value;
    }

    public static String language(String field, String value) {
        Check.required(field, value);
        try {
            Locale l = new Locale.Builder().setLanguageTag(value).build();
            if (!LANGUAGES.contains(l.getLanguage())) {
                throw SentinelException.invalid(field, "unknown language '" + l.getLanguage() + "' in BCP 47 tag '" + value + "'");
            }
            return l.toLanguageTag();
        } catch (IllformedLocaleException e) {
            throw SentinelException.invalid(field, "must be a BCP 47 language tag (e.g. cy, pl, pt-BR), got '" + value + "'");
        }
    }

    public static ZoneId timeZone(String field, String value) {
        Check.required(field, value);
        try {
            if (!ZoneId.getAvailableZoneIds().contains(value)) {
                throw new DateTimeException(value);
            }
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw SentinelException.invalid(field, "must be an IANA time zone (e.g. Europe/London), got '" + value + "'");
        }
    }

    public static LocalTime localTime(String field, String value) {
        Check.required(field, value);
        if (!value.matches("([01]\\d|2[0-3]):[0-5]\\d")) {
            throw SentinelException.invalid(field, "must be a local time HH:mm, got '" + value + "'");
        }
        return LocalTime.parse(value);
    }
}
