package io.sentinel.enrollment.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A privacy notice written from one subject's actual order, conditions, grants and retention
 * dates, in the subject's language when Sentinel has a translation (English otherwise).
 */
public final class PrivacyNotice {
    public static final List<String> LANGUAGES = List.of("en", "cy", "pl", "ro");

    private PrivacyNotice() {
    }

    /** What the notice is written from; dates are instants, shown as dates in the order's time zone. */
    public record Facts(String subjectId, String owningAgencyName, String legalAuthority, Instant startsAt, Instant endsAt,
            Instant reviewDueAt, boolean fittedTag, boolean continuousTrail, int zones, int curfews, int checkInsPerDay,
            String checkInFrom, String checkInTo, ZoneId timeZone, Map<String, Instant> retainedUntil, List<Recipient> recipients,
            String demographicGroup, String demographicBasis) {
    }

    /** Another agency receiving some categories. */
    public record Recipient(String agencyId, String agencyName, List<String> categories, String purpose, Instant until) {
    }

    public record Section(String id, String heading, List<String> paragraphs) {
    }

    /** The notice as served in JSON: the words, and the dates and recipients they were written from. */
    public record Notice(String subjectId, String language, boolean fallback, String title, List<Section> sections,
            Map<String, String> dates, Map<String, String> retainedUntil, List<Map<String, Object>> recipients) {
    }

    /** The language the notice is written in for a requested BCP 47 tag: its primary language if translated, else English. */
    public static String languageFor(String tag) {
        String primary = tag == null ? "" : Locale.forLanguageTag(tag).getLanguage();
        return LANGUAGES.contains(primary) ? primary : "en";
    }

    public static Notice write(Facts f, String requestedLanguage) {
        String lang = languageFor(requestedLanguage);
        Map<String, String> t = NoticeTexts.TEXTS.get(lang);
        Locale locale = Locale.forLanguageTag(lang);
        DateTimeFormatter longDate = DateTimeFormatter.ofPattern("d MMMM yyyy", locale);
        java.util.function.Function<Instant, String> date = i -> longDate.format(i.atZone(f.timeZone()));
        java.util.function.Function<Instant, String> iso = i -> LocalDate.ofInstant(i, f.timeZone()).toString();

        List<Section> sections = new ArrayList<>();
        sections.add(new Section("intro", t.get("title"), List.of(fill(t.get("intro"), "agency", f.owningAgencyName()))));
        sections.add(new Section("why", t.get("why"), List.of(fill(t.get("authority"), "authority", f.legalAuthority(), "start",
                date.apply(f.startsAt()), "end", date.apply(f.endsAt()), "review", date.apply(f.reviewDueAt())))));

        List<String> what = new ArrayList<>();
        what.add(t.get("identity"));
        what.add(t.get(f.fittedTag() ? "device.tag" : "device.watch"));
        what.add(t.get(f.continuousTrail() ? "trail.continuous" : "trail.limited"));
        if (f.zones() > 0) {
            what.add(fill(t.get("zones"), "n", Integer.toString(f.zones())));
        }
        if (f.curfews() > 0) {
            what.add(fill(t.get("curfews"), "n", Integer.toString(f.curfews())));
        }
        if (f.checkInsPerDay() > 0) {
            what.add(fill(t.get("checkins"), "n", Integer.toString(f.checkInsPerDay()), "from", f.checkInFrom(), "to", f.checkInTo()));
        }
        if (f.demographicGroup() != null) {
            // Recorded only with a lawful basis and only to measure face matching per group: the
            // person is told which group, on what basis, and that it decides nothing.
            what.add(fill(t.get("demographic"), "group", f.demographicGroup(), "basis", f.demographicBasis()));
        }
        sections.add(new Section("what", t.get("what"), what));

        List<String> howLong = new ArrayList<>();
        f.retainedUntil().forEach((category, until) -> howLong.add(fill(t.get("until"), "category", capitalise(t.get(category), locale),
                "date", date.apply(until))));
        sections.add(new Section("retention", t.get("howLong"), howLong));

        List<String> who = new ArrayList<>();
        who.add(fill(t.get("owner"), "agency", f.owningAgencyName()));
        for (Recipient r : f.recipients()) {
            who.add(fill(t.get("grant"), "agency", r.agencyName(), "categories",
                    r.categories().stream().map(t::get).collect(Collectors.joining(", ")), "purpose", r.purpose(), "date", date.apply(r.until())));
        }
        if (f.recipients().isEmpty()) {
            who.add(t.get("noGrants"));
        }
        sections.add(new Section("recipients", t.get("who"), who));
        sections.add(new Section("rights", t.get("rights"), List.of(t.get("access"))));

        Map<String, String> dates = new java.util.LinkedHashMap<>();
        dates.put("starts", iso.apply(f.startsAt()));
        dates.put("ends", iso.apply(f.endsAt()));
        dates.put("reviewDue", iso.apply(f.reviewDueAt()));
        Map<String, String> retained = new java.util.LinkedHashMap<>();
        f.retainedUntil().forEach((c, i) -> retained.put(c, iso.apply(i)));
        List<Map<String, Object>> recipients = new ArrayList<>();
        for (Recipient r : f.recipients()) {
            recipients.add(Map.of("agencyId", r.agencyId(), "categories", r.categories(), "purpose", r.purpose(), "until", iso.apply(r.until())));
        }
        return new Notice(f.subjectId(), lang, !lang.equals(primary(requestedLanguage)),
                t.get("title"), sections, dates, retained, recipients);
    }

    private static String primary(String tag) {
        return tag == null ? "" : Locale.forLanguageTag(tag).getLanguage();
    }

    /** The notice as a self-contained HTML page; every inserted value is escaped. */
    public static String html(Notice n) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"").append(n.language()).append("\">\n<head><meta charset=\"utf-8\"><title>")
                .append(escape(n.title())).append("</title></head>\n<body>\n<h1>").append(escape(n.title())).append("</h1>\n");
        for (Section s : n.sections()) {
            if (!s.id().equals("intro")) {
                b.append("<h2>").append(escape(s.heading())).append("</h2>\n");
            }
            for (String p : s.paragraphs()) {
                b.append("<p>").append(escape(p)).append("</p>\n");
            }
        }
        return b.append("</body>\n</html>\n").toString();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String capitalise(String s, Locale l) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(l) + s.substring(1);
    }

    private static String fill(String template, String... pairs) {
        String out = template;
        for (int i = 0; i < pairs.length; i += 2) {
            out = out.replace("{" + pairs[i] + "}", pairs[i + 1]);
        }
        return out;
    }
}
