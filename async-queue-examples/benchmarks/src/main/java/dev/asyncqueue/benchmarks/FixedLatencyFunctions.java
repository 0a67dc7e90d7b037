package dev.asyncqueue.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asyncqueue.internal.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every {@code /function/<name>} on loopback, answering 200 after a fixed latency (scheduled, so no
 * server thread waits) and never refusing: functions of unbounded capacity, for measuring the queue.
 */
public final class FixedLatencyFunctions implements AutoCloseable {
    static {
        // A function server answers without Nagle's stall, as real ones do, whichever program starts it first.
        Bench.jdkServersWithoutNagle();
    }

    private static final Logger log = LoggerFactory.getLogger(FixedLatencyFunctions.class);
    private static final byte[] OK = "ok\n".getBytes(StandardCharsets.UTF_8);

    private final Duration latency;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService timers;
    private final AtomicLong requests = new AtomicLong();

    private FixedLatencyFunctions(Duration latency) throws IOException {
        this.latency = latency;
        this.handlers = Executors.newFixedThreadPool(2, Threads.named("latency-functions-http"));
        this.timers = Executors.newSingleThreadScheduledExecutor(Threads.named("latency-functions-timer"));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(handlers);
        server.createContext("/function/", this::handle);
        server.start();
    }

    /** Starts the functions on a free loopback port. */
    public static FixedLatencyFunctions start(Duration latency) throws IOException {
        if (latency.isNegative()) throw new IllegalArgumentException("latency must not be negative");
        return new FixedLatencyFunctions(latency);
    }

    /** The gateway URL to invoke them through. */
    public URI gatewayUrl() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    /** Calls received. */
    public long requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
        }
        requests.incrementAndGet();
        timers.schedule(() -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, OK.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(OK);
                }
            } catch (IOException e) {
                log.debug("answering a call failed: {}", e.toString());
            }
        }, latency.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops the server; calls not yet answered are dropped. */
    @Override
    public void close() {
        server.stop(0);
        timers.shutdownNow();
        handlers.shutdownNow();
    }
}
