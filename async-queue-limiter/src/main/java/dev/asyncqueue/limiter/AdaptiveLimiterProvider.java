package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.spi.ConcurrencyLimiterProvider;
import dev.asyncqueue.spi.LimiterContext;

/**
 * Provides {@link AdaptiveConcurrencyLimiter}s under the name {@code adaptive}, tuned by the
 * {@code limiter_*} settings documented there, each a member of its function's group when the context
 * carries a coordination.
 */
public final class AdaptiveLimiterProvider implements ConcurrencyLimiterProvider {

    /** The name configuration selects this provider by. */
    public static final String NAME = "adaptive";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ConcurrencyLimiter create(LimiterContext context) {
        return AdaptiveConcurrencyLimiter.builder()
                .name(context.function())
                .ticker(context.ticker())
                .settings(context.settings())
                .coordination(context.coordination())
                .build();
    }
}
