package io.sentinel.biometric.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ThresholdCalibrationTest {
    @Test
    void aZeroTargetPutsTheThresholdJustAboveTheHighestImpostor() {
        var r = ThresholdCalibration.calibrate(new double[] { 0.9, 0.7, 0.5, 0.3 }, new double[] { 0.1, 0.2, 0.4 }, 0);
        assertThat(r.threshold()).isGreaterThan(0.4).isLessThan(0.4000001);
        assertThat(r.fmr()).isZero();
        assertThat(r.fnmr()).isEqualTo(0.25);
    }

    @Test
    void allowsExactlyTheTargetShareOfImpostorsThrough() {
        double[] impostor = new double[100];
        for (int i = 0; i < 100; i++) {
            impostor[i] = i / 100.0;
        }
        var r = ThresholdCalibration.calibrate(new double[] { 0.95, 0.96, 0.975, 0.99 }, impostor, 0.03);
        assertThat(r.fmr()).isEqualTo(0.03);
        assertThat(r.threshold()).isGreaterThan(0.96).isLessThanOrEqualTo(0.97);
        assertThat(r.fnmr()).isEqualTo(0.5);
    }

    @Test
    void tiedImpostorScoresNeverPushTheFmrAboveTheTarget() {
        var r = ThresholdCalibration.calibrate(new double[] { 0.8 }, new double[] { 0.5, 0.5, 0.5, 0.1 }, 0.25);
        assertThat(r.fmr()).isZero();
        assertThat(r.threshold()).isGreaterThan(0.5);
    }

    @Test
    void separatedSyntheticDistributionsGiveTheExpectedErrorRates() {
        Random random = new Random(11);
        double[] genuine = new double[20000];
        double[] impostor = new double[20000];
        for (int i = 0; i < genuine.length; i++) {
            genuine[i] = 0.7 + 0.1 * random.nextGaussian();
            impostor[i] = 0.1 * random.nextGaussian();
        }
        var r = ThresholdCalibration.calibrate(genuine, impostor, 0.001);
        // Normal quantile at 0.999 is 3.09: threshold ~0.309; genuine below it ~ Phi(-3.91) ~ 0.00005.
        assertThat(r.threshold()).isCloseTo(0.309, within(0.02));
        assertThat(r.fmr()).isLessThanOrEqualTo(0.001);
        assertThat(r.fnmr()).isLessThan(0.001);
        assertThat(r.genuine()).isEqualTo(20000);
    }

    @Test
    void rejectsATargetOutsideZeroToOneAndEmptyScoreSets() {
        assertThatThrownBy(() -> ThresholdCalibration.calibrate(new double[] { 1 }, new double[] { 0 }, 1.0)).hasMessageContaining("target FMR");
        assertThatThrownBy(() -> ThresholdCalibration.calibrate(new double[] {}, new double[] { 0 }, 0.1)).hasMessageContaining("genuine");
        assertThatThrownBy(() -> ThresholdCalibration.calibrate(new double[] { 1 }, new double[] {}, 0.1)).hasMessageContaining("impostor");
    }
}
