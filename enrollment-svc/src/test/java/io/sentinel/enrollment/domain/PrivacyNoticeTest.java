package io.sentinel.enrollment.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PrivacyNoticeTest {
    static PrivacyNotice.Facts facts(String authority, List<PrivacyNotice.Recipient> recipients) {
        return facts(authority, recipients, null, null);
    }

    static PrivacyNotice.Facts facts(String authority, List<PrivacyNotice.Recipient> recipients, String group, String basis) {
        Map<String, Instant> until = new LinkedHashMap<>();
        until.put("DATA_CATEGORY_IDENTITY", Instant.parse("2033-03-30T23:30:00Z"));
        until.put("DATA_CATEGORY_LOCATION_TRAIL", Instant.parse("2028-03-30T23:30:00Z"));
        return new PrivacyNotice.Facts("s-1", "Home Office", authority, Instant.parse("2026-12-01T09:00:00Z"),
                Instant.parse("2027-03-31T22:30:00Z"), Instant.parse("2027-04-01T09:00:00Z"), true, false, 2, 1, 3, "08:00", "20:00",
                ZoneId.of("Europe/London"), until, recipients, group, basis);
    }

    static final List<PrivacyNotice.Recipient> POLICE = List.of(new PrivacyNotice.Recipient("met", "Metropolitan Police",
            List.of("DATA_CATEGORY_ALERTS"), "joint case 2026/118", Instant.parse("2027-01-15T12:00:00Z")));

    static String text(PrivacyNotice.Notice n) {
        return String.join("\n", n.sections().stream().flatMap(s -> s.paragraphs().stream()).toList());
    }

    @Test
    void statesTheOrdersDatesInItsTimeZoneAndItsRecipients() {
        PrivacyNotice.Notice n = PrivacyNotice.write(facts("Bail decision IA/2026/17", POLICE), "en-GB");
        assertThat(n.language()).isEqualTo("en");
        assertThat(n.fallback()).isFalse();
        // 22:30 UTC on 31 March is 23:30 on 31 March in London (BST).
        assertThat(text(n)).contains("You are monitored under Bail decision IA/2026/17, from 1 December 2026 until 31 March 2027. The order is next reviewed by 1 April 2027.")
                .contains("Metropolitan Police sees alerts for this purpose: joint case 2026/118. Until 15 January 2027.")
                .contains("Location history: until 31 March 2028.")
                .contains("A fitted ankle tag records your location.")
                .contains("Your location is kept only to check curfews and zones.")
                .contains("Photo check-ins each day: 3, between 08:00 and 20:00.");
        assertThat(n.dates()).containsEntry("ends", "2027-03-31");
        assertThat(n.retainedUntil()).containsEntry("DATA_CATEGORY_LOCATION_TRAIL", "2028-03-31");
        assertThat(n.recipients()).hasSize(1);
    }

    @Test
    void saysWhenNoOtherAgencyReceivesAnything() {
        assertThat(text(PrivacyNotice.write(facts("Order 1", List.of()), "en"))).contains("No other agency receives your information.");
    }

    @Test
    void isWrittenInWelshPolishAndRomanianWithLocalMonthNames() {
        assertThat(text(PrivacyNotice.write(facts("Order 1", POLICE), "cy"))).contains("o 1 Rhagfyr 2026 tan 31 Mawrth 2027")
                .contains("Mae Metropolitan Police yn gweld rhybuddion");
        assertThat(text(PrivacyNotice.write(facts("Order 1", POLICE), "pl-PL"))).contains("od 1 grudnia 2026 do 31 marca 2027")
                .contains("Metropolitan Police ma dostęp do następujących danych: alerty.");
        assertThat(text(PrivacyNotice.write(facts("Order 1", POLICE), "ro"))).contains("de la 1 decembrie 2026 până la 31 martie 2027")
                .contains("Metropolitan Police are acces la: alerte.");
    }

    @Test
    void aRecordedDemographicGroupIsStatedWithItsBasisAndThatItDecidesNothingInEveryLanguage() {
        String basis = "Equality monitoring, consent ref. EQ-2026-0042";
        PrivacyNotice.Notice en = PrivacyNotice.write(facts("Order 1", POLICE, "Black British", basis), "en");
        assertThat(text(en)).contains("Your demographic group is recorded as Black British, on this basis: " + basis + ".")
                .contains("it never decides anything about you and partner agencies do not see it.");
        for (String lang : PrivacyNotice.LANGUAGES) {
            String withGroup = text(PrivacyNotice.write(facts("Order 1", POLICE, "Black British", basis), lang));
            assertThat(withGroup).as(lang).contains("Black British").contains(basis).doesNotContain("{group}").doesNotContain("{basis}");
            assertThat(text(PrivacyNotice.write(facts("Order 1", POLICE), lang))).as(lang + " without a group").doesNotContain(basis)
                    .isEqualTo(withGroup.replaceAll("\\n[^\\n]*Black British[^\\n]*", ""));
        }
    }

    @Test
    void fallsBackToEnglishForALanguageWithoutATranslation() {
        PrivacyNotice.Notice n = PrivacyNotice.write(facts("Order 1", POLICE), "fr");
        assertThat(n.language()).isEqualTo("en");
        assertThat(n.fallback()).isTrue();
    }

    @Test
    void escapesEveryValueInTheHtmlPage() {
        String html = PrivacyNotice.html(PrivacyNotice.write(facts("<script>alert(1)</script>", POLICE), "cy"));
        assertThat(html).startsWith("<!DOCTYPE html>\n<html lang=\"cy\">").contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script>").contains("<h1>Hysbysiad preifatrwydd: monitro electronig</h1>");
    }
}
