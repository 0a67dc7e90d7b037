package dev.asyncqueue.benchmarks.pipeline;

/** One side of a throughput case, the library or the raw floor: processes {@code n} invocations and times it. */
@FunctionalInterface
interface ThroughputSide {
    /** Processes {@code n} invocations; returns the timed section's reading. */
    Reading run(int n) throws Exception;
}
