package dev.asyncqueue.worker;

/**
 * Where a worker counts, per call, the returns to the queue that did not use up a retry (the limiter said
 * no, a 429 while the limiter paces the function, shutdown), so that the queue's delivery count can be
 * turned back into the retries a call made ({@code X-Retry}) and a call cannot go back for free for ever.
 *
 * <p>The default, {@link #inMemory()}, lives as long as the worker: after a restart, or on another worker,
 * earlier free returns count as retries, so a call gets fewer retries than allowed, never more. A store
 * that outlives the worker and is shared by all workers of the queue (the status bucket, say) keeps the
 * count right. Its methods are called on the threads that settle calls: answer from memory where possible
 * and never block for long.
 */
public interface FreeReturns {

    /** One more free return of the call. */
    void record(String callId);

    /** Free returns of the call counted so far. */
    int count(String callId);

    /** The call is done: its count is no longer needed. */
    void forget(String callId);

    /**
     * Retries made before delivery {@code attempt} of the call: the deliveries before it that were not
     * free returns. The first delivery follows none, and asks nothing of the store.
     */
    default int retriesBefore(String callId, int attempt) {
        if (attempt <= 1) return 0;
        return Math.max(0, attempt - 1 - count(callId));
    }

    /** Counts kept in this process's memory, bounded: the most recently used calls are kept. */
    static FreeReturns inMemory() {
        return new InMemoryFreeReturns();
    }
}
