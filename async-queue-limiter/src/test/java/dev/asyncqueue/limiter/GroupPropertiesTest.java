package dev.asyncqueue.limiter;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * N worker replicas (1 to 8), each with a default adaptive limiter, all members of one group
 * ({@link SimulatedGroup}), sharing one function of capacity C (1 to 200) with an endless backlog, in
 * simulated continuous time ({@link SharedFunctionSimulation}, the documented function's timing: 200 ms
 * calls, 429s and pulls in about 2 ms). They all start at the same instant, the worst case: none sees the
 * others before its first calls.
 *
 * <p>What is claimed, the <b>band</b> of C being {@code [max(1, floor(0.9 C)), C + 1]} as for one limiter:
 * <ul>
 *   <li>the sum of the members' limits is in the band within {@code 2 ceil(log2(C + 1)) + 4} round trips:
 *   the bound one limiter alone meets, plus two for a climb that overshoots while the other members still
 *   sit at their start, is refused, and comes back one probe at a time; from then on it is never more than
 *   {@code C + 3} (a probe call judged accepted by its time, whose pull was slow, puts the ceiling one too high,
 *   and the next probe goes one above that, with its call), and on average at least {@code 0.9 C};</li>
 *   <li>over 2,000 round trips, startup included, fewer than 2 % of the calls the function receives are
 *   refused, as for one limiter;</li>
 *   <li>after a member is killed (no goodbye: its heartbeat just stops), the others' limits add up to at
 *   least the band's low end again within {@code ceil(ttl / round trip) + 3} round trips: the time for
 *   the group to stop counting the dead member, plus the recovery;</li>
 *   <li>after a member leaves cleanly (its calls done, it closes its limiter), the same within 3 round
 *   trips;</li>
 *   <li>after a member joins, the sum is in the band again within {@code 2 ceil(log2(C + 1)) + 4} round
 *   trips, as fast as from a cold start, even when the group was still climbing when it joined;</li>
 *   <li>and over a whole run of 2,000 round trips with any of these changes, fewer than 2 % of calls are
 *   refused.</li>
 * </ul>
 */
class GroupPropertiesTest {

    private static final int MAX_MEMBERS = 8;
    private static final int MAX_CAPACITY = 200;
    private static final double MAX_REFUSED_SHARE = 0.02;
    private static final int LONG_RUN = 2_000;

    /** N members sharing a function of capacity C; the seed drives the call durations and pulls. */
    record Shared(int members, int capacity, long seed) {
        static Gen<Shared> any(int minMembers) {
            return integers().between(minMembers, MAX_MEMBERS).zip(integers().between(1, MAX_CAPACITY),
                    longs().all(), Shared::new);
        }

        @Override
        public String toString() {
            return members + " members, capacity " + capacity + ", seed " + seed;
        }
    }

    /** A group that has run a while before one member is killed, leaves or joins. */
    record Change(Shared shared, int extraRounds) {
        static Gen<Change> any(int minMembers) {
            return Shared.any(minMembers).zip(integers().between(0, 100), Change::new);
        }

        int before() {
            return settleRounds(shared.capacity()) + extraRounds;
        }

        /** Which member is killed or leaves: any of them, the prober included. */
        int victim() {
            return (int) Math.floorMod(shared.seed(), (long) shared.members());
        }

        @Override
        public String toString() {
            return shared + ", the change after " + before() + " round trips";
        }
    }

    static SharedFunctionSimulation runOf(Shared shared) {
        return Run.of(shared).simulation();
    }

    private record Run(SharedFunctionSimulation simulation, SimulatedGroup group, List<SharedFunctionSimulation.Replica> replicas) {
        static Run of(Shared shared) {
            FakeTicker ticker = new FakeTicker();
            SharedFunctionSimulation sim = new SharedFunctionSimulation(SharedFunctionSimulation.Timing.standard(),
                    ticker, shared.seed(), shared.capacity());
            SimulatedGroup group = new SimulatedGroup(sim, ticker).join(shared.members());
            return new Run(sim, group, sim.replicas());
        }
    }

    static int bandLow(int capacity) {
        return CapacitySimulationPropertiesTest.bandLow(capacity);
    }

    /**
     * One limiter's bound plus two round trips: a member that climbs alone past the capacity while the others
     * are still at their start draws a 429, and the group then grows back one probe at a time. QuickTheories
     * found such a run (2 members, capacity 18, seed -89820902: in the band at round 14, where one limiter's
     * bound is 12); a search over 85,917 random runs found 7 more, none over two rounds beyond that bound.
     */
    static int settleRounds(int capacity) {
        return CapacitySimulationPropertiesTest.settleRounds(capacity) + 2;
    }

    static int takeOverRounds() {
        long ttl = SimulatedGroup.TTL.toNanos();
        long roundTrip = SharedFunctionSimulation.Timing.standard().roundTrip().toNanos();
        return (int) ((ttl + roundTrip - 1) / roundTrip) + 3;
    }

    private static int firstInBand(List<SharedFunctionSimulation.Sample> samples, int capacity) {
        for (SharedFunctionSimulation.Sample s : samples) {
            if (s.totalLimit() >= bandLow(capacity) && s.totalLimit() <= capacity + 1) return s.round();
        }
        return Integer.MAX_VALUE;
    }

    private static int firstAtLeastLow(List<SharedFunctionSimulation.Sample> samples, int capacity) {
        for (SharedFunctionSimulation.Sample s : samples) {
            if (s.totalLimit() >= bandLow(capacity)) return s.round();
        }
        return Integer.MAX_VALUE;
    }

    private static String share(long refused, long calls) {
        return refused + " of " + calls + " calls refused (" + String.format("%.2f %%", 100.0 * refused / Math.max(1, calls)) + ")";
    }

    /** Fewer than 2 % of the calls of the whole run were refused. */
    private static void assertFewerThanTwoPercentRefused(SharedFunctionSimulation sim, String after) {
        assertTrue(sim.refusedShare() < MAX_REFUSED_SHARE,
                () -> share(sim.refused(), sim.calls()) + " over " + sim.samples().size() + " round trips" + after);
    }

    @Test
    void theMembersLimitsAddUpToTheBandWithinTwoLog2CPlusFourRoundTripsThenStayWithinCPlusThreeAndAverageNinetyPercent() {
        qt().withExamples(100).forAll(Shared.any(1)).checkAssert(shared -> {
            int capacity = shared.capacity();
            List<SharedFunctionSimulation.Sample> samples = Run.of(shared).simulation().run(400).samples();
            int first = firstInBand(samples, capacity);
            assertTrue(first <= settleRounds(capacity), () -> "the limits first added up to the band ["
                    + bandLow(capacity) + ", " + (capacity + 1) + "] in round " + first + ", bound "
                    + settleRounds(capacity) + "; " + samples.subList(0, Math.min(samples.size(), first + 1)));
            double sum = 0;
            for (SharedFunctionSimulation.Sample s : samples.subList(first, samples.size())) {
                assertTrue(s.totalLimit() <= capacity + 3, () -> s + ": more than capacity + 3");
                sum += s.totalLimit();
            }
            double mean = sum / (samples.size() - first);
            assertTrue(mean >= 0.9 * capacity, () -> "the limits added up to " + String.format("%.2f", mean)
                    + " on average, below 90 % of " + capacity);
        });
    }

    /**
     * The run QuickTheories once found beyond one limiter's bound (a climb that overshot while the other member
     * sat at its start) stays within the group's.
     */
    @Test
    void theOvershootingClimbQuickTheoriesFoundSettlesWithinTheGroupsBound() {
        Shared found = new Shared(2, 18, -89820902L);
        List<SharedFunctionSimulation.Sample> samples = Run.of(found).simulation().run(40).samples();
        int first = firstInBand(samples, found.capacity());
        assertTrue(first <= settleRounds(found.capacity()), () -> "in the band at round " + first + ", bound "
                + settleRounds(found.capacity()));
    }

    @Test
    void fewerThanTwoPercentOfCallsAreRefusedOverALongRun() {
        qt().withExamples(100).forAll(Shared.any(1)).checkAssert(shared -> {
            SharedFunctionSimulation sim = Run.of(shared).simulation().run(LONG_RUN);
            assertFewerThanTwoPercentRefused(sim, "");
        });
    }

    @Test
    void afterAMemberIsKilledTheOthersTakeUpItsShareWithinTheTimeToLivePlusThreeRoundTrips() {
        qt().withExamples(50).forAll(Change.any(2)).checkAssert(change -> {
            Run run = Run.of(change.shared());
            SharedFunctionSimulation sim = run.simulation().run(change.before());
            int at = sim.samples().size();
            sim.kill(run.replicas().get(change.victim()));
            List<SharedFunctionSimulation.Sample> after = sim.run(LONG_RUN - at).samples().subList(at, LONG_RUN);
            int back = firstAtLeastLow(after, change.shared().capacity()) - at;
            assertTrue(back <= takeOverRounds(), () -> "the survivors' limits were back at "
                    + bandLow(change.shared().capacity()) + " " + back + " round trips after the kill, bound "
                    + takeOverRounds() + "; " + after.subList(0, Math.min(after.size(), takeOverRounds() + 2)));
            assertFewerThanTwoPercentRefused(sim, " with the kill");
        });
    }

    @Test
    void afterAMemberLeavesCleanlyTheOthersTakeUpItsShareWithinThreeRoundTrips() {
        qt().withExamples(50).forAll(Change.any(2)).checkAssert(change -> {
            Run run = Run.of(change.shared());
            SharedFunctionSimulation sim = run.simulation().run(change.before());
            int at = sim.samples().size();
            run.group().leave(run.replicas().get(change.victim()));
            List<SharedFunctionSimulation.Sample> after = sim.run(LONG_RUN - at).samples().subList(at, LONG_RUN);
            int back = firstAtLeastLow(after, change.shared().capacity()) - at;
            assertTrue(back <= 3, () -> "the others' limits were back at " + bandLow(change.shared().capacity())
                    + " " + back + " round trips after the member left, bound 3; " + after.subList(0, Math.min(after.size(), 6)));
            assertFewerThanTwoPercentRefused(sim, " with the leave");
        });
    }

    @Test
    void afterAMemberJoinsTheLimitsAreInTheBandAgainWithinTwoLog2CPlusTwoRoundTrips() {
        qt().withExamples(50).forAll(Change.any(1)).checkAssert(change -> {
            Run run = Run.of(change.shared());
            SharedFunctionSimulation sim = run.simulation().run(change.before());
            int at = sim.samples().size();
            run.group().join();
            List<SharedFunctionSimulation.Sample> after = sim.run(LONG_RUN - at).samples().subList(at, LONG_RUN);
            int back = firstInBand(after, change.shared().capacity()) - at;
            int bound = settleRounds(change.shared().capacity());
            assertTrue(back <= bound, () -> "the limits were back in the band " + back + " round trips after the join, bound "
                    + bound + "; " + after.subList(0, Math.min(after.size(), bound + 2)));
            assertFewerThanTwoPercentRefused(sim, " with the join");
        });
    }
}
