package dev.asyncqueue.spi;

import dev.asyncqueue.ConcurrencyLimiter;

/**
 * Makes per-function {@link ConcurrencyLimiter}s; found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/dev.asyncqueue.spi.ConcurrencyLimiterProvider} and chosen by {@link #name()}.
 */
public interface ConcurrencyLimiterProvider {

    /** The name configuration selects this provider by ({@code adaptive}, {@code fixed}, {@code none} are ours). */
    String name();

    /** Creates the limiter for one function. */
    ConcurrencyLimiter create(LimiterContext context);
}
