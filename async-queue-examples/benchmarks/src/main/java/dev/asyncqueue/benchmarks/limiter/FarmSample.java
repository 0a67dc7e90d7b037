package dev.asyncqueue.benchmarks.limiter;

import java.time.Duration;

/**
 * What the farm's autoscaler saw in one scale interval and what it decided.
 *
 * @param at         end of the interval, from the farm's start
 * @param replicas   replicas after the decision
 * @param capacity   concurrent calls the farm accepts after the decision
 * @param meanLoad   time-weighted mean of the calls running during the interval
 * @param arrived    calls that arrived during the interval
 * @param rejected   of those, the ones answered 429
 */
public record FarmSample(Duration at, int replicas, int capacity, double meanLoad, long arrived, long rejected) {
}
