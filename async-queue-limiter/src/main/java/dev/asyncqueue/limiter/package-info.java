/**
 * Per-function concurrency limiters (adaptive, fixed, unlimited), their
 * {@link dev.asyncqueue.spi.ConcurrencyLimiterProvider}s and the {@link dev.asyncqueue.limiter.LimiterRegistry}
 * that keeps one limiter per active function; adaptive limiters of several worker replicas may pace a
 * function together through a {@link dev.asyncqueue.spi.LimiterCoordination}, such as
 * {@link dev.asyncqueue.limiter.LocalLimiterCoordination} within one process.
 */
package dev.asyncqueue.limiter;
