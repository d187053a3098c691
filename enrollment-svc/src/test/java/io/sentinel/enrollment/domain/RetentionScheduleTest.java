package io.sentinel.enrollment.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.sentinel.common.error.SentinelException;
import io.sentinel.enrollment.domain.RetentionSchedule.Category;

class RetentionScheduleTest {
    static final Instant END = Instant.parse("2024-03-31T23:00:00Z");

    static Map<Category, Integer> policy() {
        Map<Category, Integer> m = new EnumMap<>(Category.class);
        m.put(Category.IDENTITY, 2190);
        m.put(Category.CONDITIONS, 2190);
        m.put(Category.LOCATION_TRAIL, 365);
        m.put(Category.ALERTS, 730);
        m.put(Category.BIOMETRIC_RESULTS, 180);
        return m;
    }

    @Test
    void nothingIsDueWhileAnOrderIsActive() {
        assertThat(RetentionSchedule.due(true, END, policy(), END.plus(Duration.ofDays(5000)), Set.of())).isEmpty();
    }

    @Test
    void shorterCategoriesFallDueFirst() {
        assertThat(RetentionSchedule.due(false, END, policy(), END.plus(Duration.ofDays(179)), Set.of())).isEmpty();
        assertThat(RetentionSchedule.due(false, END, policy(), END.plus(Duration.ofDays(180)), Set.of()))
                .containsExactly(Category.BIOMETRIC_RESULTS);
        assertThat(RetentionSchedule.due(false, END, policy(), END.plus(Duration.ofDays(400)), Set.of(Category.BIOMETRIC_RESULTS)))
                .containsExactly(Category.LOCATION_TRAIL);
    }

    @Test
    void theIdentityTakesEverythingNotYetPurgedWithIt() {
        assertThat(RetentionSchedule.due(false, END, policy(), END.plus(Duration.ofDays(2190)), Set.of(Category.BIOMETRIC_RESULTS)))
                .containsExactly(Category.IDENTITY, Category.CONDITIONS, Category.LOCATION_TRAIL, Category.ALERTS);
    }

    @Test
    void rejectsRecordsKeptLongerThanSixYears() {
        Map<Category, Integer> p = policy();
        p.put(Category.IDENTITY, 2193);
        assertThatThrownBy(() -> RetentionSchedule.validate(p, Map.of(Category.IDENTITY, "periods[0].days")))
                .isInstanceOfSatisfying(SentinelException.class, e -> assertThat(e.describe())
                        .isEqualTo("periods[0].days: identity and order records are kept at most 2192 days (6 years), got 2193"));
    }

    @Test
    void rejectsATrailKeptLongerThanTheIdentity() {
        Map<Category, Integer> p = policy();
        p.put(Category.IDENTITY, 300);
        p.put(Category.CONDITIONS, 300);
        assertThatThrownBy(() -> RetentionSchedule.validate(p, Map.of(Category.IDENTITY, "periods[0].days")))
                .isInstanceOfSatisfying(SentinelException.class, e -> assertThat(e.describe())
                        .isEqualTo("periods[0].days: DATA_CATEGORY_LOCATION_TRAIL cannot be kept longer than DATA_CATEGORY_IDENTITY (300 days), got 365"));
    }

    @Test
    void rejectsNegativeDays() {
        Map<Category, Integer> p = policy();
        p.put(Category.ALERTS, -1);
        assertThatThrownBy(() -> RetentionSchedule.validate(p, Map.of(Category.ALERTS, "periods[2].days")))
                .isInstanceOfSatisfying(SentinelException.class, e -> assertThat(e.describe()).isEqualTo("periods[2].days: must not be negative, got -1"));
    }
}
