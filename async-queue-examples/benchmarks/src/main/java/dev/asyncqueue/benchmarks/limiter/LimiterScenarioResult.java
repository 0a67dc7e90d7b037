package dev.asyncqueue.benchmarks.limiter;

import java.time.Duration;
import java.util.List;

/**
 * What one run of the limiter scenario measured.
 *
 * @param label          "limiter off" or "limiter on (adaptive)"
 * @param invocations    invocations enqueued
 * @param drained        whether every invocation reached a final outcome before the time-out
 * @param drainTime      worker start to the last final outcome (to the time-out when not drained)
 * @param sent           HTTP calls the function received
 * @param rejected       of those, answered 429
 * @param retries        retries that used the retry budget (a retryable status under the retry policy)
 * @param freeReturns    deliveries returned to the queue without using a retry (a 429 under the limiter)
 * @param succeeded      invocations that ended with 2xx
 * @param failed         invocations that ended otherwise (retries exhausted, status not retried)
 * @param highestAttempt highest delivery attempt number seen at a call's start
 * @param redelivered    deliveries the queue redelivered without the worker returning them (ack wait expired)
 * @param p50            median time from worker start to an invocation's final outcome
 * @param p95            95th percentile of the same
 * @param p99            99th percentile of the same
 * @param dispatcherCpu  CPU time of the worker's dispatcher thread during the run
 * @param processCpu     CPU time of the whole JVM (worker, HTTP client, simulated farm) during the run
 * @param natsCpu        CPU time of the nats-server process during the run
 * @param limiterAtEnd   the function's limiter as it described itself when the run ended
 * @param timeline       samples taken every sampling period
 * @param farmHistory    the autoscaler's decisions
 */
public record LimiterScenarioResult(String label, int invocations, boolean drained, Duration drainTime, long sent,
                                    long rejected, long retries, long freeReturns, long succeeded, long failed,
                                    int highestAttempt, long redelivered, Duration p50, Duration p95, Duration p99,
                                    Duration dispatcherCpu, Duration processCpu, Duration natsCpu, String limiterAtEnd,
                                    List<TimelinePoint> timeline, List<FarmSample> farmHistory) {

    /** Copies the samples. */
    public LimiterScenarioResult {
        timeline = List.copyOf(timeline);
        farmHistory = List.copyOf(farmHistory);
    }

    /** 429s as a share of the calls sent, 0 when none were sent. */
    public double rejectedShare() {
        return sent == 0 ? 0 : (double) rejected / sent;
    }

    /** The highest limit sampled, or -1 when the function had no limit. */
    public int peakLimit() {
        return timeline.stream().mapToInt(TimelinePoint::limit).max().orElse(-1);
    }

    /** Seconds from the worker's start until the farm first ran {@code replicas} replicas, or -1 if it never did. */
    public double firstReached(int replicas) {
        return timeline.stream().filter(p -> p.replicas() >= replicas).mapToDouble(TimelinePoint::seconds)
                .findFirst().orElse(-1);
    }

    /** Seconds from the worker's start at which the farm was first seen with one more replica than before. */
    public List<Double> scaleUps() {
        List<Double> at = new java.util.ArrayList<>();
        int replicas = timeline.isEmpty() ? 0 : timeline.get(0).replicas();
        for (TimelinePoint p : timeline) {
            if (p.replicas() > replicas) at.add(p.seconds());
            replicas = p.replicas();
        }
        return at;
    }

    /** Mean over the samples taken before the drain ended of {@code value / capacity}; 0 without samples. */
    public double meanShareOfCapacity(java.util.function.ToDoubleFunction<TimelinePoint> value) {
        double drained = drainTime.toNanos() / 1e9;
        return timeline.stream().filter(p -> p.seconds() <= drained && p.capacity() > 0)
                .mapToDouble(p -> value.applyAsDouble(p) / p.capacity()).average().orElse(0);
    }
}
