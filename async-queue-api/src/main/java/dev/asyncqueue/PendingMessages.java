package dev.asyncqueue;

import java.util.Map;

/**
 * How much work a queue holds, for dashboards and queue-depth autoscaling. A message counts until
 * it is done, so calls in flight and calls waiting for a retry are included.
 *
 * @param total      every message in the queue
 * @param byFunction messages per function; messages whose function is not known without decoding
 *                   them (published on a legacy subject) count in {@code total} only
 */
public record PendingMessages(long total, Map<String, Long> byFunction) {
    /** Copies the counts. */
    public PendingMessages {
        byFunction = Map.copyOf(byFunction);
    }

    /** Messages waiting for one function. */
    public long forFunction(String function) {
        return byFunction.getOrDefault(function, 0L);
    }
}
