/**
 * Service-provider interfaces for swapping parts by name: {@link dev.asyncqueue.spi.InvokerProvider} and
 * {@link dev.asyncqueue.spi.ConcurrencyLimiterProvider}, found with {@link java.util.ServiceLoader} by
 * {@link dev.asyncqueue.spi.Providers}, which names what it found when a name is missing.
 */
package dev.asyncqueue.spi;
