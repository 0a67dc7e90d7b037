package dev.asyncqueue.benchmarks.limiter;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The farm's capacity rule and its autoscaler, driven by a hand-moved clock. */
class ReplicaPoolTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final FarmSettings settings = FarmSettings.documented();
    private final ReplicaPool pool = new ReplicaPool(settings, nanos::get);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private void admit(int calls) {
        for (int i = 0; i < calls; i++) assertTrue(pool.tryAdmit(), "call " + (i + 1) + " admitted");
    }

    @Test
    void startsAtTheMinimumReplicasWithFiveCallsOfCapacityEach() {
        assertEquals(1, pool.replicas());
        assertEquals(5, pool.capacity());
    }

    @Test
    void aCallAboveFiveTimesTheReplicasIsRefusedAndCounted() {
        admit(5);
        assertFalse(pool.tryAdmit());
        assertEquals(5, pool.running());
        assertEquals(6, pool.arrived());
        assertEquals(1, pool.rejected());
    }

    @Test
    void aFinishedCallFreesItsPlace() {
        admit(5);
        pool.finish();
        assertTrue(pool.tryAdmit());
        assertEquals(1, pool.completed());
    }

    @Test
    void finishingMoreCallsThanWereAdmittedIsABug() {
        assertThrows(IllegalStateException.class, pool::finish);
    }

    @Test
    void anIntervalRestartedWhenTheBurstBeginsCountsOnlyTheBurstsLoad() {
        advance(Duration.ofMillis(700)); // idle before the first call
        pool.restartInterval();
        admit(4); // 80 % of the capacity for the whole interval from here
        advance(Duration.ofSeconds(1));
        assertEquals(2, pool.autoscale().replicas(), "80 % load over the restarted interval adds a replica");
    }

    @Test
    void idleTimeBeforeTheBurstWouldOtherwiseDiluteTheFirstIntervalsLoad() {
        advance(Duration.ofMillis(700));
        admit(4);
        advance(Duration.ofMillis(300));
        assertEquals(1, pool.autoscale().replicas(), "the same 4 calls, 30 % of the interval: no replica");
    }

    @Test
    void aRefusalInTheIntervalAddsAReplica() {
        admit(5);
        assertFalse(pool.tryAdmit());
        advance(Duration.ofSeconds(1));
        FarmSample sample = pool.autoscale();
        assertEquals(2, sample.replicas());
        assertEquals(10, sample.capacity());
        assertEquals(1, sample.rejected());
        assertEquals(6, sample.arrived());
        admit(5); // the new replica's five
        assertFalse(pool.tryAdmit());
    }

    @Test
    void aMeanLoadOfEightyPercentOfCapacityAddsAReplicaWithoutAnyRefusal() {
        admit(4); // 4 of 5 for the whole interval
        advance(Duration.ofSeconds(1));
        FarmSample sample = pool.autoscale();
        assertEquals(4.0, sample.meanLoad(), 1e-9);
        assertEquals(2, pool.replicas());
    }

    @Test
    void theMeanLoadIsWeightedByTimeSoAShortPeakDoesNotScale() {
        admit(5);
        advance(Duration.ofMillis(100));
        for (int i = 0; i < 5; i++) pool.finish();
        advance(Duration.ofMillis(900));
        FarmSample sample = pool.autoscale();
        assertEquals(0.5, sample.meanLoad(), 1e-9);
        assertEquals(1, pool.replicas(), "5 calls for a tenth of the interval is a mean of 0.5, under 80 % of 5");
    }

    @Test
    void neverScalesAboveTheMaximum() {
        for (int interval = 0; interval < 15; interval++) {
            while (pool.tryAdmit()) {
                // fill the capacity; the refused call is what scales
            }
            advance(Duration.ofSeconds(1));
            pool.autoscale();
        }
        assertEquals(10, pool.replicas());
        assertEquals(50, pool.capacity());
    }

    @Test
    void removesAReplicaPerIntervalOnlyOnceIdleForTheIdlePeriodAndNeverBelowTheMinimum() {
        admit(5);
        assertFalse(pool.tryAdmit());
        advance(Duration.ofSeconds(1));
        pool.autoscale();
        admit(5);
        assertFalse(pool.tryAdmit());
        advance(Duration.ofSeconds(1));
        pool.autoscale();
        assertEquals(3, pool.replicas());
        for (int i = 0; i < 10; i++) pool.finish();

        // Idle from here; 5 s must pass before the first removal.
        for (int second = 1; second <= 4; second++) {
            advance(Duration.ofSeconds(1));
            assertEquals(3, pool.autoscale().replicas(), "still 3 after " + second + " s idle");
        }
        advance(Duration.ofSeconds(1));
        assertEquals(2, pool.autoscale().replicas());
        advance(Duration.ofSeconds(1));
        assertEquals(1, pool.autoscale().replicas());
        advance(Duration.ofSeconds(1));
        assertEquals(1, pool.autoscale().replicas());
    }

    @Test
    void aLongCallStillRunningKeepsTheReplicasEvenWithNothingArriving() {
        admit(5);
        assertFalse(pool.tryAdmit());
        advance(Duration.ofSeconds(1));
        pool.autoscale();
        assertEquals(2, pool.replicas());
        for (int i = 0; i < 4; i++) pool.finish(); // one call goes on running
        for (int second = 0; second < 10; second++) {
            advance(Duration.ofSeconds(1));
            pool.autoscale();
        }
        assertEquals(2, pool.replicas());
        pool.finish();
        for (int second = 0; second < 5; second++) {
            advance(Duration.ofSeconds(1));
            pool.autoscale();
        }
        assertEquals(1, pool.replicas(), "idle for 5 s after the long call ended");
    }

    @Test
    void everyDecisionIsKeptWithItsTime() {
        advance(Duration.ofSeconds(1));
        pool.autoscale();
        advance(Duration.ofSeconds(1));
        pool.autoscale();
        assertEquals(2, pool.history().size());
        assertEquals(Duration.ofSeconds(1), pool.history().get(0).at());
        assertEquals(Duration.ofSeconds(2), pool.history().get(1).at());
    }
}
