package dev.asyncqueue.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep ends exchanges past their deadline, once, and only those. */
class DeadlineSweepTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final DeadlineSweep sweep = new DeadlineSweep("test-deadline");

    @AfterEach
    void stop() {
        sweep.close();
    }

    /** An exchange that counts its expiries and says when the first came. */
    private static final class Watched implements DeadlineSweep.Expiring {
        private final long deadline;
        final AtomicInteger expiries = new AtomicInteger();
        final CountDownLatch expired = new CountDownLatch(1);
        volatile long expiredAt;

        Watched(Duration in) {
            this.deadline = System.nanoTime() + in.toNanos();
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }

        @Override
        public void expire() {
            expiredAt = System.nanoTime();
            expiries.incrementAndGet();
            expired.countDown();
        }
    }

    @Test
    void anExchangePastItsDeadlineIsExpiredOnceNotBefore() throws Exception {
        Watched late = new Watched(Duration.ofMillis(100));
        sweep.add(late);

        assertTrue(late.expired.await(WAIT.toSeconds(), TimeUnit.SECONDS), "expired");
        assertTrue(late.expiredAt - late.deadlineNanos() >= 0, "not before its deadline");
        Watched marker = new Watched(Duration.ofMillis(50));
        sweep.add(marker);
        assertTrue(marker.expired.await(WAIT.toSeconds(), TimeUnit.SECONDS), "later sweeps ran");
        assertEquals(1, late.expiries.get(), "expired once");
    }

    @Test
    void anExchangeRemovedInTimeIsNeverExpired() throws Exception {
        Watched answered = new Watched(Duration.ofMillis(50));
        Watched marker = new Watched(Duration.ofMillis(100));
        sweep.add(answered);
        sweep.add(marker);
        sweep.remove(answered);

        assertTrue(marker.expired.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the sweep ran past both deadlines");
        assertEquals(0, answered.expiries.get());
    }

    @Test
    void anIdleSweepWakesForTheNextExchange() throws Exception {
        Watched first = new Watched(Duration.ofMillis(10));
        sweep.add(first);
        assertTrue(first.expired.await(WAIT.toSeconds(), TimeUnit.SECONDS));

        // Nothing is watched now, so the sweep sleeps until an exchange comes.
        Watched next = new Watched(Duration.ofMillis(10));
        sweep.add(next);

        assertTrue(next.expired.await(WAIT.toSeconds(), TimeUnit.SECONDS), "woken by the new exchange");
    }

    @Test
    void closingHandsBackTheExchangesStillWatched() {
        Watched running = new Watched(Duration.ofMinutes(1));
        Watched ended = new Watched(Duration.ofMinutes(1));
        sweep.add(running);
        sweep.add(ended);
        sweep.remove(ended);

        List<DeadlineSweep.Expiring> left = sweep.close();

        assertEquals(List.of(running), left);
        assertFalse(running.expired.getCount() == 0, "handed back, not expired");
    }
}
