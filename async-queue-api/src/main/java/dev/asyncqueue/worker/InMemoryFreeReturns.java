package dev.asyncqueue.worker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link FreeReturns} in this process's memory: bounded, the most recently used kept, because a call
 * finished by another worker never comes back here to be forgotten.
 */
final class InMemoryFreeReturns implements FreeReturns {
    /** Calls remembered at most. */
    static final int CAPACITY = 100_000;

    private final Map<String, Integer> counts;

    InMemoryFreeReturns() {
        this(CAPACITY);
    }

    InMemoryFreeReturns(int capacity) {
        this.counts = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > capacity;
            }
        });
    }

    @Override
    public void record(String callId) {
        counts.merge(callId, 1, Integer::sum);
    }

    @Override
    public int count(String callId) {
        return counts.getOrDefault(callId, 0);
    }

    @Override
    public void forget(String callId) {
        counts.remove(callId);
    }

    /** Calls remembered now. */
    int size() {
        return counts.size();
    }
}
