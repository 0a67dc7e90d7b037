package dev.asyncqueue;

import java.util.List;
import java.util.Map;

/**
 * Finds the concurrency limiter that paces one function. A worker given one ({@code QueueWorkerBuilder.limiters})
 * also calls {@link #evictIdle()} from its own timer, so a lookup that keeps a limiter per function needs no
 * thread of its own.
 */
@FunctionalInterface
public interface LimiterLookup {

    /** The function's limiter; {@code annotations} are the function's as last seen (possibly empty). */
    ConcurrencyLimiter limiterFor(String function, Map<String, String> annotations);

    /**
     * Whether this lookup may ever hold a function back (default true). A worker under a lookup that limits
     * sends a function's 429 back to the queue without using up a retry, unless told otherwise.
     */
    default boolean limits() {
        return true;
    }

    /**
     * Forgets what it keeps for functions idle long enough; the worker calls it every so often on its timer
     * thread (default: nothing to forget).
     *
     * @return the functions forgotten
     */
    default List<String> evictIdle() {
        return List.of();
    }

    /** No function is ever held back. */
    static LimiterLookup unlimited() {
        ConcurrencyLimiter shared = ConcurrencyLimiter.unlimited();
        return new LimiterLookup() {
            @Override
            public ConcurrencyLimiter limiterFor(String function, Map<String, String> annotations) {
                return shared;
            }

            @Override
            public boolean limits() {
                return false;
            }
        };
    }
}
