package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.benchmarks.FixedLatencyFunctions;
import dev.asyncqueue.nats.JetStreamQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Memory while draining: a queue-worker in its own JVM, started once a backlog is stored, read at equal work
 * done (a quarter, half and three quarters of the small backlog drained) and then every 10 s, so a small and
 * a large backlog can be compared.
 */
final class MemoryCase {
    private static final Logger log = LoggerFactory.getLogger(MemoryCase.class);

    private final PipelineStreams streams;
    private final PipelineSetup setup;
    private final String natsUrl;

    MemoryCase(PipelineStreams streams, PipelineSetup setup, String natsUrl) {
        this.streams = streams;
        this.setup = setup;
        this.natsUrl = natsUrl;
    }

    /** The small backlog, then the large one. */
    List<MemoryResult> run() throws Exception {
        return List.of(drain(setup.memorySmall()), drain(setup.memoryLarge()));
    }

    private MemoryResult drain(int backlog) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        log.info("memory: storing a backlog of {}", backlog);
        double fillSeconds = streams.fill(queue, backlog, 4096);
        log.info("memory: {} stored in {} s", backlog, Math.round(fillSeconds));
        Map<String, String> env = new HashMap<>();
        env.put("nats_url", natsUrl);
        env.put("queue_name", queue.name());
        env.put("role", "worker");
        env.put("scaling_mode", "static");
        env.put("max_inflight", Integer.toString(setup.maxInflight()));
        env.put("metrics_port", "0");
        env.put("status_enabled", "false");
        env.put("dead_letter_enabled", "false");
        Path logFile = Files.createTempFile("pipeline-worker-", ".log");
        FixedLatencyFunctions functions = FixedLatencyFunctions.start(Duration.ZERO);
        env.put("gateway_url", functions.gatewayUrl().toString());
        List<MemorySample> samples = new ArrayList<>();
        List<Long> targets = new ArrayList<>(List.of((long) setup.memorySmall() / 4, (long) setup.memorySmall() / 2,
                3L * setup.memorySmall() / 4));
        long t0 = System.nanoTime();
        try (WorkerMemoryProbe worker = WorkerMemoryProbe.start(
                List.of("-Xmx" + setup.memoryXmx(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), env, logFile)) {
            long nextTimed = Long.MAX_VALUE;
            // The equal-work readings may take a while on a large backlog: they get time beyond memory-seconds.
            long end = t0 + TimeUnit.SECONDS.toNanos(setup.memorySeconds()) + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                if (!worker.alive()) throw new IllegalStateException("worker JVM exited:\n" + worker.logText());
                long drained = backlog - streams.stored(queue);
                double seconds = (System.nanoTime() - t0) / 1e9;
                boolean due = !targets.isEmpty() && drained >= targets.get(0) || System.nanoTime() >= nextTimed;
                if (due) {
                    long heap = worker.heapAfterGcKib().orElse(-1);
                    long rss = worker.rssKib().orElse(-1);
                    samples.add(new MemorySample(seconds, drained, heap, rss));
                    log.info("memory {}: {} s, {} drained, heap after GC {} KiB, RSS {} KiB", backlog,
                            Math.round(seconds), drained, heap, rss);
                    if (!targets.isEmpty() && drained >= targets.get(0)) targets.remove(0);
                    if (targets.isEmpty()) {
                        if (nextTimed == Long.MAX_VALUE) end = t0 + TimeUnit.SECONDS.toNanos(setup.memorySeconds());
                        nextTimed = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    }
                }
                if (drained >= backlog && targets.isEmpty()) break;
                TimeUnit.MILLISECONDS.sleep(20);
            }
        } finally {
            functions.close();
            streams.deleteStreams(queue.name());
            Files.deleteIfExists(logFile);
        }
        return new MemoryResult(backlog, fillSeconds, samples);
    }
}
