package dev.asyncqueue.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.KvLimiterCoordination;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two queue-worker apps in function mode on a real nats-server, sharing one function that takes a fixed
 * number of calls at once and answers 429 above it, drain a backlog twice: with independent limiters
 * ({@code limiter_coordination=none}) and with coordinated ones ({@code kv}). Nothing is lost either way;
 * coordinated, the function refuses under 5 % of the calls it receives and a smaller share than with
 * independent limiters, and both workers are members of the coordination bucket while they run and leave
 * it when they close.
 */
class CoordinatedLimitersTest {
    private static final Logger log = LoggerFactory.getLogger(CoordinatedLimitersTest.class);
    private static final int CAPACITY = 6;
    private static final int CALLS = 600;
    private static final Duration CALL_TIME = Duration.ofMillis(50);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", toClose.get(i), e.toString());
            }
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        toClose.add(resource);
        return resource;
    }

    @Test
    void twoCoordinatedWorkersDrainASharedFunctionWithFewerRefusalsThanIndependentOnesAndLeaveTheBucketOnClose()
            throws Exception {
        LocalNatsServer nats = closeLater(LocalNatsServer.start());
        Connection observer = closeLater(Nats.connect(nats.url()));

        Refusals independent = drain(nats, "none", "alone", null);
        Refusals coordinated = drain(nats, "kv", "shared", observer);
        log.info("429s of the calls received: independent {}, coordinated {}", independent, coordinated);
        // Two independent limiters each probe into the other's share; shared, the pair probes as one limiter:
        // one refused probe per many calls at capacity, plus a few as the two start together.
        assertTrue(coordinated.percent() < 5.0, "coordinated: " + coordinated + "; independent: " + independent);
        assertTrue(coordinated.percent() < independent.percent(),
                "coordinated: " + coordinated + "; independent: " + independent);
    }

    /** What the function refused of what it received. */
    private record Refusals(long refused, long received) {
        double percent() {
            return 100.0 * refused / received;
        }

        @Override
        public String toString() {
            return refused + " of " + received + String.format(" (%.2f %%)", percent());
        }
    }

    /**
     * Two workers drain {@link #CALLS} calls of one capped function; with {@code observer}, checks that both are
     * in the coordination bucket while they run and gone once they close.
     */
    private Refusals drain(LocalNatsServer nats, String coordination, String queue, Connection observer) throws Exception {
        try (CappedFunction function = new CappedFunction(CAPACITY, CALL_TIME);
             QueueWorkerApp first = worker(nats, function, coordination, queue, "w1");
             QueueWorkerApp second = worker(nats, function, coordination, queue, "w2")) {
            List<String> ids = enqueue(first.queue(), CALLS);
            KeyValue bucket = null;
            if (observer != null) {
                KeyValue kv = awaitBucket(observer, Duration.ofSeconds(10));
                bucket = kv;
                awaitTrue(() -> members(kv).containsAll(Set.of("w1", "w2")), Duration.ofSeconds(10),
                        () -> "both workers in the bucket while they run, saw " + members(kv));
            }
            awaitTrue(() -> function.succeeded.size() == CALLS, Duration.ofSeconds(30),
                    () -> coordination + ": " + function.succeeded.size() + " of " + CALLS + " calls done");
            List<String> lost = ids.stream().filter(id -> !function.succeeded.containsKey(id)).toList();
            assertEquals(List.of(), lost, coordination + ": calls lost");
            Refusals refusals = new Refusals(function.refused.get(), function.received.get());
            if (bucket != null) {
                KeyValue kv = bucket;
                first.close();
                second.close();
                awaitTrue(() -> members(kv).isEmpty(), Duration.ofSeconds(5),
                        () -> "workers still in the bucket after closing: " + members(kv));
            }
            return refusals;
        }
    }

    private static QueueWorkerApp worker(LocalNatsServer nats, CappedFunction function, String coordination, String queue,
                                         String name) throws IOException {
        Map<String, String> settings = new HashMap<>(Map.of("nats_url", nats.url(), "queue_name", queue,
                "role", "worker", "scaling_mode", "function", "gateway_url", function.baseUrl().toString(),
                "port", "0", "metrics_port", "0", "shutdown_grace", "1s"));
        settings.put("limiter_coordination", coordination);
        settings.put("worker_name", name);
        settings.put("nats_storage", "memory");
        return QueueWorkerApp.start(settings);
    }

    private static List<String> enqueue(JetStreamQueue queue, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<?>> receipts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "call-" + i;
            ids.add(id);
            receipts.add(queue.enqueue(Invocation.builder("capped").queue(queue.name()).callId(id).build())
                    .toCompletableFuture());
        }
        CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        return ids;
    }

    private static KeyValue awaitBucket(Connection connection, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                connection.keyValueManagement().getStatus(KvLimiterCoordination.DEFAULT_BUCKET);
                return connection.keyValue(KvLimiterCoordination.DEFAULT_BUCKET);
            } catch (io.nats.client.JetStreamApiException notYet) {
                if (System.nanoTime() > deadline) throw new AssertionError("no coordination bucket after " + timeout);
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    /** Member ids with a live key in the bucket (keys are {@code <function token>.<member id>}). */
    private static Set<String> members(KeyValue bucket) {
        try {
            Set<String> members = new java.util.TreeSet<>();
            for (String key : bucket.keys()) members.add(key.substring(key.lastIndexOf('.') + 1));
            return members;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> message)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError(message.get());
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** A function that takes {@code capacity} calls at once, each for a fixed time, and answers 429 above that. */
    private static final class CappedFunction implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor = Executors.newFixedThreadPool(16);
        private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
        private final int capacity;
        private final Duration callTime;
        private final AtomicInteger running = new AtomicInteger();
        final AtomicLong received = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final Map<String, Boolean> succeeded = new ConcurrentHashMap<>();

        CappedFunction(int capacity, Duration callTime) throws IOException {
            this.capacity = capacity;
            this.callTime = callTime;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        URI baseUrl() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            received.incrementAndGet();
            int now = running.incrementAndGet();
            if (now > capacity) {
                running.decrementAndGet();
                refused.incrementAndGet();
                answer(exchange, 429);
                return;
            }
            String id = exchange.getRequestHeaders().getFirst("X-Call-Id");
            delays.schedule(() -> {
                running.decrementAndGet();
                if (id != null) succeeded.put(id, Boolean.TRUE);
                answer(exchange, 200);
            }, callTime.toMillis(), TimeUnit.MILLISECONDS);
        }

        private static void answer(HttpExchange exchange, int status) {
            try (exchange) {
                exchange.sendResponseHeaders(status, -1);
            } catch (IOException ignored) {
                // the worker gave up on the call; nothing to answer
            }
        }

        @Override
        public void close() {
            server.stop(0);
            delays.shutdownNow();
            executor.shutdownNow();
        }
    }
}
