package dev.asyncqueue.benchmarks;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds deliveries the queue redelivered on its own: a call that starts with a higher delivery attempt
 * than the worker's own returns and retries explain was delivered before and never settled, so the
 * server redelivered it once its ack wait expired.
 */
public final class AttemptAudit {
    /** Per call id, the delivery attempt the worker's own settlements lead to expect next. */
    private final ConcurrentHashMap<String, Integer> expected = new ConcurrentHashMap<>();
    private final AtomicLong unexplained = new AtomicLong();
    private final AtomicLong callsAffected = new AtomicLong();

    /** A call starts with this delivery attempt. */
    public void started(String callId, int attempt) {
        expected.compute(callId, (id, next) -> {
            int want = next == null ? 1 : next;
            if (attempt > want) {
                unexplained.addAndGet(attempt - want);
                callsAffected.incrementAndGet();
            }
            return attempt;
        });
    }

    /** The worker sent the call back to the queue (a retry, or a return without one). */
    public void requeued(String callId) {
        expected.merge(callId, 2, (next, one) -> next + 1);
    }

    /** Deliveries redelivered by the queue without the worker returning them. */
    public long unexplainedRedeliveries() {
        return unexplained.get();
    }

    /** Calls that had at least one such redelivery. */
    public long callsAffected() {
        return callsAffected.get();
    }
}
