package io.sentinel.rules.config;

import java.time.Duration;

import io.sentinel.rules.domain.breach.BreachPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Tunables of rules-svc: the default dwell/hysteresis policy and alert escalation. */
@ConfigMapping(prefix = "sentinel.rules")
public interface RulesConfig {

    Breach breach();

    Escalation escalation();

    /** Dwell and hysteresis applied to every zone and curfew condition. */
    interface Breach {
        /** Certain-breach evidence must span this long before an alert opens. */
        @WithDefault("PT2M")
        Duration openAfter();

        /** ...and hold at least this many fixes. */
        @WithDefault("3")
        int openAfterFixes();

        /** Certain-satisfied evidence must span this long before the alert closes itself. */
        @WithDefault("PT1M")
        Duration clearAfter();

        @WithDefault("2")
        int clearAfterFixes();

        default BreachPolicy policy() {
            return new BreachPolicy(openAfter(), openAfterFixes(), clearAfter(), clearAfterFixes());
        }
    }

    /** Escalation of alerts nobody acknowledged. */
    interface Escalation {
        /** An OPEN alert older than this escalates. */
        @WithDefault("PT15M")
        Duration after();

        /** How often the escalation job runs (a scheduler interval, or "off"). */
        @WithDefault("30s")
        String every();
    }

    CurfewClock curfewClock();

    /**
     * An evaluation transaction slower than this is logged (WARN) with the time of each phase, so
     * an on-call engineer can tell lock waits from database or alert-writing time.
     */
    @WithDefault("250ms")
    Duration slowEvaluation();

    /** How often this replica takes up conditions another replica stored (a scheduler interval, or "off"). */
    @WithDefault("5s")
    String conditionsRefresh();

    /** The job that closes curfew breaches when a curfew ends without a fix arriving. */
    interface CurfewClock {
        @WithDefault("30s")
        String every();
    }
}
