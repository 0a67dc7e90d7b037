package dev.asyncqueue;

import java.util.Optional;

/** Bounds how many invocations of one function run at once, learning from each outcome. */
public interface ConcurrencyLimiter {

    /** A permit when one more invocation may start now, empty otherwise; never blocks. */
    Optional<Permit> tryAcquire();

    /** The current limit. */
    int limit();

    /** Permits acquired and not yet released. */
    int inFlight();

    /** A limiter that never says no: every delivery starts as soon as the worker has room for it. */
    static ConcurrencyLimiter unlimited() {
        return new UnlimitedLimiter();
    }
}
