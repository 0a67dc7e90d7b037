package dev.asyncqueue.benchmarks.pipeline;

import java.util.List;

/**
 * What a pipeline benchmark run is configured with.
 *
 * @param n              invocations per enqueue and dispatch repetition
 * @param httpN          invocations per end-to-end repetition
 * @param repeats        repetitions of each throughput case
 * @param warmup         invocations per warm-up pass of each throughput case (not reported)
 * @param warmupSeconds  warm-up passes repeat until each side has warmed up this long
 * @param window         outstanding enqueues (library) / publishes (raw) at most
 * @param httpWindow     outstanding ingest posts of the HTTP driver, and the raw HTTP loop's calls in flight
 * @param maxInflight    the worker's {@code max_inflight}
 * @param latencyCalls   sequential calls of the latency case
 * @param memorySmall    the small backlog of the memory case
 * @param memoryLarge    the large backlog of the memory case
 * @param memorySeconds  how long the large backlog's worker is sampled
 * @param memoryXmx      the worker JVM's {@code -Xmx}
 * @param cases          which cases run: {@code enqueue}, {@code dispatch}, {@code http}, {@code worker-http},
 *                       {@code worker-http-callbacks}, {@code worker-http-raw}, {@code latency}, {@code memory};
 *                       {@code endtoend} runs the end-to-end rows of {@code http} alone
 */
public record PipelineSetup(int n, int httpN, int repeats, int warmup, int warmupSeconds, int window, int httpWindow,
                            int maxInflight, int latencyCalls, int memorySmall, int memoryLarge, int memorySeconds,
                            String memoryXmx, List<String> cases) {

    /** Copies the case names. */
    public PipelineSetup {
        cases = List.copyOf(cases);
    }

    /** Whether the case of this name runs. */
    public boolean runs(String name) {
        return cases.contains(name);
    }
}
