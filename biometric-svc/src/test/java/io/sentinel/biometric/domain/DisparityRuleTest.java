package io.sentinel.biometric.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DisparityRuleTest {
    private static final long BRUTE_CAP = 5_000;

    @Test
    void warnsOnlyWhenTheGroupsLowerBoundIsAboveTheFactorTimesTheReferencesUpperBound() {
        Proportion reference = Proportion.of(2, 202); // 1.0 % [0.27 %, 3.54 %]
        Proportion clearlyWorse = Proportion.of(40, 100); // 40 % [30.9 %, 49.8 %]
        assertThat(DisparityRule.separated(clearlyWorse, reference, 1.5)).isTrue();
        // Ten times the reference's rate, but 1 in 10 says little: [1.8 %, 40.4 %] overlaps 1.5 × 3.54 %.
        assertThat(DisparityRule.separated(Proportion.of(1, 10), reference, 1.5)).isFalse();
        // The factor is applied to the reference's upper bound: 30.9 % is above 8 × 3.54 % but not 9 ×.
        assertThat(DisparityRule.separated(clearlyWorse, reference, 8)).isTrue();
        assertThat(DisparityRule.separated(clearlyWorse, reference, 9)).isFalse();
        // The reference is never separated from itself.
        assertThat(DisparityRule.separated(reference, reference, 1)).isFalse();
    }

    @Test
    void estimatesTheGenuineCheckInsBothGroupsNeedForTheIntervalsToSeparate() {
        // 6 of 20 against 2 of 20 at factor 1.5: 30 % [14.5 %, 51.9 %] against 10 % [2.8 %, 30.1 %].
        Proportion group = Proportion.of(6, 20);
        Proportion reference = Proportion.of(2, 20);
        DisparityRule.Needed needed = DisparityRule.needed(group, reference, 1.5);
        assertThat(needed).isEqualTo(new DisparityRule.Needed(161, 141, 141, false));
        assertThat(Proportion.lower(0.3, 161)).isGreaterThan(1.5 * Proportion.upper(0.1, 161));
        assertThat(Proportion.lower(0.3, 160)).isLessThanOrEqualTo(1.5 * Proportion.upper(0.1, 160));
        // A reference that already has many check-ins needs none more; only the group does.
        DisparityRule.Needed bigReference = DisparityRule.needed(group, Proportion.of(100, 1000), 1.5);
        assertThat(bigReference.moreForReference()).isZero();
        assertThat(bigReference.moreForGroup()).isEqualTo(bigReference.n() - 20);
    }

    @Test
    void notDecidableWhenTheObservedRateIsWithinTheFactor() {
        Proportion reference = Proportion.of(10, 100);
        assertThat(DisparityRule.needed(Proportion.of(15, 100), reference, 1.5)).isNull(); // exactly 1.5 × 10 %
        assertThat(DisparityRule.needed(Proportion.of(12, 100), reference, 1.5)).isNull();
        assertThat(DisparityRule.needed(Proportion.of(0, 100), Proportion.of(0, 100), 1.5)).isNull();
        assertThat(DisparityRule.needed(Proportion.of(16, 100), reference, 1.5)).isNotNull();
    }

    @Test
    void theSearchStopsAtTheCapAndSaysSo() {
        // 15.01 % against 1.5 × 10 % = 15 %: decidable in principle, after some 10^8 check-ins.
        DisparityRule.Needed needed = DisparityRule.needed(Proportion.of(1501, 10_000), Proportion.of(1000, 10_000), 1.5);
        assertThat(needed).isEqualTo(new DisparityRule.Needed(DisparityRule.NEEDED_CAP, DisparityRule.NEEDED_CAP - 10_000,
                DisparityRule.NEEDED_CAP - 10_000, true));
    }

    @Test
    void theEstimateMatchesABruteForceSearchOverManyCases() {
        int compared = 0;
        for (long ng : new long[] {3, 10, 20, 60, 150}) {
            for (long nr : new long[] {5, 20, 80, 400}) {
                for (long xg = 0; xg <= ng; xg += Math.max(1, ng / 6)) {
                    for (long xr = 0; xr <= nr / 2; xr += Math.max(1, nr / 10)) {
                        for (double factor : new double[] {1, 1.25, 1.5, 2, 3}) {
                            Proportion g = Proportion.of(xg, ng);
                            Proportion r = Proportion.of(xr, nr);
                            if (DisparityRule.separated(g, r, factor)) {
                                continue; // the report gives these the warning, not an estimate
                            }
                            DisparityRule.Needed estimate = DisparityRule.needed(g, r, factor, BRUTE_CAP);
                            long brute = bruteForce(g, r, factor);
                            if (g.rate() <= factor * r.rate()) {
                                assertThat(estimate).isNull();
                                assertThat(brute).as("no n separates %s and %s at %s", g, r, factor).isEqualTo(-1);
                                continue;
                            }
                            String what = g + " vs " + r + " at " + factor;
                            if (brute < 0) {
                                assertThat(estimate.exceedsCap()).as(what).isTrue();
                                assertThat(estimate.n()).as(what).isEqualTo(BRUTE_CAP);
                            } else {
                                assertThat(estimate.exceedsCap()).as(what).isFalse();
                                assertThat(estimate.n()).as(what).isEqualTo(brute);
                                assertThat(estimate.moreForGroup()).as(what).isEqualTo(Math.max(0, brute - ng));
                                assertThat(estimate.moreForReference()).as(what).isEqualTo(Math.max(0, brute - nr));
                                // Monotone in n: once separated, separated for every larger n.
                                for (long n = brute; n <= Math.min(BRUTE_CAP, brute * 3); n++) {
                                    assertThat(separatesAt(n, g, r, factor)).as(what + " at n=" + n).isTrue();
                                }
                            }
                            compared++;
                        }
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(300);
    }

    @Test
    void fewerCheckInsAreNeededTheWorseTheGroupAndMoreTheLargerTheFactor() {
        Proportion reference = Proportion.of(4, 50);
        long previous = Long.MAX_VALUE;
        for (long x = 7; x <= 40; x++) {
            DisparityRule.Needed needed = DisparityRule.needed(Proportion.of(x, 40), reference, 1.5);
            if (needed == null) {
                continue;
            }
            assertThat(needed.n()).as("%d of 40", x).isLessThanOrEqualTo(previous);
            previous = needed.n();
        }
        previous = 0;
        for (double factor = 1; factor <= 3.5; factor += 0.25) {
            DisparityRule.Needed needed = DisparityRule.needed(Proportion.of(12, 40), reference, factor);
            assertThat(needed).as("factor %s", factor).isNotNull();
            assertThat(needed.n()).as("factor %s", factor).isGreaterThanOrEqualTo(previous);
            previous = needed.n();
        }
    }

    @Test
    void refusesAFactorBelowOne() {
        assertThatThrownBy(() -> DisparityRule.needed(Proportion.of(1, 2), Proportion.of(0, 2), 0.9))
                .hasMessage("warning factor must be a finite number of at least 1, got 0.9");
        assertThatThrownBy(() -> DisparityRule.needed(Proportion.of(1, 2), Proportion.of(0, 2), Double.NaN))
                .hasMessageContaining("got NaN");
    }

    /** The definition, scanned one n at a time from where both groups are: -1 when nothing up to the cap separates them. */
    private static long bruteForce(Proportion g, Proportion r, double factor) {
        for (long n = Math.min(g.denominator(), r.denominator()); n <= BRUTE_CAP; n++) {
            if (separatesAt(n, g, r, factor)) {
                return n;
            }
        }
        return -1;
    }

    private static boolean separatesAt(long n, Proportion g, Proportion r, double factor) {
        return Proportion.lower(g.rate(), Math.max(n, g.denominator())) > factor * Proportion.upper(r.rate(), Math.max(n, r.denominator()));
    }
}
