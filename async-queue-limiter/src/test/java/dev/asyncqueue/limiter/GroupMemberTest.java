package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.spi.LimiterCoordination;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An adaptive limiter as a member of a group, example by example; the general claims are in GroupPropertiesTest. */
class GroupMemberTest {

    private final FakeTicker ticker = new FakeTicker();
    private final LocalLimiterCoordination.Board board = LocalLimiterCoordination.board(ticker, Duration.ofSeconds(3),
            Duration.ZERO);

    private AdaptiveConcurrencyLimiter member(String id) {
        return AdaptiveConcurrencyLimiter.builder().name("sleep").ticker(ticker).coordination(board.replica(id)).build();
    }

    private static List<Permit> acquireAll(AdaptiveConcurrencyLimiter limiter) {
        List<Permit> permits = new ArrayList<>();
        for (Optional<Permit> p = limiter.tryAcquire(); p.isPresent(); p = limiter.tryAcquire()) permits.add(p.get());
        return permits;
    }

    /** Grows {@code limiter} (alone or first in its group) with successes until its limit reaches {@code limit}. */
    private void growTo(AdaptiveConcurrencyLimiter limiter, int limit) {
        for (int round = 0; round < 50 && limiter.limit() < limit; round++) {
            List<Permit> permits = acquireAll(limiter);
            ticker.advance(Duration.ofMillis(200));
            permits.forEach(p -> p.release(Outcome.SUCCESS));
        }
    }

    @Test
    void aMemberStartsAtTheMinimumAndOnlyTheFirstMemberGrowsBeforeAny429() {
        AdaptiveConcurrencyLimiter first = member("a");
        AdaptiveConcurrencyLimiter second = member("b");
        assertEquals(1, first.limit());
        assertEquals(1, second.limit());

        for (int round = 0; round < 5; round++) {
            List<Permit> permits = new ArrayList<>(acquireAll(first));
            permits.addAll(acquireAll(second));
            ticker.advance(Duration.ofMillis(200));
            permits.forEach(p -> p.release(Outcome.SUCCESS));
        }

        assertTrue(first.limit() > 4, "the first member grows for the group: " + first);
        assertEquals(1, second.limit(), "the others wait for the group's ceiling: " + second);
    }

    @Test
    void a429AtOneMemberSetsTheGroupsCeilingAndEveryMemberTakesItsShareOfTheMarginBelow() {
        AdaptiveConcurrencyLimiter a = member("a");
        AdaptiveConcurrencyLimiter b = member("b");
        growTo(a, 20);
        assertTrue(a.limit() >= 20, "grew alone: " + a);
        List<Permit> aCalls = acquireAll(a);
        List<Permit> bCalls = acquireAll(b);
        int global = aCalls.size() + bCalls.size();
        // The function took all but b's call: b learns the group's ceiling is below what it met.
        ticker.advance(Duration.ofMillis(2));
        bCalls.forEach(p -> p.release(Outcome.REJECTED));

        assertEquals(Optional.of(global - 1), b.estimatedCapacity());
        assertTrue(a.tryAcquire().isEmpty(), "a hears of the cut when it next asks, and is over its share");
        assertEquals(Optional.of(global - 1), a.estimatedCapacity());
        int belowCeiling = (global - 1) * 90 / 100;
        assertEquals(Group.share(belowCeiling, 2, 0), a.limit(), "a's share of the margin below: " + a);
        assertEquals(0, b.limit(), "b's 429 left it nothing to refill at once: " + b);
        aCalls.forEach(p -> p.release(Outcome.SUCCESS));
    }

    @Test
    void aFailedProbeGoesBackToOneBelowTheCeilingNotTheMarginBelowIt() {
        AdaptiveConcurrencyLimiter alone = member("a");
        growTo(alone, 20);
        List<Permit> calls = acquireAll(alone);
        ticker.advance(Duration.ofMillis(2));
        calls.remove(calls.size() - 1).release(Outcome.REJECTED); // the function takes one call fewer
        int ceiling = alone.estimatedCapacity().orElseThrow();
        ticker.advance(Duration.ofMillis(198));
        calls.forEach(p -> p.release(Outcome.SUCCESS));
        for (int round = 0; round < 50 && alone.limit() <= ceiling; round++) {
            List<Permit> permits = acquireAll(alone);
            ticker.advance(Duration.ofMillis(200));
            permits.forEach(p -> p.release(Outcome.SUCCESS));
        }
        assertTrue(alone.limit() > ceiling, "recovered and probing above the ceiling: " + alone);

        List<Permit> probing = acquireAll(alone);
        ticker.advance(Duration.ofMillis(2));
        probing.remove(probing.size() - 1).release(Outcome.REJECTED); // the call above the ceiling is refused

        assertEquals(Optional.of(ceiling), alone.estimatedCapacity(), "the function still holds the ceiling");
        assertEquals(ceiling - 1, alone.limit(), "one below the ceiling, not " + ceiling * 90 / 100 + ": " + alone);
        probing.forEach(p -> p.release(Outcome.SUCCESS));
    }

    private static SharedFunctionSimulation simulation(FakeTicker ticker, long seed, int capacity) {
        return new SharedFunctionSimulation(SharedFunctionSimulation.Timing.standard(), ticker, seed, capacity);
    }

    @Test
    void afterAFailedProbeTheOthersTakeTheProbersRoomAsItsCallsEndNotOnlyOnTheirOwnSuccesses() {
        SharedFunctionSimulation sim = simulation(ticker, 7, 10);
        new SimulatedGroup(sim, ticker).join(5);
        sim.run(40);
        sim.capacity(20); // the function grows: the first member finds it by probing, and keeps what it finds
        List<SharedFunctionSimulation.Replica> replicas = sim.replicas();
        AdaptiveConcurrencyLimiter prober = (AdaptiveConcurrencyLimiter) replicas.get(0).limiter();
        int highest = prober.limit();
        for (int ms = 0; ms < 10_000 && prober.limit() >= highest; ms++) {
            highest = Math.max(highest, prober.limit());
            sim.runFor(Duration.ofMillis(1));
        }
        int ceiling = prober.estimatedCapacity().orElseThrow();
        assertTrue(highest > Group.share(ceiling, 5, 0) && ceiling > 10,
                "the prober found the new capacity, then its probe failed: " + replicas);

        // The prober's calls above its share end over the next round trip; each one frees room.
        for (int ms = 0; ms < 1_000 && prober.inFlight() > prober.limit(); ms++) sim.runFor(Duration.ofMillis(1));
        sim.runFor(Duration.ofMillis(10)); // a limiter that granted nothing is asked again within 10 ms

        for (int rank = 1; rank < 5; rank++) {
            assertTrue(replicas.get(rank).limiter().limit() >= Group.share(ceiling - 1, 5, rank),
                    "member " + rank + " took its share of the room the prober gave back: " + replicas);
        }
    }

    @Test
    void aMemberWhoseShareIsNothingStartsNoCall() {
        SharedFunctionSimulation sim = simulation(ticker, 3, 1);
        new SimulatedGroup(sim, ticker).join(3);
        sim.run(50);

        List<SharedFunctionSimulation.Replica> replicas = sim.replicas();
        assertEquals(0, replicas.get(2).limiter().limit(),
                "the function takes one call: the last member's share is none; " + replicas);
        assertTrue(replicas.get(2).limiter().tryAcquire().isEmpty());
    }

    @Test
    void aMemberThatLeavesIsTakenUpByTheOthers() {
        SharedFunctionSimulation sim = simulation(ticker, 5, 20);
        SimulatedGroup group = new SimulatedGroup(sim, ticker).join(2);
        sim.run(40);
        SharedFunctionSimulation.Replica staying = sim.replicas().get(0);
        assertTrue(staying.limiter().limit() <= 11, "it shares the function with the other: " + staying);

        group.leave(sim.replicas().get(1));
        List<SharedFunctionSimulation.Sample> samples = sim.run(5).samples();

        int highest = samples.subList(samples.size() - 5, samples.size()).stream()
                .mapToInt(s -> s.limits().get(0)).max().orElseThrow();
        assertTrue(highest >= 18, "alone, it takes the function within 5 round trips: " + highest + "; " + staying);
    }

    @Test
    void latenciesAloneAreSentAgainOnlyWhenTheyMoveByAQuarter() {
        LimiterCoordination.Report last = new LimiterCoordination.Report(3, 10, 2, false, Duration.ofMillis(4),
                Duration.ofMillis(200));
        assertTrue(GroupPacer.worthSending(last, null), "the first report always goes");
        assertFalse(GroupPacer.worthSending(new LimiterCoordination.Report(3, 10, 2, false, Duration.ofMillis(4),
                Duration.ofMillis(240)), last));
        assertTrue(GroupPacer.worthSending(new LimiterCoordination.Report(3, 10, 2, false, Duration.ofMillis(4),
                Duration.ofMillis(260)), last));
        assertTrue(GroupPacer.worthSending(new LimiterCoordination.Report(4, 10, 2, false, Duration.ofMillis(4),
                Duration.ofMillis(200)), last), "a limit that moves always goes");
    }

    @Test
    void aReportIsPublishedOnlyWhenItChanges() {
        List<LimiterCoordination.Report> published = new ArrayList<>();
        LimiterCoordination recording = function -> new LimiterCoordination.Membership() {
            @Override
            public String self() {
                return "me";
            }

            @Override
            public void publish(LimiterCoordination.Report report) {
                published.add(report);
            }

            @Override
            public LimiterCoordination.View view() {
                return new LimiterCoordination.View(0, new java.util.TreeMap<>());
            }

            @Override
            public void close() {
            }
        };
        AdaptiveConcurrencyLimiter limiter = AdaptiveConcurrencyLimiter.builder().ticker(ticker).coordination(recording).build();
        assertEquals(1, published.size(), "announced when it joins");
        Permit held = limiter.tryAcquire().orElseThrow();
        int afterGrant = published.size();
        for (int i = 0; i < 10; i++) {
            assertTrue(limiter.tryAcquire().isEmpty(), "a member starts at the minimum, one call");
        }
        assertEquals(afterGrant, published.size(), "asking again at the limit changes nothing, so sends nothing");
        held.release(Outcome.SUCCESS);
        assertTrue(published.size() > afterGrant, "a success at the limit grows it, which the others hear of");
    }
}
