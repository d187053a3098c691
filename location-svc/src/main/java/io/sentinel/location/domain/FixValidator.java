package io.sentinel.location.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Acceptance rules for a single fix and for a batch's size.
 *
 * <p>Time rules are measured against the fix's {@code receivedAt}, not the validator's clock, so a
 * replayed report gets the same verdict it got when it arrived. Whether the device is registered
 * and assigned needs the database and is left to the caller ({@link Violation#unknownDevice},
 * {@link Violation#unassignedDevice} give the wording).
 */
public final class FixValidator {

    /**
     * @param maxFutureSkew          how far device time may run ahead of receive time (clock drift)
     * @param maxAge                 how far behind receive time a fix may be (store-and-forward window)
     * @param maxBatchSize           most fixes accepted in one request
     * @param lowAccuracyMetres      accuracy radius above which a fix is flagged {@link FixFlag#LOW_ACCURACY}
     */
    public record Config(Duration maxFutureSkew, Duration maxAge, int maxBatchSize, double lowAccuracyMetres) {

        /**
         * 5 min future skew (the rule); 7 days of age, longer than a tag's on-board buffer
         * outlasts a weekend without coverage; 1,000 fixes per batch (a day at one fix every
         * 90 s); 100 m low-accuracy threshold (HDOP 20 × 5 m, the "poor" DOP rating; cell and
         * Wi-Fi fixes land above it: 199 of the 416 fixes in the trackintel Google sample do).
         */
        public static final Config DEFAULTS = new Config(Duration.ofMinutes(5), Duration.ofDays(7), 1000, 100.0);

        public Config {
            if (maxFutureSkew == null || maxFutureSkew.isNegative()) {
                throw new IllegalArgumentException("maxFutureSkew must be >= 0");
            }
            if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("maxAge must be > 0");
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1");
            }
            if (!(lowAccuracyMetres > 0) || Double.isInfinite(lowAccuracyMetres)) {
                throw new IllegalArgumentException("lowAccuracyMetres must be a positive finite number");
            }
        }
    }

    private final Config config;

    public FixValidator(Config config) {
        this.config = config;
    }

    public FixValidator() {
        this(Config.DEFAULTS);
    }

    public Config config() {
        return config;
    }

    /** The violation for a batch of {@code size} fixes, if it is too big. */
    public Optional<Violation> checkBatchSize(int size) {
        if (size > config.maxBatchSize()) {
            return Optional.of(new Violation("fixes",
                    "batch has " + size + " fixes (max " + config.maxBatchSize() + ")"));
        }
        return Optional.empty();
    }

    public FixValidation validate(FixReport fix) {
        List<Violation> violations = new ArrayList<>();
        if (fix.deviceId() == null || fix.deviceId().isBlank()) {
            violations.add(new Violation("device_id", "device_id is required"));
        }
        checkTimes(fix, violations);
        checkRange("latitude", fix.latitude(), -90, 90, violations);
        checkRange("longitude", fix.longitude(), -180, 180, violations);
        // Named as the contract names them (sentinel.location.v1.Fix), whatever protocol carried the fix.
        checkPositive("accuracy_metres", fix.accuracyMetres(), violations);
        if (fix.hdop() != null) {
            checkNonNegative("hdop", fix.hdop(), violations);
        }
        if (fix.speedMps() != null) {
            checkNonNegative("speed_mps", fix.speedMps(), violations);
        }
        if (fix.headingDegrees() != null) {
            // [0, 360): 360 is north again, written as 0; a device sending 360 encodes it wrongly.
            if (!Double.isNaN(fix.headingDegrees()) && fix.headingDegrees() >= 360) {
                violations.add(new Violation("heading_degrees", "heading_degrees must be within [0, 360), got " + fix.headingDegrees()));
            } else {
                checkRange("heading_degrees", fix.headingDegrees(), 0, 360, violations);
            }
        }
        if (fix.batteryPercent() != null && (fix.batteryPercent() < 0 || fix.batteryPercent() > 100)) {
            violations.add(new Violation("battery_percent",
                    "battery_percent must be within [0, 100], got " + fix.batteryPercent()));
        }
        Set<FixFlag> flags = EnumSet.noneOf(FixFlag.class);
        if (violations.isEmpty() && fix.accuracyMetres() > config.lowAccuracyMetres()) {
            flags.add(FixFlag.LOW_ACCURACY);
        }
        return new FixValidation(fix, violations, flags);
    }

    private void checkTimes(FixReport fix, List<Violation> violations) {
        if (fix.receivedAt() == null) {
            violations.add(new Violation("received_at", "received_at is required"));
        }
        if (fix.deviceTime() == null) {
            violations.add(new Violation("device_time", "device_time is required"));
            return;
        }
        if (fix.receivedAt() == null) {
            return;
        }
        Duration ahead = Duration.between(fix.receivedAt(), fix.deviceTime());
        if (ahead.compareTo(config.maxFutureSkew()) > 0) {
            violations.add(new Violation("device_time", "device_time is " + beyond(ahead, config.maxFutureSkew())
                    + " in the future (max " + human(config.maxFutureSkew()) + ")"));
        }
        Duration age = ahead.negated();
        if (age.compareTo(config.maxAge()) > 0) {
            violations.add(new Violation("device_time", "device_time is " + beyond(age, config.maxAge())
                    + " old (max " + human(config.maxAge()) + ")"));
        }
    }

    private static void checkRange(String field, double value, double min, double max, List<Violation> out) {
        if (Double.isNaN(value)) {
            out.add(new Violation(field, field + " is NaN"));
        } else if (value < min || value > max) {
            out.add(new Violation(field, field + " must be within [" + plain(min) + ", " + plain(max)
                    + "], got " + value));
        }
    }

    /** Greater than 0: an accuracy radius of 0 claims a perfect fix, which no receiver gives. */
    private static void checkPositive(String field, double value, List<Violation> out) {
        if (Double.isNaN(value)) {
            out.add(new Violation(field, field + " is NaN"));
        } else if (!(value > 0) || Double.isInfinite(value)) {
            out.add(new Violation(field, field + " must be a finite number > 0, got " + value));
        }
    }

    private static void checkNonNegative(String field, double value, List<Violation> out) {
        if (Double.isNaN(value)) {
            out.add(new Violation(field, field + " is NaN"));
        } else if (value < 0 || Double.isInfinite(value)) {
            out.add(new Violation(field, field + " must be a finite number >= 0, got " + value));
        }
    }

    private static String plain(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }

    /** {@link #human} unless that would print the same as the limit it exceeds. */
    private static String beyond(Duration value, Duration limit) {
        String text = human(value);
        if (text.equals(human(limit))) {
            return String.format(java.util.Locale.ROOT, "%.3f s", value.toMillis() / 1000.0);
        }
        return text;
    }

    /**
     * Two most significant units, truncated: "7 min", "7 min 30 s", "8 d 2 h", "450 ms". Truncation
     * cannot make an over-limit value print as the limit unless the excess is below the smaller unit.
     */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] names = {"d", "h", "min", "s"};
        StringBuilder out = new StringBuilder();
        int parts = 0;
        for (int i = 0; i < sizes.length && parts < 2; i++) {
            long n = ms / sizes[i];
            if (n > 0) {
                out.append(out.length() == 0 ? "" : " ").append(n).append(' ').append(names[i]);
                ms -= n * sizes[i];
                parts++;
            } else if (parts > 0) {
                break;
            }
        }
        return out.toString();
    }
}
