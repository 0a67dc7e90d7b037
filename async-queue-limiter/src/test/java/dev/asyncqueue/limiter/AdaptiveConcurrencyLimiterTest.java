package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adaptive limiter's behaviour, example by example; the general claims are in the property tests. */
class AdaptiveConcurrencyLimiterTest {

    private final FakeTicker ticker = new FakeTicker();

    private AdaptiveConcurrencyLimiter limiter() {
        return AdaptiveConcurrencyLimiter.builder().name("sleep").ticker(ticker).build();
    }

    /** Starts as many calls as allowed, then ends them all: the first {@code capacity} succeed, the rest get 429. */
    private static void roundTrip(AdaptiveConcurrencyLimiter limiter, int capacity) {
        List<Permit> started = new ArrayList<>();
        for (Optional<Permit> p = limiter.tryAcquire(); p.isPresent(); p = limiter.tryAcquire()) started.add(p.get());
        for (int i = 0; i < started.size(); i++) {
            started.get(i).release(i < capacity ? Outcome.SUCCESS : Outcome.REJECTED);
        }
    }

    @Test
    void startsAtTwo() {
        AdaptiveConcurrencyLimiter limiter = limiter();
        assertEquals(2, limiter.limit());
        assertTrue(limiter.estimatedCapacity().isEmpty());
    }

    @Test
    void aboutDoublesEveryRoundTripUntilTheFirst429() {
        AdaptiveConcurrencyLimiter limiter = limiter();
        List<Integer> limits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            roundTrip(limiter, Integer.MAX_VALUE);
            limits.add(limiter.limit());
        }
        // Calls started with less than half the limit in flight do not count, hence x1.5 to x2.
        assertEquals(List.of(4, 7, 11, 17, 26), limits);
    }

    @Test
    void aFunctionCalledOneAtATimeKeepsALimitOfAtMostThree() {
        AdaptiveConcurrencyLimiter limiter = limiter();
        for (int i = 0; i < 1_000; i++) {
            limiter.tryAcquire().orElseThrow().release(Outcome.SUCCESS);
        }
        assertEquals(3, limiter.limit());
    }

    @Test
    void fourCallsAtATimeRefilledAsTheyEndNeverLiftTheLimitPastNine() {
        AdaptiveConcurrencyLimiter limiter = AdaptiveConcurrencyLimiter.builder().initialLimit(8).ticker(ticker).build();
        ArrayDeque<Permit> running = new ArrayDeque<>();
        for (int i = 0; i < 4; i++) running.add(limiter.tryAcquire().orElseThrow());
        for (int i = 0; i < 1_000; i++) {
            running.poll().release(Outcome.SUCCESS);
            running.add(limiter.tryAcquire().orElseThrow());
        }
        running.forEach(p -> p.release(Outcome.SUCCESS));
        assertEquals(9, limiter.limit());
    }

    @Test
    void a429DropsTheLimitToTheMarginBelowTheConcurrencyTheFunctionHeld() {
        AdaptiveConcurrencyLimiter limiter = limiter();
        while (limiter.limit() < 40) roundTrip(limiter, Integer.MAX_VALUE);
        roundTrip(limiter, 30);
        assertEquals(Optional.of(30), limiter.estimatedCapacity());
        assertEquals(27, limiter.limit());
    }

    @Test
    void recoversToTheEstimatedCapacityThenProbesOneAbove() {
        AdaptiveConcurrencyLimiter limiter = limiter();
        while (limiter.limit() < 40) roundTrip(limiter, Integer.MAX_VALUE);
        roundTrip(limiter, 30);
        List<Integer> limits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            roundTrip(limiter, 30);
            limits.add(limiter.limit());
        }
        // 27 -> 30 over four round trips (only the calls started with half the limit in flight count),
        // then ten successes at 30 within one round trip, a probe at 31, refused, back to 27.
        assertEquals(List.of(28, 29, 29, 30, 31, 27), limits);
    }

    @Test
    void eachProbeThatFindsNothingWaitsTwiceAsLongUpToOneHundredCalls() {
        AdaptiveConcurrencyLimiter limiter = AdaptiveConcurrencyLimiter.builder().ticker(ticker).build();
        roundTrip(limiter, 1);
        List<Integer> roundTripsBetweenProbes = new ArrayList<>();
        int since = 0;
        for (int i = 0; i < 800 && roundTripsBetweenProbes.size() < 6; i++) {
            since++;
            int before = limiter.limit();
            roundTrip(limiter, 1);
            if (limiter.limit() > before) {
                roundTripsBetweenProbes.add(since);
                since = 0;
            }
        }
        // Capacity 1: one counted success per round trip, so calls and round trips coincide.
        assertEquals(List.of(10, 21, 41, 81, 101, 101), roundTripsBetweenProbes);
    }

    @Test
    void aProbeThatHoldsRaisesTheLimitInDoublingStepsWhenReplicasAreAdded() {
        AdaptiveConcurrencyLimiter limiter = limiter();
        for (int i = 0; i < 60; i++) roundTrip(limiter, 5);
        assertEquals(Optional.of(5), limiter.estimatedCapacity());
        List<Integer> limits = new ArrayList<>();
        for (int i = 0; i < 45 && limits.size() < 6; i++) {
            int before = limiter.limit();
            roundTrip(limiter, 50);
            if (limiter.limit() > before + 1 || !limits.isEmpty()) limits.add(limiter.limit());
        }
        assertEquals(List.of(8, 12, 20, 36, 68, 45), limits);
    }

    @Test
    void failedAndIgnoredCallsNeverMoveTheLimit() {
        AdaptiveConcurrencyLimiter limiter = limiter();
        for (int i = 0; i < 50; i++) {
            int before = limiter.limit();
            List<Permit> started = new ArrayList<>();
            for (Optional<Permit> p = limiter.tryAcquire(); p.isPresent(); p = limiter.tryAcquire()) started.add(p.get());
            started.forEach(p -> p.release(started.size() % 2 == 0 ? Outcome.FAILED : Outcome.IGNORED));
            assertEquals(before, limiter.limit());
        }
    }

    @Test
    void aSecondReleaseThrows() {
        Permit permit = limiter().tryAcquire().orElseThrow();
        permit.release(Outcome.SUCCESS);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> permit.release(Outcome.SUCCESS));
        assertTrue(e.getMessage().contains("sleep"), e.getMessage());
    }

    @Test
    void theRoundTripEstimateReadsTheInjectedTicker() {
        AdaptiveConcurrencyLimiter limiter = limiter();
        Permit permit = limiter.tryAcquire().orElseThrow();
        ticker.advance(Duration.ofMillis(1500));
        permit.release(Outcome.SUCCESS);
        assertTrue(limiter.toString().contains("rtt≈1500ms"), limiter.toString());
    }

    @Test
    void readsTheLimiterSettings() {
        AdaptiveConcurrencyLimiter limiter = AdaptiveConcurrencyLimiter.builder().ticker(ticker)
                .settings(Settings.of(Map.of("limiter_initial", "7", "limiter_min", "3", "limiter_max", "9",
                        "limiter_margin_percent", "50", "limiter_probe_min_calls", "2", "limiter_probe_max_calls", "4")))
                .build();
        assertEquals(7, limiter.limit());
        roundTrip(limiter, 8);
        assertEquals(9, limiter.limit(), "never above limiter_max");
        roundTrip(limiter, 8);
        assertEquals(4, limiter.limit(), "50 % below the 8 that held");
        roundTrip(limiter, 0);
        assertEquals(3, limiter.limit(), "never below limiter_min");
    }

    @Test
    void aGroupMemberProbesAfterFewerCallsByDefaultAndTheSettingAppliesAloneAndInAGroup() {
        assertEquals(10, AdaptiveConcurrencyLimiter.builder().probeMinCalls(true), "alone");
        assertEquals(5, AdaptiveConcurrencyLimiter.builder().probeMinCalls(false), "in a coordinated group");
        AdaptiveConcurrencyLimiter.Builder set = AdaptiveConcurrencyLimiter.builder()
                .settings(Settings.of(Map.of("limiter_probe_min_calls", "7")));
        assertEquals(7, set.probeMinCalls(true));
        assertEquals(7, set.probeMinCalls(false));
        AdaptiveConcurrencyLimiter.Builder lowMax = AdaptiveConcurrencyLimiter.builder()
                .settings(Settings.of(Map.of("limiter_probe_max_calls", "3")));
        assertEquals(3, lowMax.probeMinCalls(true), "a maximum below the default minimum lowers it");
        assertEquals(3, lowMax.probeMinCalls(false));
        assertEquals(AdaptiveConcurrencyLimiter.DEFAULT_INITIAL, lowMax.build().limit(), "and the limiter builds");
    }

    @Test
    void aRaisedMinimumRaisesTheDefaultStart() {
        AdaptiveConcurrencyLimiter limiter = AdaptiveConcurrencyLimiter.builder()
                .settings(Settings.of(Map.of("limiter_min", "5"))).build();
        assertEquals(5, limiter.limit());
    }

    @Test
    void aSettingThatCannotBeUsedIsNamed() {
        assertNamed("limiter_max", Map.of("limiter_max", "lots"));
        assertNamed("limiter_min", Map.of("limiter_min", "0"));
        assertNamed("limiter_max", Map.of("limiter_min", "10", "limiter_max", "5"));
        assertNamed("limiter_initial", Map.of("limiter_initial", "2000"));
        assertNamed("limiter_margin_percent", Map.of("limiter_margin_percent", "95"));
        assertNamed("limiter_probe_max_calls", Map.of("limiter_probe_min_calls", "50", "limiter_probe_max_calls", "10"));
    }

    private static void assertNamed(String variable, Map<String, String> settings) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> AdaptiveConcurrencyLimiter.builder().settings(Settings.of(settings)));
        assertEquals(variable, e.variable(), e.getMessage());
    }

    @Test
    void inconsistentBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> AdaptiveConcurrencyLimiter.builder().minLimit(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> AdaptiveConcurrencyLimiter.builder().minLimit(5).maxLimit(4).build());
        assertThrows(IllegalArgumentException.class, () -> AdaptiveConcurrencyLimiter.builder().initialLimit(9).maxLimit(8).build());
        assertThrows(IllegalArgumentException.class, () -> AdaptiveConcurrencyLimiter.builder().probeAfterCalls(5, 4).build());
    }

    @Test
    void threadsAcquiringAndReleasingTogetherNeverExceedTheMaximumAndLeaveNothingInFlight() throws Exception {
        AdaptiveConcurrencyLimiter limiter = AdaptiveConcurrencyLimiter.builder().maxLimit(8).build();
        // Each thread wants more permits at once than the maximum, so every thread is refused sooner or
        // later and only the limiter stands between the four of them and more than eight calls at once.
        int threads = 4;
        int heldPerThread = 9;
        AtomicInteger held = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    Outcome[] outcomes = Outcome.values();
                    List<Permit> mine = new ArrayList<>(heldPerThread);
                    for (int i = 0; i < 5_000; i++) {
                        while (mine.size() < heldPerThread) {
                            Optional<Permit> permit = limiter.tryAcquire();
                            if (permit.isEmpty()) {
                                refused.incrementAndGet();
                                break;
                            }
                            mine.add(permit.get());
                            peak.accumulateAndGet(held.incrementAndGet(), Math::max);
                        }
                        for (Permit permit : mine) {
                            held.decrementAndGet();
                            permit.release(outcomes[ThreadLocalRandom.current().nextInt(outcomes.length)]);
                        }
                        mine.clear();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> w : workers) w.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, limiter.inFlight());
        assertEquals(threads * 5_000, refused.get(), "every round was refused before a thread held more than the maximum");
        assertTrue(peak.get() <= 8, "at most the maximum held at once, held " + peak.get());
        assertTrue(limiter.limit() >= 1 && limiter.limit() <= 8, limiter.toString());
    }
}
