package dev.asyncqueue.examples.readme;

// tag::limiter-provider[]
import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Permit;
import dev.asyncqueue.spi.ConcurrencyLimiterProvider;
import dev.asyncqueue.spi.LimiterContext;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/** limiter_provider=constant: the same limit for every function, from the setting constant_limit (8). */
public final class ConstantLimiterProvider implements ConcurrencyLimiterProvider {

    @Override
    public String name() {
        return "constant";
    }

    /**
     * Called for each function, and once at start-up for the function "(settings check)", so a setting it
     * cannot use stops the worker then (a ConfigurationException naming it), not at a function's first call.
     */
    @Override
    public ConcurrencyLimiter create(LimiterContext context) {
        int limit = context.settings().integer("constant_limit", 8, 1, 10_000);
        return new ConstantLimiter(limit);
    }

    private static final class ConstantLimiter implements ConcurrencyLimiter {
        private final int limit;
        private final Semaphore free;

        ConstantLimiter(int limit) {
            this.limit = limit;
            this.free = new Semaphore(limit);
        }

        @Override
        public Optional<Permit> tryAcquire() {                // never blocks
            if (!free.tryAcquire()) return Optional.empty();
            AtomicBoolean released = new AtomicBoolean();
            return Optional.of(outcome -> {                   // the outcome (success, 429, ...) is for adaptive limits
                if (released.compareAndSet(false, true)) free.release();
            });
        }

        @Override
        public int limit() {
            return limit;
        }

        @Override
        public int inFlight() {
            return limit - free.availablePermits();
        }
    }
}
// end::limiter-provider[]
