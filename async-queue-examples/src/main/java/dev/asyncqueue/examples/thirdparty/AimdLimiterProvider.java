package dev.asyncqueue.examples.thirdparty;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.spi.ConcurrencyLimiterProvider;
import dev.asyncqueue.spi.LimiterContext;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A limiter as a third party would ship it, depending on the api module only: classic AIMD
 * (+1 per success at the limit, x0.75 on a 429). Selected with {@code limiter_provider=aimd};
 * found through its own {@code META-INF/services} entry, with no change to the worker.
 */
public final class AimdLimiterProvider implements ConcurrencyLimiterProvider {

    @Override
    public String name() {
        return "aimd";
    }

    @Override
    public ConcurrencyLimiter create(LimiterContext context) {
        int initial = context.settings().integer("aimd_initial", 10, 1, 10_000);
        int max = context.settings().integer("aimd_max", 200, 1, 10_000);
        return new Aimd(initial, max);
    }

    /** The algorithm: small enough to read at a glance. */
    static final class Aimd implements ConcurrencyLimiter {
        private final int max;
        private int limit;
        private int inFlight;

        Aimd(int initial, int max) {
            this.limit = Math.min(initial, max);
            this.max = max;
        }

        @Override
        public synchronized Optional<Permit> tryAcquire() {
            if (inFlight >= limit) return Optional.empty();
            inFlight++;
            boolean atLimit = inFlight >= limit;
            AtomicBoolean released = new AtomicBoolean();
            return Optional.of(outcome -> {
                if (!released.compareAndSet(false, true)) throw new IllegalStateException("permit released twice");
                onRelease(outcome, atLimit);
            });
        }

        private synchronized void onRelease(Outcome outcome, boolean wasAtLimit) {
            inFlight--;
            if (outcome == Outcome.REJECTED) {
                limit = Math.max(1, (int) (limit * 0.75));
            } else if (outcome == Outcome.SUCCESS && wasAtLimit) {
                limit = Math.min(max, limit + 1);
            }
        }

        @Override
        public synchronized int limit() {
            return limit;
        }

        @Override
        public synchronized int inFlight() {
            return inFlight;
        }
    }
}
