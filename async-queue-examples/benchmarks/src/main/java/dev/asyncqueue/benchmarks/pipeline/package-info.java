/**
 * The pipeline benchmark ({@code bin/benchmark pipeline}): the library against what a bare jnats client does
 * with the same server and messages in the same run. Each case is a class of its own (enqueue, dispatch, end to
 * end, latency, memory) over shared streams, its results a record of its own, and
 * {@code PipelineReport} turns them into {@code BENCHMARKS.md} and its chart.
 */
package dev.asyncqueue.benchmarks.pipeline;
