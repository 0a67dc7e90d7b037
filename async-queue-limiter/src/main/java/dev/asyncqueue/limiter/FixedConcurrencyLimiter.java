package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Permit;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A hard cap on concurrent invocations that never changes, whatever the function answers. */
public final class FixedConcurrencyLimiter implements ConcurrencyLimiter {
    private final String name;
    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();

    private FixedConcurrencyLimiter(String name, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a fixed limit must be at least 1, got " + limit);
        }
        this.name = name;
        this.limit = limit;
    }

    /** A cap of {@code limit} (at least 1) concurrent invocations. */
    public static FixedConcurrencyLimiter of(int limit) {
        return new FixedConcurrencyLimiter("fixed limiter", limit);
    }

    /** A cap of {@code limit} for {@code function}, which names it in messages. */
    public static FixedConcurrencyLimiter of(String function, int limit) {
        return new FixedConcurrencyLimiter(function, limit);
    }

    @Override
    public Optional<Permit> tryAcquire() {
        // Compare-and-set rather than increment-then-check, so a denied caller never makes the
        // count overshoot even for a moment.
        int current;
        do {
            current = inFlight.get();
            if (current >= limit) {
                return Optional.empty();
            }
        } while (!inFlight.compareAndSet(current, current + 1));
        return Optional.of(new SingleUsePermit(name, outcome -> inFlight.decrementAndGet()));
    }

    @Override
    public int limit() {
        return limit;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public String toString() {
        return "FixedConcurrencyLimiter[" + name + ", limit=" + limit + ", inFlight=" + inFlight.get() + "]";
    }
}
