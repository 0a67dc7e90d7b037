package dev.asyncqueue.retry;

import dev.asyncqueue.InvocationResult;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * When and how soon an invocation is tried again. {@link dev.asyncqueue.config.WorkerSettings} reads one
 * from settings and applies a function's annotations to it.
 *
 * @param maxAttempts  tries in all, the first included ({@code max_retry_attempts}); 1 means never retry
 * @param retryCodes   statuses worth retrying ({@code retry_http_codes}); transport failures always are
 * @param initialWait  wait before the first retry ({@code initial_retry_wait})
 * @param maxWait      cap on the computed wait ({@code max_retry_wait})
 * @param backoff      how the wait grows ({@code backoff})
 */
public record RetryPolicy(int maxAttempts, Set<Integer> retryCodes, Duration initialWait, Duration maxWait,
                          Backoff backoff) {
    /** The statuses OpenFaaS retries by default. */
    public static final Set<Integer> DEFAULT_RETRY_CODES = Set.of(408, 429, 500, 502, 503, 504);
    /** The longest wait a {@code Retry-After} header can ask for; a function cannot park a message longer. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    /** Refuses a policy that cannot work: no attempt, or a maximum wait below the initial one. */
    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        retryCodes = Set.copyOf(retryCodes);
        Objects.requireNonNull(backoff, "backoff");
        if (initialWait.isNegative() || maxWait.compareTo(initialWait) < 0) {
            throw new IllegalArgumentException("need 0 <= initialWait <= maxWait, got " + initialWait + " and " + maxWait);
        }
    }

    /** OpenFaaS' defaults: 10 attempts, 10s to 120s exponential, 408/429/500/502/503/504. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(10, DEFAULT_RETRY_CODES, Duration.ofSeconds(10), Duration.ofSeconds(120),
                Backoff.EXPONENTIAL);
    }

    /** Whether a result is worth another try, ignoring the attempt budget. */
    public boolean isRetryable(InvocationResult result) {
        return result.isTransportFailure() || retryCodes.contains(result.status());
    }

    /**
     * Decides after an attempt.
     *
     * @param result     what the attempt returned
     * @param retriesSoFar retries already made before this attempt (0 for the first attempt)
     * @param random     uniform [0,1) source for jitter
     * @param clock      wall clock, to read a {@code Retry-After} date
     */
    public RetryDecision decide(InvocationResult result, int retriesSoFar, DoubleSupplier random, Clock clock) {
        if (result.isSuccess()) {
            return RetryDecision.done("succeeded with " + result.status());
        }
        if (!isRetryable(result)) {
            return RetryDecision.done("status " + result.status() + " is not retried");
        }
        if (retriesSoFar + 1 >= maxAttempts) {
            return RetryDecision.done("gave up after " + (retriesSoFar + 1) + " attempts, last status " + result.status());
        }
        Duration wait = delayBeforeRetry(retriesSoFar + 1, random);
        if (result.status() == 429 || result.status() == 503) {
            List<String> header = result.headers().entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase("Retry-After"))
                    .map(Map.Entry::getValue).findFirst().orElse(List.of());
            if (!header.isEmpty()) {
                Duration asked = RetryAfter.parse(header.get(0), clock.instant()).orElse(null);
                if (asked != null) {
                    wait = asked.compareTo(initialWait) < 0 ? initialWait
                            : asked.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : asked;
                }
            }
        }
        return RetryDecision.retryAfter(wait, "status " + result.status() + ", retry " + (retriesSoFar + 1)
                + " of " + (maxAttempts - 1));
    }

    /** The computed wait before retry number {@code retry} (1 for the first retry). */
    public Duration delayBeforeRetry(int retry, DoubleSupplier random) {
        long initialNanos = initialWait.toNanos();
        long maxNanos = maxWait.toNanos();
        int shift = Math.min(retry - 1, 62);
        // initial << shift stays within max (and cannot overflow) exactly when initial <= max >> shift.
        long exp = initialNanos <= (maxNanos >> shift) ? initialNanos << shift : maxNanos;
        long nanos = switch (backoff) {
            case EXPONENTIAL -> exp;
            case FULL -> (long) (random.getAsDouble() * exp);
            case EQUAL -> exp / 2 + (long) (random.getAsDouble() * (exp - exp / 2));
        };
        return Duration.ofNanos(nanos);
    }
}
