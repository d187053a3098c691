package io.sentinel.enrollment.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.sentinel.common.error.SentinelException;

class SubjectChecksTest {
    static void rejects(List<String> ids, String description) {
        assertThatThrownBy(() -> SubjectChecks.photoIds("subject.reference_photo_ids", ids))
                .isInstanceOfSatisfying(SentinelException.class, e -> assertThat(e.describe()).isEqualTo(description));
    }

    @Test
    void refusesNamesWithBidiOverridesOrZeroWidthCharacters() {
        for (String bad : List.of("Ali\u202Ecba", "\u202BSmith", "Jo\u200Bhn", "Jo\u200Dhn", "\u200CAnna", "Anna\u2060", "\uFEFFAnna",
                "Ann\u2066a\u2069", "Ann\u200Fa", "Ann\u00ADa")) {
            assertThatThrownBy(() -> SubjectChecks.name("subject.family_name", bad)).isInstanceOfSatisfying(SentinelException.class, e -> {
                assertThat(e.field()).isEqualTo("subject.family_name");
                assertThat(e.getMessage()).contains("invisible formatting characters").matches("\\p{ASCII}*");
            });
        }
    }

    @Test
    void keepsJoinersThatAreSpellingInsideAWordOfTheirScript() {
        // Persian "Mi\u200Cravad"-style spelling and Devanagari conjuncts use (non-)joiners between letters.
        assertThat(SubjectChecks.name("subject.family_name", "\u0645\u06CC\u200C\u0631\u0648\u062F")).contains("\u200C");
        assertThat(SubjectChecks.name("subject.given_names", "\u0915\u094D\u200D\u0937")).contains("\u200D");
        assertThat(SubjectChecks.name("subject.given_names", "Zoë O'Brien-Ngụy")).isEqualTo("Zoë O'Brien-Ngụy");
    }

    @Test
    void keepsReferencePhotoIdsInOrder() {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        assertThat(SubjectChecks.photoIds("f", List.of(b, a))).containsExactly(b, a);
    }

    @Test
    void rejectsMalformedRepeatedOrTooManyReferencePhotoIds() {
        String a = UUID.randomUUID().toString();
        rejects(List.of(a, "photo-1"), "subject.reference_photo_ids[1]: must be a UUID, got 'photo-1'");
        rejects(List.of(a, a), "subject.reference_photo_ids[1]: repeats " + a);
        rejects(Collections.nCopies(11, a), "subject.reference_photo_ids: at most 10 reference photos, got 11");
    }
}
