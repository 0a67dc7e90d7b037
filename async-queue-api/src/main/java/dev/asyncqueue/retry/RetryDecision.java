package dev.asyncqueue.retry;

import java.time.Duration;

/**
 * What to do with an invocation after one attempt.
 *
 * @param retry whether to try again
 * @param delay how long to wait before the next try (zero when final)
 * @param reason why, for logs
 */
public record RetryDecision(boolean retry, Duration delay, String reason) {

    /** The attempt was the last one. */
    public static RetryDecision done(String reason) {
        return new RetryDecision(false, Duration.ZERO, reason);
    }

    /** Try again after {@code delay}. */
    public static RetryDecision retryAfter(Duration delay, String reason) {
        return new RetryDecision(true, delay, reason);
    }
}
