package io.sentinel.enrollment.domain;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalTime;

import org.junit.jupiter.api.Test;

class ConditionChecksTest {

    @Test
    void rejectsMoreThanFiveCheckInsADay() {
        assertThatThrownBy(() -> ConditionChecks.checkIns("check_ins", 6, LocalTime.of(8, 0), LocalTime.of(20, 0)))
                .hasMessage("must be 0 to 5, got 6");
        assertThatThrownBy(() -> ConditionChecks.checkIns("check_ins", 2, LocalTime.of(20, 0), LocalTime.of(8, 0)))
                .hasMessage("must be after window_start");
    }

    @Test
    void noCheckInsNeedNoWindow() {
        assertThatCode(() -> ConditionChecks.checkIns("check_ins", 0, LocalTime.of(8, 0), LocalTime.of(8, 0))).doesNotThrowAnyException();
    }
}
