package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.retry.RetryDecision;
import dev.asyncqueue.retry.RetryPolicy;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Turns what one attempt came to into its {@link Settlement}: a 429 while rejections wait in the queue
 * goes back for free (at most {@code maxFreeReturns} times per call, so no call circulates for ever);
 * anything else goes to the function's retry policy, with the retries counted as the queue's deliveries
 * less the free returns. Reads the free returns, never changes them.
 */
final class SettlementRules {
    private final RetryPolicy policy;
    private final boolean rejectionsWaitInQueue;
    private final Duration rejectionDelay;
    private final int maxFreeReturns;
    private final FreeReturns freeReturns;
    private final DoubleSupplier random;
    private final Clock clock;

    SettlementRules(RetryPolicy policy, boolean rejectionsWaitInQueue, Duration rejectionDelay, int maxFreeReturns,
                    FreeReturns freeReturns, DoubleSupplier random, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.rejectionsWaitInQueue = rejectionsWaitInQueue;
        this.rejectionDelay = Objects.requireNonNull(rejectionDelay, "rejectionDelay");
        this.maxFreeReturns = maxFreeReturns;
        this.freeReturns = Objects.requireNonNull(freeReturns, "freeReturns");
        this.random = Objects.requireNonNull(random, "random");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What follows delivery {@code attempt} of {@code invocation} ending with {@code result}. */
    Settlement afterResult(Invocation invocation, int attempt, InvocationResult result) {
        String callId = invocation.callId();
        if (rejectionsWaitInQueue && result.status() == 429 && freeReturns.count(callId) < maxFreeReturns) {
            return new Settlement(Settlement.Kind.RETURN, rejectionDelay, invocation.function() + " answered 429",
                    RetryDecision.retryAfter(rejectionDelay, "rejected"), 0, 0);
        }
        RetryPolicy own = WorkerSettings.retryPolicyFor(policy, invocation.annotations());
        int retries = freeReturns.retriesBefore(callId, attempt);
        RetryDecision decision = own.decide(result, retries, random, clock);
        if (decision.retry()) {
            return new Settlement(Settlement.Kind.RETRY, decision.delay(), decision.reason(), decision, retries,
                    own.maxAttempts() - 1);
        }
        // A status that is not retried is the function's answer, not a failure of delivery: acked like a success.
        boolean exhausted = !result.isSuccess() && own.isRetryable(result);
        return new Settlement(exhausted ? Settlement.Kind.DEAD_LETTER : Settlement.Kind.ACK, Duration.ZERO,
                decision.reason(), decision, retries, own.maxAttempts() - 1);
    }

    /** What follows the cancellation of delivery {@code attempt} of {@code invocation}: acked, never retried. */
    Settlement cancelled(Invocation invocation, int attempt) {
        RetryPolicy own = WorkerSettings.retryPolicyFor(policy, invocation.annotations());
        return new Settlement(Settlement.Kind.ACK, Duration.ZERO, "cancelled", RetryDecision.done("cancelled"),
                freeReturns.retriesBefore(invocation.callId(), attempt), own.maxAttempts() - 1);
    }
}
