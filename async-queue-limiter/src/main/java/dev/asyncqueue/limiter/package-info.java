/**
 * Per-function concurrency limiters (adaptive, fixed, unlimited), their
 * {@link dev.asyncqueue.spi.ConcurrencyLimiterProvider}s and the {@link dev.asyncqueue.limiter.LimiterRegistry}
 * that keeps one limiter per active function.
 */
package dev.asyncqueue.limiter;
