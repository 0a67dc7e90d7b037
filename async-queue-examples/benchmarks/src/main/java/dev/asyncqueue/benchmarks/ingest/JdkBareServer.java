package dev.asyncqueue.benchmarks.ingest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asyncqueue.internal.Threads;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's {@code HttpServer} as the example app runs it: a pool of 16 threads (the ingest's default
 * {@code ingest_threads}) reads the body and hands it over; the answer is sent by whichever thread completes
 * the action, so no thread waits for NATS.
 */
final class JdkBareServer implements BareServer {
    private static final int THREADS = 16;

    private final HttpServer server;
    private final ExecutorService executor;

    private JdkBareServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static JdkBareServer start(Action action) throws IOException {
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, Threads.named("bare-jdk"));
        HttpServer server = HttpServer.create(new InetSocketAddress(0), 128);
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, action));
        server.start();
        return new JdkBareServer(server, executor);
    }

    private static void handle(HttpExchange exchange, Action action) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        action.apply(body).whenComplete((done, error) -> {
            try (exchange) {
                exchange.sendResponseHeaders(error == null ? 202 : 500, -1);
            } catch (IOException | RuntimeException e) {
                // The caller went away: nothing to answer.
            }
        });
    }

    @Override
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
