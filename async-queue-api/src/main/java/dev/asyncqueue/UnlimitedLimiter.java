package dev.asyncqueue;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Grants every request; it still counts permits so leaks and double releases show. */
final class UnlimitedLimiter implements ConcurrencyLimiter {
    private final AtomicInteger inFlight = new AtomicInteger();

    @Override
    public Optional<Permit> tryAcquire() {
        inFlight.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(outcome -> {
            if (!released.compareAndSet(false, true)) {
                throw new IllegalStateException("permit released twice");
            }
            inFlight.decrementAndGet();
        });
    }

    @Override
    public int limit() {
        return Integer.MAX_VALUE;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }
}
