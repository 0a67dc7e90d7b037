package dev.asyncqueue;

import java.util.Map;

/** Finds the concurrency limiter that paces one function. */
@FunctionalInterface
public interface LimiterLookup {

    /** The function's limiter; {@code annotations} are the function's as last seen (possibly empty). */
    ConcurrencyLimiter limiterFor(String function, Map<String, String> annotations);

    /** No function is ever held back. */
    static LimiterLookup unlimited() {
        ConcurrencyLimiter shared = ConcurrencyLimiter.unlimited();
        return (function, annotations) -> shared;
    }
}
