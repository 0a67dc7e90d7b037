package dev.asyncqueue.worker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Returns to the queue that did not use up a retry (the limiter said no, a 429 while the limiter paces
 * the function, shutdown), counted per call id, so the queue's delivery count can be turned back into
 * the retries a call has made. Bounded, most recently used kept: a call finished by another worker never
 * comes back here to be forgotten.
 */
final class FreeReturns {
    /** Calls remembered at most. */
    static final int CAPACITY = 100_000;

    private final Map<String, Integer> counts;

    FreeReturns() {
        this(CAPACITY);
    }

    FreeReturns(int capacity) {
        this.counts = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > capacity;
            }
        });
    }

    /** One more free return of the call. */
    void record(String callId) {
        counts.merge(callId, 1, Integer::sum);
    }

    /** Free returns of the call remembered so far. */
    int count(String callId) {
        return counts.getOrDefault(callId, 0);
    }

    /** Retries made before delivery {@code attempt} of the call: the deliveries before it that were not free returns. */
    int retriesBefore(String callId, int attempt) {
        return Math.max(0, attempt - 1 - count(callId));
    }

    /** The call is done: nothing more to correct. */
    void forget(String callId) {
        counts.remove(callId);
    }

    /** Calls remembered now. */
    int size() {
        return counts.size();
    }
}
