package io.sentinel.biometric.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProportionTest {
    /**
     * Published 95 % Wilson (score, no continuity correction) intervals: the four cases of Newcombe,
     * "Two-sided confidence intervals for the single proportion", Statistics in Medicine 17 (1998)
     * 857-872, table II, method 3; and the common textbook cases 0/10, 5/10, 10/10, 50/100.
     */
    @ParameterizedTest(name = "{0}/{1} -> [{2}, {3}]")
    @CsvSource({
        "81, 263, 0.2553, 0.3662",
        "15, 148, 0.0624, 0.1605",
        "0, 20, 0.0000, 0.1611",
        "1, 29, 0.0061, 0.1718",
        "0, 10, 0.0000, 0.2775",
        "5, 10, 0.2366, 0.7634",
        "10, 10, 0.7225, 1.0000",
        "50, 100, 0.4038, 0.5962",
    })
    void wilsonIntervalMatchesPublishedBounds(long x, long n, double lower, double upper) {
        Proportion p = Proportion.of(x, n);
        assertThat(p.rate()).isEqualTo((double) x / n);
        assertThat(p.lower()).isCloseTo(lower, within(0.00005));
        assertThat(p.upper()).isCloseTo(upper, within(0.00005));
    }

    @Test
    void noEventsGivesAZeroLowerBoundAndAllEventsAnUpperBoundOfOneExactly() {
        assertThat(Proportion.of(0, 7).lower()).isEqualTo(0.0);
        assertThat(Proportion.of(7, 7).upper()).isEqualTo(1.0);
        // Never the zero-width interval of the textbook formula at 0/n.
        assertThat(Proportion.of(0, 1000).upper()).isGreaterThan(0.003);
    }

    @Test
    void theIntervalHoldsTheRateAndNarrowsAsTheCountGrows() {
        double previousWidth = 1;
        for (long n = 10; n <= 100_000; n *= 10) {
            Proportion p = Proportion.of(n / 10 * 3, n);
            assertThat(p.lower()).isLessThan(p.rate());
            assertThat(p.upper()).isGreaterThan(p.rate());
            assertThat(p.upper() - p.lower()).isLessThan(previousWidth);
            previousWidth = p.upper() - p.lower();
        }
    }

    @Test
    void refusesAnEmptyOrImpossibleProportion() {
        assertThatThrownBy(() -> Proportion.of(0, 0)).hasMessage("a proportion needs 0 <= numerator <= denominator and denominator > 0, got 0/0");
        assertThatThrownBy(() -> Proportion.of(3, 2)).hasMessageContaining("got 3/2");
        assertThatThrownBy(() -> Proportion.of(-1, 2)).hasMessageContaining("got -1/2");
    }
}
