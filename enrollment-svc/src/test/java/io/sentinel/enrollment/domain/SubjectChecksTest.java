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
