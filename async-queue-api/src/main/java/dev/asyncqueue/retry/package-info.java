/**
 * When and how soon a call is tried again: the {@link dev.asyncqueue.retry.RetryPolicy} (attempts,
 * statuses, back-off, {@code Retry-After}) and the {@link dev.asyncqueue.retry.RetryDecision} it makes
 * after each attempt, a pure function of the result, the retries so far, a random source and a clock.
 */
package dev.asyncqueue.retry;
