package dev.asyncqueue.benchmarks.limiter;

import com.sun.net.httpserver.HttpExchange;
import dev.asyncqueue.benchmarks.Bench;
import com.sun.net.httpserver.HttpServer;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated {@code sleep} function with an autoscaler, served on loopback at {@code /function/sleep}:
 * each replica takes {@link FarmSettings#callsPerReplica()} concurrent calls, the farm answers 429
 * above that across all replicas, and an accepted call is answered 200 after {@link
 * FarmSettings#callDuration()} by a scheduler, so no server thread waits. The autoscaler, from the first call
 * on, adds and removes replicas as {@link FarmSettings} says and keeps its decisions ({@link #history()}).
 */
public final class SleepFunctionFarm implements AutoCloseable {
    static {
        // A function server answers without Nagle's stall, as real ones do, whichever program starts it first.
        Bench.jdkServersWithoutNagle();
    }

    private static final Logger log = LoggerFactory.getLogger(SleepFunctionFarm.class);
    /** The path the function is served at. */
    public static final String PATH = "/function/sleep";
    /** A function served beside it that answers 200 at once, outside the replicas: warm-up calls use it. */
    public static final String WARMUP_PATH = "/function/warmup";
    private static final byte[] REFUSED = "too many requests: every replica is busy\n".getBytes(StandardCharsets.UTF_8);

    private final ReplicaPool pool;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService timers;
    /** Calls answered 200, by the {@code X-Call-Id} they carried: a call id done twice shows up here. */
    private final Map<String, Integer> doneById = new ConcurrentHashMap<>();
    /** When each call id was first answered 200, {@link System#nanoTime()}. */
    private final Map<String, Long> firstDone = new ConcurrentHashMap<>();
    private final AtomicLong firstArrival = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong warmups = new AtomicLong();

    private SleepFunctionFarm(FarmSettings settings) throws IOException {
        this.pool = new ReplicaPool(settings, Ticker.system());
        this.handlers = Executors.newFixedThreadPool(2, Threads.named("sleep-farm-http"));
        this.timers = Executors.newScheduledThreadPool(2, Threads.named("sleep-farm-timer"));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(handlers);
        server.createContext(PATH, this::handle);
        server.createContext(WARMUP_PATH, exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            warmups.incrementAndGet();
            respond(exchange, 200, "warm\n".getBytes(StandardCharsets.UTF_8));
        });
        server.start();
    }

    /** Starts a farm at its minimum replicas on a free loopback port. */
    public static SleepFunctionFarm start(FarmSettings settings) throws IOException {
        return new SleepFunctionFarm(settings);
    }

    /** The gateway URL to invoke it through: {@code http://127.0.0.1:<port>}. */
    public URI gatewayUrl() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
        }
        if (firstArrival.compareAndSet(Long.MIN_VALUE, System.nanoTime())) startAutoscaler();
        String callId = exchange.getRequestHeaders().getFirst("X-Call-Id");
        if (!pool.tryAdmit()) {
            respond(exchange, 429, REFUSED);
            return;
        }
        long nanos = pool.settings().callDuration().toNanos();
        timers.schedule(() -> {
            // The replica is free before the answer leaves, as with a real function's watchdog.
            pool.finish();
            if (callId != null) {
                doneById.merge(callId, 1, Integer::sum);
                firstDone.putIfAbsent(callId, System.nanoTime());
            }
            try {
                respond(exchange, 200, ("slept " + pool.settings().callDuration().toMillis() + " ms\n")
                        .getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                log.debug("answering a sleep call failed: {}", e.toString());
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The autoscaler's intervals count from the first call, so that every driver, the oracle and the workers alike,
     * meets the same phase: started with the farm, the first interval would hold a random stretch of idle time
     * before the burst, and whoever's burst came later in it would lose a second of growth to luck.
     */
    private void startAutoscaler() {
        pool.restartInterval();
        long interval = pool.settings().scaleInterval().toNanos();
        timers.scheduleAtFixedRate(this::autoscale, interval, interval, TimeUnit.NANOSECONDS);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void autoscale() {
        int before = pool.replicas();
        FarmSample sample = pool.autoscale();
        if (sample.replicas() != before) {
            log.debug("sleep farm: {} -> {} replicas (mean load {} of {}, {} refused in the interval)", before,
                    sample.replicas(), String.format("%.1f", sample.meanLoad()), before * pool.settings().callsPerReplica(),
                    sample.rejected());
        }
    }

    /** Replicas now. */
    public int replicas() {
        return pool.replicas();
    }

    /** Concurrent calls accepted now. */
    public int capacity() {
        return pool.capacity();
    }

    /** Calls running now. */
    public int running() {
        return pool.running();
    }

    /** Calls received, accepted or not. */
    public long requests() {
        return pool.arrived();
    }

    /** Calls answered 429. */
    public long rejected() {
        return pool.rejected();
    }

    /** Accepted calls that have ended. */
    public long completed() {
        return pool.completed();
    }

    /** How many times each call id (its {@code X-Call-Id} header) was answered 200 so far. */
    public Map<String, Integer> doneByCallId() {
        return Map.copyOf(doneById);
    }

    /** When each call id was first answered 200, as {@link System#nanoTime()}. */
    public Map<String, Long> firstDoneByCallId() {
        return Map.copyOf(firstDone);
    }

    /** Calls of the warm-up function answered so far. */
    public long warmups() {
        return warmups.get();
    }

    /** Call ids answered 200 at least once so far. */
    public int distinctDone() {
        return doneById.size();
    }

    /** When the first call arrived, as {@link System#nanoTime()}, or {@link Long#MIN_VALUE} before any. */
    public long firstArrival() {
        return firstArrival.get();
    }

    /** The autoscaler's decisions, one per scale interval, oldest first. */
    public List<FarmSample> history() {
        return pool.history();
    }

    /** The settings it runs with. */
    public FarmSettings settings() {
        return pool.settings();
    }

    /** Stops the server and the autoscaler; calls still sleeping are dropped. */
    @Override
    public void close() {
        server.stop(0);
        timers.shutdownNow();
        handlers.shutdownNow();
    }
}
