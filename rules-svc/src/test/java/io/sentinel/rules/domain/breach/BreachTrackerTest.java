package io.sentinel.rules.domain.breach;

import static io.sentinel.rules.domain.breach.Assessment.BREACHED;
import static io.sentinel.rules.domain.breach.Assessment.SATISFIED;
import static io.sentinel.rules.domain.breach.Assessment.UNCERTAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;

import io.sentinel.rules.domain.breach.BreachEvent.CloseReason;
import io.sentinel.rules.domain.breach.BreachEvent.Closed;
import io.sentinel.rules.domain.breach.BreachEvent.Opened;
import io.sentinel.rules.domain.breach.BreachState.Phase;
import io.sentinel.rules.domain.breach.BreachTracker.Effect;
import org.junit.jupiter.api.Test;

class BreachTrackerTest {

    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    /** Open after 2 min and 3 fixes; close after 1 min and 2 fixes. */
    private static final BreachPolicy POLICY = BreachPolicy.standard();

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static Optional<BreachEvent> feed(BreachTracker t, int seconds, Assessment a) {
        return t.observe(new Observation(at(seconds), a, false)).event();
    }

    @Test
    void opensOnlyAfterBothTheDwellTimeAndTheFixCount() {
        BreachTracker t = new BreachTracker(POLICY);
        assertEquals(Optional.empty(), feed(t, 0, BREACHED));
        assertEquals(Optional.empty(), feed(t, 30, BREACHED));
        assertEquals(Optional.empty(), feed(t, 60, BREACHED), "three fixes but only 60 s");
        assertEquals(Phase.PENDING, t.phase());
        Opened opened = assertInstanceOf(Opened.class, feed(t, 120, BREACHED).orElseThrow());
        assertEquals(new Opened(at(0), at(120), 4), opened);
        assertTrue(t.isOpen());

        BreachTracker sparse = new BreachTracker(POLICY);
        feed(sparse, 0, BREACHED);
        assertEquals(Optional.empty(), feed(sparse, 600, BREACHED), "ten minutes but only two fixes");
        assertTrue(feed(sparse, 601, BREACHED).isPresent());
    }

    @Test
    void uncertainFixesNeverOpenAnAlert() {
        BreachTracker t = new BreachTracker(POLICY);
        for (int s = 0; s < 3600; s += 30) {
            assertEquals(Effect.NO_EVIDENCE, t.observe(new Observation(at(s), UNCERTAIN, false)).effect());
        }
        assertEquals(Phase.CLEAR, t.phase());
    }

    @Test
    void implausibleFixesNeverOpenAnAlert() {
        BreachTracker t = new BreachTracker(POLICY);
        for (int s = 0; s < 3600; s += 30) {
            assertEquals(Effect.IGNORED_FLAGGED, t.observe(new Observation(at(s), BREACHED, true)).effect());
        }
        assertEquals(Phase.CLEAR, t.phase());
    }

    @Test
    void flaggedFixesAreSkippedButAnUncertainFixBreaksTheRunOfConsecutiveFixes() {
        BreachTracker t = new BreachTracker(POLICY);
        feed(t, 0, BREACHED);
        feed(t, 30, BREACHED);
        t.observe(new Observation(at(45), SATISFIED, true));
        feed(t, 60, BREACHED);
        assertEquals(Optional.empty(), feed(t, 90, UNCERTAIN));
        assertEquals(Optional.empty(), feed(t, 130, BREACHED), "past 2 min, but only one fix since the uncertain one");
        assertEquals(Optional.empty(), feed(t, 140, BREACHED));
        assertEquals(new Opened(at(0), at(150), 6), feed(t, 150, BREACHED).orElseThrow(),
                "the uncertain fix did not restart the dwell clock");
    }

    @Test
    void anUncertainFixBreaksTheRunOfClearingFixes() {
        BreachTracker t = new BreachTracker(new BreachPolicy(Duration.ZERO, 1, Duration.ZERO, 3));
        feed(t, 0, BREACHED);
        feed(t, 10, SATISFIED);
        feed(t, 20, SATISFIED);
        feed(t, 30, UNCERTAIN);
        assertEquals(Optional.empty(), feed(t, 40, SATISFIED));
        assertEquals(Optional.empty(), feed(t, 50, SATISFIED));
        assertEquals(new Closed(at(0), at(0), at(10), at(60), CloseReason.SATISFIED), feed(t, 60, SATISFIED).orElseThrow());
    }

    @Test
    void strayCertainFixesAmongUncertainOnesNeverOpenAnAlert() {
        BreachTracker t = new BreachTracker(POLICY);
        for (int s = 0; s < 4 * 3600; s += 20) {
            assertEquals(Optional.empty(), feed(t, s, (s / 20) % 2 == 0 ? BREACHED : UNCERTAIN));
        }
        assertFalse(t.isOpen());
    }

    @Test
    void aCertainlySatisfiedFixRestartsThePendingStreak() {
        BreachTracker t = new BreachTracker(POLICY);
        feed(t, 0, BREACHED);
        feed(t, 60, BREACHED);
        assertEquals(Effect.SATISFIED_EVIDENCE, t.observe(new Observation(at(90), SATISFIED, false)).effect());
        assertEquals(Phase.CLEAR, t.phase());
        feed(t, 100, BREACHED);
        feed(t, 160, BREACHED);
        assertEquals(Optional.empty(), feed(t, 200, BREACHED), "the old streak's 0 s start no longer counts");
        assertEquals(new Opened(at(100), at(220), 4), feed(t, 220, BREACHED).orElseThrow());
    }

    @Test
    void closesAfterTheClearingDwellAndRecordsHowLongTheBreachLasted() {
        BreachTracker t = new BreachTracker(POLICY);
        for (int s = 0; s <= 120; s += 40) {
            feed(t, s, BREACHED);
        }
        assertTrue(t.isOpen());
        for (int s = 160; s <= 900; s += 40) {
            assertEquals(Optional.empty(), feed(t, s, BREACHED), "one alert while the breach lasts");
        }
        assertEquals(Optional.empty(), feed(t, 940, SATISFIED));
        assertEquals(Phase.CLEARING, t.phase());
        assertEquals(Optional.empty(), feed(t, 980, SATISFIED), "two fixes but 40 s");
        Closed closed = assertInstanceOf(Closed.class, feed(t, 1000, SATISFIED).orElseThrow());
        assertEquals(new Closed(at(0), at(120), at(940), at(1000), CloseReason.SATISFIED), closed);
        assertEquals(Duration.ofSeconds(940), closed.duration());
        assertEquals(Phase.CLEAR, t.phase());
    }

    @Test
    void aBreachDuringClearingKeepsTheAlertOpen() {
        BreachTracker t = new BreachTracker(new BreachPolicy(Duration.ZERO, 1, Duration.ofMinutes(1), 2));
        assertEquals(new Opened(at(0), at(0), 1), feed(t, 0, BREACHED).orElseThrow());
        feed(t, 30, SATISFIED);
        feed(t, 60, BREACHED);
        assertEquals(Phase.OPEN, t.phase());
        feed(t, 90, SATISFIED);
        assertEquals(Optional.empty(), feed(t, 120, SATISFIED), "the clearing streak restarted at 90 s");
        assertEquals(new Closed(at(0), at(0), at(90), at(150), CloseReason.SATISFIED), feed(t, 150, SATISFIED).orElseThrow());
    }

    @Test
    void alternatingSidesNeverOpensAnAlert() {
        // Along a fence line a naive rule would alert on every outside fix and clear on every inside one.
        BreachTracker t = new BreachTracker(POLICY);
        for (int s = 0; s < 4 * 3600; s += 20) {
            assertEquals(Optional.empty(), feed(t, s, (s / 20) % 2 == 0 ? BREACHED : SATISFIED));
        }
        assertFalse(t.isOpen());
    }

    @Test
    void alternatingSidesNeverClosesAnOpenAlert() {
        BreachTracker t = new BreachTracker(POLICY);
        for (int s = 0; s <= 120; s += 40) {
            feed(t, s, BREACHED);
        }
        assertTrue(t.isOpen());
        for (int s = 140; s < 4 * 3600; s += 20) {
            assertEquals(Optional.empty(), feed(t, s, (s / 20) % 2 == 0 ? SATISFIED : BREACHED));
        }
        assertTrue(t.isOpen());
    }

    @Test
    void lateDuplicateAndOutOfOrderObservationsAreIgnored() {
        BreachTracker t = new BreachTracker(POLICY);
        feed(t, 0, BREACHED);
        feed(t, 60, BREACHED);
        assertEquals(Effect.IGNORED_OUT_OF_ORDER, t.observe(new Observation(at(60), BREACHED, false)).effect(),
                "a duplicate must not count twice");
        assertEquals(Effect.IGNORED_OUT_OF_ORDER, t.observe(new Observation(at(30), SATISFIED, false)).effect(),
                "a late fix must not undo the streak");
        assertEquals(Optional.empty(), feed(t, 119, BREACHED));
        assertTrue(feed(t, 120, BREACHED).isPresent());
    }

    @Test
    void aFlaggedFixWithAFutureClockDoesNotBlockLaterFixes() {
        BreachTracker t = new BreachTracker(POLICY);
        t.observe(new Observation(at(86_400), BREACHED, true));
        assertEquals(Effect.BREACH_EVIDENCE, t.observe(new Observation(at(10), BREACHED, false)).effect());
    }

    @Test
    void conditionEndingClosesAnOpenAlertAtOnce() {
        BreachTracker t = new BreachTracker(POLICY);
        for (int s = 0; s <= 120; s += 40) {
            feed(t, s, BREACHED);
        }
        assertEquals(Optional.of(new Closed(at(0), at(120), at(300), at(300), CloseReason.CONDITION_ENDED)),
                t.conditionEnded(at(300)));
        assertEquals(Phase.CLEAR, t.phase());
        assertEquals(Effect.IGNORED_OUT_OF_ORDER, t.observe(new Observation(at(299), BREACHED, false)).effect());

        BreachTracker clearing = new BreachTracker(POLICY);
        for (int s = 0; s <= 120; s += 40) {
            feed(clearing, s, BREACHED);
        }
        feed(clearing, 200, SATISFIED);
        assertEquals(Optional.of(new Closed(at(0), at(120), at(200), at(220), CloseReason.CONDITION_ENDED)),
                clearing.conditionEnded(at(220)), "the breach ended at the first satisfied fix");

        BreachTracker pending = new BreachTracker(POLICY);
        feed(pending, 0, BREACHED);
        assertEquals(Optional.empty(), pending.conditionEnded(at(10)));
        assertEquals(Phase.CLEAR, pending.phase());
    }

    @Test
    void resumesFromASnapshotWithTheSameBehaviour() {
        BreachTracker original = new BreachTracker(POLICY);
        feed(original, 0, BREACHED);
        feed(original, 60, BREACHED);
        BreachTracker copy = BreachTracker.restore(POLICY, original.state());
        assertEquals(original.state(), copy.state());
        assertEquals(feed(original, 120, BREACHED), feed(copy, 120, BREACHED));
        assertEquals(original.state(), copy.state());
        assertEquals(Effect.IGNORED_OUT_OF_ORDER, copy.observe(new Observation(at(100), BREACHED, false)).effect());
    }

    @Test
    void rejectsInconsistentSnapshots() {
        assertEquals("breachStartedAt/openedAt: inconsistent with phase OPEN", assertThrows(IllegalArgumentException.class,
                () -> new BreachState(Phase.OPEN, at(0), null, 0, 0, null, null)).getMessage());
        assertEquals("streakStartedAt/streakFixes: inconsistent with phase PENDING", assertThrows(IllegalArgumentException.class,
                () -> new BreachState(Phase.PENDING, at(0), at(0), 0, 0, null, null)).getMessage());
        assertEquals("lastAcceptedAt: is missing for phase PENDING", assertThrows(IllegalArgumentException.class,
                () -> new BreachState(Phase.PENDING, null, at(0), 1, 1, null, null)).getMessage());
    }

    @Test
    void rejectsConsecutiveCountBeyondTheStreak() {
        assertEquals("consecutiveFixes: 3 out of range [0, 2]", assertThrows(IllegalArgumentException.class,
                () -> new BreachState(Phase.PENDING, at(0), at(0), 2, 3, null, null)).getMessage());
    }

    @Test
    void rejectsPoliciesOutOfRangeNamingTheField() {
        assertEquals("openAfterFixes: 0 out of range [1, 1000]", assertThrows(IllegalArgumentException.class,
                () -> new BreachPolicy(Duration.ZERO, 0, Duration.ZERO, 1)).getMessage());
        assertEquals("clearAfter: PT-1S out of range [PT0S, PT24H]", assertThrows(IllegalArgumentException.class,
                () -> new BreachPolicy(Duration.ZERO, 1, Duration.ofSeconds(-1), 1)).getMessage());
        assertEquals("openAfter: is missing", assertThrows(IllegalArgumentException.class,
                () -> new BreachPolicy(null, 1, Duration.ZERO, 1)).getMessage());
        assertEquals("clearAfterFixes: 1001 out of range [1, 1000]", assertThrows(IllegalArgumentException.class,
                () -> new BreachPolicy(Duration.ZERO, 1, Duration.ZERO, 1001)).getMessage());
    }

    @Test
    void neverHasTwoOpenAlertsAndEveryCloseMatchesAnOpen() {
        Random rnd = new Random(8);
        for (int run = 0; run < 200; run++) {
            BreachPolicy policy = new BreachPolicy(Duration.ofSeconds(rnd.nextInt(300)), 1 + rnd.nextInt(5),
                    Duration.ofSeconds(rnd.nextInt(300)), 1 + rnd.nextInt(5));
            BreachTracker t = new BreachTracker(policy);
            Opened open = null;
            int s = 0;
            for (int i = 0; i < 500; i++) {
                s += rnd.nextInt(5) == 0 ? -rnd.nextInt(60) : 1 + rnd.nextInt(60);
                Assessment a = Assessment.values()[rnd.nextInt(3)];
                Optional<BreachEvent> e = t.observe(new Observation(at(s), a, rnd.nextInt(10) == 0)).event();
                if (e.isPresent() && e.get() instanceof Opened o) {
                    assertEquals(null, open, "a second alert opened while one was open");
                    assertFalse(o.openedAt().isBefore(o.breachStartedAt()));
                    assertTrue(Duration.between(o.breachStartedAt(), o.openedAt()).compareTo(policy.openAfter()) >= 0);
                    assertTrue(o.evidenceFixes() >= policy.openAfterFixes());
                    open = o;
                } else if (e.isPresent() && e.get() instanceof Closed c) {
                    assertEquals(open.breachStartedAt(), c.breachStartedAt());
                    assertEquals(open.openedAt(), c.openedAt());
                    assertFalse(c.duration().isNegative());
                    assertFalse(c.closedAt().isBefore(c.breachEndedAt()));
                    open = null;
                }
                assertEquals(open != null, t.isOpen());
            }
        }
    }
}
