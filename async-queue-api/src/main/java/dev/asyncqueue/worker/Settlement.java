package dev.asyncqueue.worker;

import dev.asyncqueue.retry.RetryDecision;

import java.time.Duration;

/**
 * How one attempt's delivery is settled, as {@link SettlementRules} decides it.
 *
 * @param kind       what happens to the delivery
 * @param delay      how long until it is delivered again (zero when final)
 * @param reason     why, for logs and listeners
 * @param decision   the retry policy's decision, for listeners
 * @param retries    retries made, this attempt excluded ({@code X-Retry} on a final callback)
 * @param maxRetries retries allowed ({@code X-Retry-Max})
 */
record Settlement(Kind kind, Duration delay, String reason, RetryDecision decision, int retries, int maxRetries) {

    /** What happens to the delivery. */
    enum Kind {
        /** Back to the queue without using up a retry: the limiter, not the retry budget, paces the function. */
        RETURN,
        /** Back to the queue for another attempt, after the policy's delay. */
        RETRY,
        /** Done: acked after the callback was tried. */
        ACK,
        /** Done, retries exhausted on a status worth retrying: dead-lettered after the callback was tried. */
        DEAD_LETTER
    }

    /** True when the call ends here and its callback is due. */
    boolean isFinal() {
        return kind == Kind.ACK || kind == Kind.DEAD_LETTER;
    }
}
