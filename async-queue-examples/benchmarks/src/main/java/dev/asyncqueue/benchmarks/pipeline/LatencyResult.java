package dev.asyncqueue.benchmarks.pipeline;

/**
 * What the latency case measured: enqueue acknowledged to the function receiving the call, one call at a time.
 *
 * @param library   the library's readings, nanoseconds, sorted
 * @param floor     the raw loop's readings, nanoseconds, sorted
 */
record LatencyResult(long[] library, long[] floor) {
}
