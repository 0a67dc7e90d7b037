package dev.asyncqueue.limiter;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * The default {@link AdaptiveConcurrencyLimiter} against a simulated function of capacity C (1 to 200),
 * one round trip at a time with a backlog always waiting ({@link RoundTripSimulation}); every order in
 * which a round's calls can come back is generated.
 *
 * <p>What is claimed, with the margin at its default 10 %:
 * <ul>
 *   <li>the <b>band</b> of capacity C is {@code [max(1, floor(0.9 C)), C + 1]}: below by at most the
 *   safety margin, above by at most the one call of a probe;</li>
 *   <li>from startup the limit is in the band after {@code 2 ceil(log2(C + 1)) + 2} round trips and stays
 *   there;</li>
 *   <li>over 2,000 round trips, startup included, fewer than 2 % of calls are refused;</li>
 *   <li>after the capacity steps from C1 to C2 the limit is back in C2's band, for good, within
 *   {@code ceil(100 / (floor(min(C1, C2) / 2) + 1)) + 2 ceil(log2(max(C1, C2) + 1)) + 4} round trips:
 *   the first term is the longest wait before a probe (100 successful calls at the estimated capacity,
 *   of which a round trip at limit L counts floor(L / 2) + 1), the second the doubling climb and the
 *   recovery after the cut. A fall usually takes one round trip: the first one at the lower capacity
 *   shows it.</li>
 * </ul>
 */
class CapacitySimulationPropertiesTest {

    private static final Duration ROUND_TRIP = Duration.ofMillis(100);
    private static final int MAX_CAPACITY = 200;
    private static final int LONG_RUN = 2_000;
    private static final double MAX_REJECTED_SHARE = 0.02;

    static int bandLow(int capacity) {
        return Math.max(1, capacity * (100 - AdaptiveConcurrencyLimiter.DEFAULT_MARGIN_PERCENT) / 100);
    }

    static int bandHigh(int capacity) {
        return capacity + 1;
    }

    static int settleRounds(int capacity) {
        return 2 * ceilLog2(capacity + 1) + 2;
    }

    static int reSettleRounds(int from, int to) {
        int probeWait = (AdaptiveConcurrencyLimiter.DEFAULT_PROBE_MAX_CALLS + Math.min(from, to) / 2)
                / (Math.min(from, to) / 2 + 1);
        return probeWait + 2 * ceilLog2(Math.max(from, to) + 1) + 4;
    }

    private static int ceilLog2(int x) {
        return 32 - Integer.numberOfLeadingZeros(x - 1);
    }

    private static RoundTripSimulation simulation(RoundTripSimulation.Returns returns) {
        FakeTicker ticker = new FakeTicker();
        return new RoundTripSimulation(LimiterConfig.defaults().build(ticker), ticker, returns, ROUND_TRIP);
    }

    /** A function of fixed capacity and the order its answers come back in. */
    record SimulatedFunction(int capacity, RoundTripSimulation.Returns returns) {
        static Gen<SimulatedFunction> any() {
            return integers().between(1, MAX_CAPACITY).zip(RoundTripSimulation.Returns.any(), SimulatedFunction::new);
        }

        @Override
        public String toString() {
            return "capacity " + capacity + ", " + returns;
        }
    }

    /** A function whose capacity steps once, after it has settled and run a while longer. */
    record Step(int from, int to, int extraRounds, RoundTripSimulation.Returns returns) {
        static Gen<Step> any() {
            return integers().between(1, MAX_CAPACITY).zip(integers().between(1, MAX_CAPACITY),
                    integers().between(0, 300), RoundTripSimulation.Returns.any(), Step::new);
        }

        @Override
        public String toString() {
            return "capacity " + from + " for " + (settleRounds(from) + extraRounds) + " round trips, then " + to
                    + ", " + returns;
        }
    }

    @Test
    void theLimitSettlesBetweenTenPercentBelowCapacityAndOneAboveItWithinTwoLog2CPlusTwoRoundTrips() {
        qt().withExamples(200).forAll(SimulatedFunction.any()).checkAssert(function -> {
            int capacity = function.capacity();
            List<RoundTripSimulation.Round> rounds = simulation(function.returns()).run(600, capacity).rounds();
            for (RoundTripSimulation.Round r : rounds.subList(settleRounds(capacity), rounds.size())) {
                assertTrue(r.limit() >= bandLow(capacity) && r.limit() <= bandHigh(capacity),
                        () -> r + ": outside [" + bandLow(capacity) + ", " + bandHigh(capacity) + "] after "
                                + settleRounds(capacity) + " round trips");
            }
        });
    }

    @Test
    void fewerThanTwoPercentOfCallsAreRefusedOverALongRun() {
        qt().withExamples(100).forAll(SimulatedFunction.any()).checkAssert(function -> {
            RoundTripSimulation sim = simulation(function.returns()).run(LONG_RUN, function.capacity());
            assertTrue(sim.rejectedShare() < MAX_REJECTED_SHARE,
                    () -> sim.rejected() + " of " + sim.calls() + " calls refused ("
                            + String.format("%.2f %%", 100 * sim.rejectedShare()) + ") over " + LONG_RUN + " round trips");
        });
    }

    @Test
    void afterACapacityStepTheLimitReSettlesInTheNewBandWithinTheStatedRoundTrips() {
        qt().withExamples(300).forAll(Step.any()).checkAssert(step -> {
            int from = step.from();
            int to = step.to();
            RoundTripSimulation sim = simulation(step.returns()).run(settleRounds(from) + step.extraRounds(), from);
            int stepAt = sim.rounds().size();
            List<RoundTripSimulation.Round> after = sim.run(300, to).rounds().subList(stepAt, stepAt + 300);
            int bound = reSettleRounds(from, to);
            for (RoundTripSimulation.Round r : after.subList(bound, after.size())) {
                assertTrue(r.limit() >= bandLow(to) && r.limit() <= bandHigh(to),
                        () -> r + ": outside [" + bandLow(to) + ", " + bandHigh(to) + "] " + (r.index() - stepAt)
                                + " round trips after the step, bound " + bound);
            }
        });
    }
}
