package dev.asyncqueue.benchmarks.pipeline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.internal.Threads;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A no-op function on loopback that notes, by {@code X-Call-Id}, the {@link System#nanoTime()} at which each call
 * arrived (before reading its body), and answers 200 at once.
 */
final class ArrivalRecorder implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService handlers;
    private final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();

    ArrivalRecorder() throws IOException {
        handlers = Executors.newFixedThreadPool(2, Threads.named("arrival-recorder"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(handlers);
        server.createContext("/function/", this::handle);
        server.start();
    }

    /** The gateway URL to invoke it through. */
    URI gatewayUrl() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    /** Completes with the arrival time of the call with this id. */
    CompletableFuture<Long> arrival(String callId) {
        return arrivals.computeIfAbsent(callId, id -> new CompletableFuture<>());
    }

    /** Forgets a call's arrival. */
    void forget(String callId) {
        arrivals.remove(callId);
    }

    private void handle(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        String callId = exchange.getRequestHeaders().getFirst(CallHeaders.CALL_ID);
        if (callId != null) arrival(callId).complete(now);
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            exchange.sendResponseHeaders(200, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
