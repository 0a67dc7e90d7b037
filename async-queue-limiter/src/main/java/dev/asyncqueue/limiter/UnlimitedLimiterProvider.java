package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.spi.ConcurrencyLimiterProvider;
import dev.asyncqueue.spi.LimiterContext;

/** Provides limiters that never say no, under the name {@code none}: the legacy greedy behaviour. */
public final class UnlimitedLimiterProvider implements ConcurrencyLimiterProvider {

    /** The name configuration selects this provider by. */
    public static final String NAME = "none";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ConcurrencyLimiter create(LimiterContext context) {
        return ConcurrencyLimiter.unlimited();
    }
}
