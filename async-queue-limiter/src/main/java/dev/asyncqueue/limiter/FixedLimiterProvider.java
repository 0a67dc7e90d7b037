package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.spi.ConcurrencyLimiterProvider;
import dev.asyncqueue.spi.LimiterContext;

/**
 * Provides {@link FixedConcurrencyLimiter}s under the name {@code fixed}: every function gets the
 * same cap, {@value #MAX_INFLIGHT_SETTING} (default {@value #DEFAULT_MAX_INFLIGHT}).
 */
public final class FixedLimiterProvider implements ConcurrencyLimiterProvider {

    /** The name configuration selects this provider by. */
    public static final String NAME = "fixed";
    /** Setting for the cap on each function's concurrent invocations. */
    public static final String MAX_INFLIGHT_SETTING = "limiter_max_inflight";
    /** The cap when {@value #MAX_INFLIGHT_SETTING} is not set. */
    public static final int DEFAULT_MAX_INFLIGHT = 10;

    @Override
    public String name() {
        return NAME;
    }

    /**
     * A cap of {@value #MAX_INFLIGHT_SETTING} for the context's function.
     *
     * @throws dev.asyncqueue.config.ConfigurationException when {@value #MAX_INFLIGHT_SETTING} is not a
     *                                                      positive whole number
     */
    @Override
    public ConcurrencyLimiter create(LimiterContext context) {
        int limit = context.settings().integer(MAX_INFLIGHT_SETTING, DEFAULT_MAX_INFLIGHT, 1, Integer.MAX_VALUE);
        return FixedConcurrencyLimiter.of(context.function(), limit);
    }
}
