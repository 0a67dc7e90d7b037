package dev.asyncqueue.examples;

import com.sun.net.httpserver.HttpServer;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One worker keeps 50 functions busy for a bounded time (60 s, or {@code -Dsoak.seconds=N}); the heap
 * after warm-up must not grow beyond {@value #HEAP_GROWTH_BOUND_MB} MiB and no call id may be lost or
 * invoked twice. Tagged {@code soak}; it runs in the default build and in CI.
 */
@Tag("soak")
class SoakTest {
    private static final Logger log = LoggerFactory.getLogger(SoakTest.class);
    /** Allowed growth of the live heap (after GC) from the end of warm-up to the end of the run. */
    static final long HEAP_GROWTH_BOUND_MB = 24;
    private static final int FUNCTIONS = 50;
    private static final int MAX_CALLS = 2_000_000;
    private static final int BACKLOG = 2_000;

    @Test
    void fiftyFunctionsBusyThroughOneWorkerForAMinuteLoseNothingAndTheHeapStaysFlat() throws Exception {
        long seconds = Long.getLong("soak.seconds", 60);
        long warmUpSeconds = Math.max(5, seconds / 4);
        // Counts per call id in one preallocated array, so the test's own bookkeeping does not grow the heap.
        AtomicIntegerArray calls = new AtomicIntegerArray(MAX_CALLS);
        AtomicLong invoked = new AtomicLong();
        ExecutorService functionThreads = Executors.newFixedThreadPool(8);
        ScheduledExecutorService delays = Executors.newScheduledThreadPool(2);
        HttpServer functions = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        functions.setExecutor(functionThreads);
        functions.createContext("/function/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            String id = exchange.getRequestHeaders().getFirst("X-Call-Id");
            calls.incrementAndGet(Integer.parseInt(id.substring(id.indexOf('-') + 1)));
            invoked.incrementAndGet();
            // 2 ms of "work" each: 50 in flight means the worker, not the function, is the limit.
            delays.schedule(() -> {
                try (exchange) {
                    exchange.sendResponseHeaders(200, -1);
                } catch (java.io.IOException ignored) {
                    // worker gave up; counted already
                }
            }, 2, TimeUnit.MILLISECONDS);
        });
        functions.start();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<String> samples = new ArrayList<>();
        try (LocalNatsServer server = LocalNatsServer.start();
             Connection producerConnection = Nats.connect(server.url());
             QueueWorkerApp app = QueueWorkerApp.start(Map.of("nats_url", server.url(), "queue_name", "soak", "role", "worker",
                     "port", "0", "metrics_port", "0", "max_inflight", "50",
                     "gateway_url", "http://127.0.0.1:" + functions.getAddress().getPort()))) {
            JetStreamQueue queue = JetStreamQueue.builder(producerConnection).queue("soak").build();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long warmUpEnd = start + TimeUnit.SECONDS.toNanos(warmUpSeconds);
            long nextSample = warmUpEnd;
            long baseline = -1;
            long peakAfterWarmUp = 0;
            int enqueued = 0;
            while (System.nanoTime() < end) {
                // Keep a backlog so the worker never waits for work, without flooding the stream.
                if (enqueued - invoked.get() < BACKLOG && enqueued < MAX_CALLS) {
                    List<java.util.concurrent.CompletableFuture<?>> batch = new ArrayList<>();
                    for (int i = 0; i < 200; i++, enqueued++) {
                        batch.add(queue.enqueue(Invocation.builder("fn-" + (enqueued % FUNCTIONS)).queue("soak")
                                .callId("soak-" + enqueued).body(new byte[256]).build()).toCompletableFuture());
                    }
                    for (var receipt : batch) receipt.get(10, TimeUnit.SECONDS);
                } else {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
                if (System.nanoTime() >= nextSample) {
                    long used = liveHeap(memory);
                    if (baseline < 0) baseline = used;
                    peakAfterWarmUp = Math.max(peakAfterWarmUp, used);
                    samples.add((TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)) + "s:" + used / (1024 * 1024) + "MiB");
                    nextSample += TimeUnit.SECONDS.toNanos(5);
                }
            }
            long loadedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (invoked.get() < enqueued && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(20);
            long finalHeap = liveHeap(memory);

            int lost = 0;
            int duplicates = 0;
            for (int i = 0; i < enqueued; i++) {
                int n = calls.get(i);
                if (n == 0) lost++;
                if (n > 1) duplicates += n - 1;
            }
            long growthMb = (finalHeap - baseline) / (1024 * 1024);
            log.warn("FIGURES soak: {} s, {} functions, {} calls ({} /s), lost {}, duplicates {}, live heap after warm-up {} MiB,"
                            + " at the end {} MiB (growth {} MiB, bound {} MiB), samples {}",
                    loadedSeconds, FUNCTIONS, enqueued, enqueued / Math.max(1, loadedSeconds), lost, duplicates,
                    baseline / (1024 * 1024), finalHeap / (1024 * 1024), growthMb, HEAP_GROWTH_BOUND_MB, samples);
            assertEquals(0, lost, "no call id lost");
            assertEquals(0, duplicates, "without failures every call is invoked exactly once");
            assertTrue(enqueued > 10_000, "the worker was kept busy: " + enqueued + " calls");
            assertTrue(growthMb <= HEAP_GROWTH_BOUND_MB, "live heap grew " + growthMb + " MiB after warm-up: " + samples);
        } finally {
            functions.stop(0);
            functionThreads.shutdownNow();
            delays.shutdownNow();
        }
    }

    /** Heap in use after a full collection: what the process keeps alive. */
    private static long liveHeap(MemoryMXBean memory) throws InterruptedException {
        System.gc();
        TimeUnit.MILLISECONDS.sleep(100);
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
