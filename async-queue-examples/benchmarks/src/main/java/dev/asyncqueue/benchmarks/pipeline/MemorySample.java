package dev.asyncqueue.benchmarks.pipeline;

/**
 * One reading of the worker JVM's memory.
 *
 * @param seconds      since the worker JVM was started
 * @param drained      messages gone from the stream when the reading was taken
 * @param heapKib      live heap: what survived a full GC
 * @param rssKib       resident set
 */
record MemorySample(double seconds, long drained, long heapKib, long rssKib) {
}
