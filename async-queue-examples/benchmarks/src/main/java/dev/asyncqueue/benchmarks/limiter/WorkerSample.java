package dev.asyncqueue.benchmarks.limiter;

import java.util.Map;

/**
 * One sample of a run with several worker processes, taken every sampling period.
 *
 * @param seconds  since the burst's enqueueing began
 * @param limits   each worker's {@code queue_worker_concurrency_limit} for the function, by worker name; a worker
 *                 is absent while it has no limiter for the function, before it started and once it was killed
 * @param capacity concurrent calls the farm accepts
 * @param running  calls running in the farm
 * @param received calls the farm received so far
 * @param rejected 429s answered so far
 * @param done     distinct call ids answered 200 so far
 */
record WorkerSample(double seconds, Map<String, Integer> limits, int capacity, int running, long received,
                    long rejected, int done) {

    /** Copies the limits. */
    WorkerSample {
        limits = Map.copyOf(limits);
    }

    /** The limits of all workers sampled added up. */
    int total() {
        return limits.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The limits of {@code workers} added up, those not sampled counting 0. */
    int totalOf(java.util.Collection<String> workers) {
        return workers.stream().mapToInt(w -> limits.getOrDefault(w, 0)).sum();
    }
}
