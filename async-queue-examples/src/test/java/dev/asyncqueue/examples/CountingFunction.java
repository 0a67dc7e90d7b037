package dev.asyncqueue.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A function gateway for load and fault tests: answers every call after a fixed delay and counts
 * calls per call id, keeping no request bodies, so tens of thousands of calls cost little memory.
 */
final class CountingFunction implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    private final ScheduledExecutorService delays = Executors.newScheduledThreadPool(2);
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong lastCallNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong longestGapNanos = new AtomicLong();
    private volatile Duration delay;

    CountingFunction(Duration delay) throws IOException {
        this.delay = delay;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
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
        String id = exchange.getRequestHeaders().getFirst("X-Call-Id");
        calls.computeIfAbsent(id == null ? "?" : id, k -> new AtomicInteger()).incrementAndGet();
        total.incrementAndGet();
        long now = System.nanoTime();
        long previous = lastCallNanos.getAndSet(now);
        longestGapNanos.accumulateAndGet(now - previous, Math::max);
        Duration wait = delay;
        if (wait.isZero()) {
            answer(exchange);
        } else {
            delays.schedule(() -> answer(exchange), wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void answer(HttpExchange exchange) {
        try (exchange) {
            exchange.sendResponseHeaders(200, -1);
        } catch (IOException ignored) {
            // The worker gave up on the call (it was killed); nothing to answer.
        }
    }

    /** Calls received in all, duplicates included. */
    long total() {
        return total.get();
    }

    /** Distinct call ids received. */
    int distinct() {
        return calls.size();
    }

    /** How many times this call id was invoked. */
    int count(String callId) {
        AtomicInteger n = calls.get(callId);
        return n == null ? 0 : n.get();
    }

    /** Calls beyond the first per call id. */
    long duplicates() {
        return total.get() - calls.size();
    }

    /** Starts measuring the longest pause between two calls afresh. */
    void resetGap() {
        lastCallNanos.set(System.nanoTime());
        longestGapNanos.set(0);
    }

    /** The longest time between two consecutive calls since {@link #resetGap()}. */
    Duration longestGap() {
        return Duration.ofNanos(longestGapNanos.get());
    }

    void awaitDistinct(int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (calls.size() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + expected + " distinct calls within " + timeout + ", got " + calls.size());
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        delays.shutdownNow();
    }
}
