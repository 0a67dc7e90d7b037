package dev.asyncqueue.limiter;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

/**
 * One replica with coordination configured and nobody else in its group keeps the single limiter's
 * claims ({@link CapacitySimulationPropertiesTest}), checked the same way: against a function of
 * capacity C (1 to 200), a round trip at a time ({@link RoundTripSimulation}), every order in which a
 * round's calls can come back. The band is {@code [max(1, floor(0.9 C)), C + 1]}.
 */
class LoneMemberPropertiesTest {

    private static final Duration ROUND_TRIP = Duration.ofMillis(100);
    private static final int LONG_RUN = 2_000;

    private static RoundTripSimulation simulation(RoundTripSimulation.Returns returns) {
        FakeTicker ticker = new FakeTicker();
        AdaptiveConcurrencyLimiter lone = AdaptiveConcurrencyLimiter.builder().name("sleep").ticker(ticker)
                .coordination(LocalLimiterCoordination.board(ticker, Duration.ofSeconds(3), Duration.ZERO).replica("alone"))
                .build();
        return new RoundTripSimulation(lone, ticker, returns, ROUND_TRIP);
    }

    @Test
    void theLimitSettlesInTheBandWithinTwoLog2CPlusTwoRoundTripsAndStaysThere() {
        qt().withExamples(200).forAll(CapacitySimulationPropertiesTest.SimulatedFunction.any()).checkAssert(function -> {
            int capacity = function.capacity();
            int settle = CapacitySimulationPropertiesTest.settleRounds(capacity);
            List<RoundTripSimulation.Round> rounds = simulation(function.returns()).run(600, capacity).rounds();
            for (RoundTripSimulation.Round r : rounds.subList(settle, rounds.size())) {
                assertTrue(r.limit() >= CapacitySimulationPropertiesTest.bandLow(capacity)
                        && r.limit() <= CapacitySimulationPropertiesTest.bandHigh(capacity),
                        () -> r + ": outside the band after " + settle + " round trips");
            }
        });
    }

    @Test
    void fewerThanTwoPercentOfCallsAreRefusedOverALongRun() {
        qt().withExamples(100).forAll(CapacitySimulationPropertiesTest.SimulatedFunction.any()).checkAssert(function -> {
            RoundTripSimulation sim = simulation(function.returns()).run(LONG_RUN, function.capacity());
            assertTrue(sim.rejectedShare() < 0.02, () -> sim.rejected() + " of " + sim.calls() + " calls refused over "
                    + LONG_RUN + " round trips");
        });
    }

    @Test
    void afterACapacityStepTheLimitReSettlesWithinTheSingleLimitersBound() {
        qt().withExamples(300).forAll(CapacitySimulationPropertiesTest.Step.any()).checkAssert(step -> {
            RoundTripSimulation sim = simulation(step.returns())
                    .run(CapacitySimulationPropertiesTest.settleRounds(step.from()) + step.extraRounds(), step.from());
            int stepAt = sim.rounds().size();
            List<RoundTripSimulation.Round> after = sim.run(300, step.to()).rounds().subList(stepAt, stepAt + 300);
            int bound = CapacitySimulationPropertiesTest.reSettleRounds(step.from(), step.to());
            for (RoundTripSimulation.Round r : after.subList(bound, after.size())) {
                assertTrue(r.limit() >= CapacitySimulationPropertiesTest.bandLow(step.to())
                        && r.limit() <= CapacitySimulationPropertiesTest.bandHigh(step.to()),
                        () -> r + ": outside the band " + (r.index() - stepAt) + " round trips after the step, bound " + bound);
            }
        });
    }
}
