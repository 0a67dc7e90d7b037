package dev.asyncqueue.benchmarks.limiter;

/**
 * One sample of a scenario run, taken every sampling period.
 *
 * @param seconds   since the worker started
 * @param limit     the limiter's limit for the function, or -1 when it has none (unlimited)
 * @param replicas  the farm's replicas
 * @param capacity  concurrent calls the farm accepts
 * @param running   calls running in the farm
 * @param rejected  429s answered so far
 * @param completed invocations with a final outcome so far
 */
public record TimelinePoint(double seconds, int limit, int replicas, int capacity, int running, long rejected,
                            long completed) {
}
