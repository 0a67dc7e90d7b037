package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * Invariants of {@link AdaptiveConcurrencyLimiter} over generated event sequences: acquires, releases
 * with every outcome, answers from a simulated function whose capacity changes, and clock advances.
 */
class AdaptiveLimiterPropertiesTest {

    private static final int EXAMPLES = 1_000;

    @Test
    void inFlightNeverExceedsTheLimitWhenAPermitIsGranted() {
        qt().withExamples(EXAMPLES).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            for (ScenarioRun.Step step : ScenarioRun.of(scenario).steps()) {
                for (ScenarioRun.Attempt a : step.attempts()) {
                    assertEquals(a.inFlightBefore() < a.limitBefore(), a.granted(),
                            () -> "granted must mean in-flight was below the limit: " + a + " in " + step);
                    if (a.granted()) {
                        assertTrue(a.inFlightAfter() <= a.limitBefore(), () -> "a grant took in-flight above the limit: " + a);
                    }
                }
            }
        });
    }

    @Test
    void inFlightAboveTheLimitIsOnlyEverCallsGrantedBeforeTheLimitFell() {
        qt().withExamples(EXAMPLES).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            int limitAtLastGrant = Integer.MAX_VALUE;
            for (ScenarioRun.Step step : ScenarioRun.of(scenario).steps()) {
                for (ScenarioRun.Attempt a : step.attempts()) {
                    if (a.granted()) limitAtLastGrant = a.limitBefore();
                }
                int bound = limitAtLastGrant;
                assertTrue(step.inFlightAfter() <= Math.max(step.limitAfter(), bound),
                        () -> "in-flight " + step.inFlightAfter() + " exceeds both the limit " + step.limitAfter()
                                + " and the limit at the last grant " + bound + " after " + step.event());
            }
        });
    }

    @Test
    void theLimitStaysWithinMinAndMax() {
        qt().withExamples(EXAMPLES).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            LimiterConfig c = scenario.config();
            for (ScenarioRun.Step step : ScenarioRun.of(scenario).steps()) {
                assertTrue(step.limitAfter() >= c.min() && step.limitAfter() <= c.max(),
                        () -> "limit " + step.limitAfter() + " outside [" + c.min() + ", " + c.max() + "] after " + step.event());
            }
        });
    }

    @Test
    void a429NeverRaisesTheLimit() {
        qt().withExamples(EXAMPLES).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            for (ScenarioRun.Step step : ScenarioRun.of(scenario).steps()) {
                if (step.released() == Outcome.REJECTED) {
                    assertTrue(step.limitAfter() <= step.limitBefore(),
                            () -> "a 429 raised the limit " + step.limitBefore() + " -> " + step.limitAfter());
                }
            }
        });
    }

    @Test
    void aRunOfSuccessesNeverLowersTheLimit() {
        qt().withExamples(EXAMPLES).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            ScenarioRun run = ScenarioRun.of(scenario);
            // Then a long run of nothing but successes: the limit may only climb.
            int previous = run.limiter().limit();
            for (int round = 0; round < 50; round++) {
                run.apply(new LimiterEvent.Acquire(previous));
                while (run.held() > 0) {
                    run.apply(new LimiterEvent.Release(0, Outcome.SUCCESS));
                }
                int now = run.limiter().limit();
                assertTrue(now >= previous, "the limit fell from " + previous + " to " + now + " during successes");
                previous = now;
            }
            for (ScenarioRun.Step step : run.steps()) {
                if (step.released() == Outcome.SUCCESS) {
                    assertTrue(step.limitAfter() >= step.limitBefore(),
                            () -> "a success lowered the limit " + step.limitBefore() + " -> " + step.limitAfter());
                }
            }
        });
    }

    @Test
    void onlyA429EverLowersTheLimit() {
        qt().withExamples(EXAMPLES).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            for (ScenarioRun.Step step : ScenarioRun.of(scenario).steps()) {
                if (step.released() != Outcome.REJECTED) {
                    assertTrue(step.limitAfter() >= step.limitBefore(),
                            () -> step.event() + " (" + step.released() + ") lowered the limit "
                                    + step.limitBefore() + " -> " + step.limitAfter());
                }
            }
        });
    }

    @Test
    void failedCallsAndIgnoredPermitsNeverMoveTheLimit() {
        qt().withExamples(EXAMPLES).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            for (ScenarioRun.Step step : ScenarioRun.of(scenario).steps()) {
                if (step.released() == Outcome.FAILED || step.released() == Outcome.IGNORED) {
                    assertEquals(step.limitBefore(), step.limitAfter(), () -> step.released() + " moved the limit");
                }
            }
        });
    }

    /** A scenario run by a worker that never has more than {@code calls} calls to run. */
    record Workload(Scenario scenario, int calls) {
        @Override
        public String toString() {
            return scenario + "; the worker never runs more than " + calls + " calls";
        }
    }

    @Test
    void theLimitNeverGrowsBeyondTwiceThePeakInFlightPlusOne() {
        qt().withExamples(EXAMPLES)
                .forAll(Scenario.scenarios().zip(integers().between(1, 40), Workload::new))
                .checkAssert(workload -> {
                    Scenario scenario = workload.scenario();
                    FakeTicker ticker = new FakeTicker();
                    ScenarioRun run = new ScenarioRun(scenario.config().build(ticker), ticker).withWorkFor(workload.calls());
                    for (LimiterEvent event : scenario.events()) {
                        ScenarioRun.Step step = run.apply(event);
                        int peak = run.peakInFlight();
                        int bound = Math.max(scenario.config().initial(), 2 * peak + 1);
                        assertTrue(step.limitAfter() <= bound, () -> "limit " + step.limitAfter()
                                + " grew past max(initial, 2 x peak in-flight " + peak + " + 1) after " + event);
                    }
                });
    }

    @Test
    void noPermitIsLeakedWhenAllWorkIsDoneInFlightIsZero() {
        qt().withExamples(EXAMPLES).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            ScenarioRun run = ScenarioRun.of(scenario).finishAll();
            assertEquals(0, run.limiter().inFlight(), "permits still counted in flight with no call running");
        });
    }

    @Test
    void theSameEventsOnTheSameClockAlwaysGiveTheSameLimits() {
        qt().withExamples(200).forAll(Scenario.scenarios()).checkAssert(scenario -> {
            List<Integer> first = ScenarioRun.of(scenario).steps().stream().map(ScenarioRun.Step::limitAfter).toList();
            List<Integer> second = ScenarioRun.of(scenario).steps().stream().map(ScenarioRun.Step::limitAfter).toList();
            assertEquals(first, second, "decisions must depend only on the events and the injected ticker");
        });
    }

    @Test
    void anOverloadsBurstOf429sCutsTheLimitOnceToTheMarginBelowTheCapacityItShowed() {
        // One round trip above capacity C: calls 1..C succeed, the rest come back 429 in any order,
        // interleaved with the successes. However many 429s there are, the limit ends at the margin
        // below C, not at a cut per 429.
        qt().withExamples(EXAMPLES)
                .forAll(Scenario.configs(), integers().between(0, 6), integers().between(0, 100),
                        RoundTripSimulation.Returns.any())
                .checkAssert((config, growRounds, percentOfLimit, returns) -> {
                    FakeTicker ticker = new FakeTicker();
                    AdaptiveConcurrencyLimiter limiter = config.build(ticker);
                    RoundTripSimulation sim = new RoundTripSimulation(limiter, ticker, returns, Duration.ofMillis(100));
                    sim.run(growRounds, Integer.MAX_VALUE);
                    int limit = limiter.limit();
                    int capacity = limit * percentOfLimit / 100;
                    if (capacity >= limit) return;
                    RoundTripSimulation.Round overload = sim.round(capacity);
                    int evidence = Math.max(config.min(), capacity);
                    int expected = Math.max(config.min(), evidence * (100 - config.marginPercent()) / 100);
                    assertEquals(expected, limiter.limit(), () -> "after " + overload + ", " + returns);
                });
    }
}
