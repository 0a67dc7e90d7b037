package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;

/**
 * The decisions behind an {@link AdaptiveConcurrencyLimiter}: {@link AdaptiveLimit} for a limiter that
 * paces its function alone, {@link GroupPacer} for one of a group of replicas. Not thread-safe: the
 * limiter serialises every call.
 */
interface Pacer {

    /** How the call's outcome comes back; null when no call may start now. */
    Release tryAcquire(long now);

    /** The current limit. */
    int limit();

    /** Calls granted and not yet released. */
    int inFlight();

    /** The estimated capacity; {@link Integer#MAX_VALUE} before the first 429. */
    int ceiling();

    /** Stops pacing; a group member leaves its group. */
    void close();

    /** Hands one granted call's outcome back, once. */
    @FunctionalInterface
    interface Release {
        void release(Outcome outcome, long now);
    }

    /** Paces alone, exactly as {@link AdaptiveLimit} decides. */
    static Pacer alone(AdaptiveLimit algorithm) {
        return new Pacer() {
            @Override
            public Release tryAcquire(long now) {
                AdaptiveLimit.Grant grant = algorithm.tryAcquire(now);
                return grant == null ? null : (outcome, at) -> algorithm.release(grant, outcome, at);
            }

            @Override
            public int limit() {
                return algorithm.limit();
            }

            @Override
            public int inFlight() {
                return algorithm.inFlight();
            }

            @Override
            public int ceiling() {
                return algorithm.ceiling();
            }

            @Override
            public void close() {
            }

            @Override
            public String toString() {
                return algorithm.toString();
            }
        };
    }
}
