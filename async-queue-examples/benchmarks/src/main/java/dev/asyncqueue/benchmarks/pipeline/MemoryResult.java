package dev.asyncqueue.benchmarks.pipeline;

import java.util.List;

/**
 * What the memory case measured for one backlog.
 *
 * @param backlog      messages stored before the worker started
 * @param fillSeconds  how long storing them took (raw publishes of the encoded invocations)
 * @param samples      readings while draining
 */
record MemoryResult(int backlog, double fillSeconds, List<MemorySample> samples) {

    /** Copies the samples. */
    MemoryResult {
        samples = List.copyOf(samples);
    }

    /** The readings at equal work done: the first three, at a quarter, half and three quarters of the small backlog. */
    List<MemorySample> matched() {
        return samples.subList(0, Math.min(3, samples.size()));
    }

    static long maxHeapKib(List<MemorySample> samples) {
        return samples.stream().mapToLong(MemorySample::heapKib).max().orElse(0);
    }

    static long maxRssKib(List<MemorySample> samples) {
        return samples.stream().mapToLong(MemorySample::rssKib).max().orElse(0);
    }
}
