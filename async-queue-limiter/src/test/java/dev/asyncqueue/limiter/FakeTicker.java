package dev.asyncqueue.limiter;

import dev.asyncqueue.Ticker;

import java.time.Duration;

/** A clock that moves only when a test says so. */
final class FakeTicker implements Ticker {
    private long nanos;

    @Override
    public synchronized long read() {
        return nanos;
    }

    synchronized void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: " + by);
        }
        nanos += by.toNanos();
    }
}
