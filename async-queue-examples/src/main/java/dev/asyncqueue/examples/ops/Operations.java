package dev.asyncqueue.examples.ops;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.Threads;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.limiter.LimiterMetrics;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.metrics.QueueMetrics;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.KvStatusStore;
import dev.asyncqueue.nats.NatsMetrics;
import dev.asyncqueue.status.StatusRecorder;
import dev.asyncqueue.status.StatusStore;
import dev.asyncqueue.worker.Cancellations;
import dev.asyncqueue.worker.WorkerListener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.StorageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Everything the example worker adds for operators, wired in one place: the Prometheus registry and
 * the metrics endpoint ({@code /metrics}, {@code /healthz} on {@code metrics_port}), dead-letter settings
 * for each queue opened, call states and cancellations in a key-value bucket, and the status routes on
 * the ingest port. {@link #close()} stops what it started.
 */
public final class Operations implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Operations.class);

    private final OperationsConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final NatsMetrics natsMetrics = new NatsMetrics(registry);
    private final Map<String, QueueMetrics> queueMetrics = new ConcurrentHashMap<>();
    private final List<LimiterMetrics> limiterMetrics = new ArrayList<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Threads.named("async-queue-metrics"));
    private KvStatusStore store;
    private StatusRecorder recorder;
    private HttpServer metricsServer;

    /** Reads the settings; nothing starts until the methods below are called. */
    public Operations(Settings settings) {
        this.config = OperationsConfig.from(settings);
    }

    /** The settings read. */
    public OperationsConfig config() {
        return config;
    }

    /** The registry every binding uses (one per process, never a global). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Give this to {@code NatsConnections.options(...)}: counts reconnects. */
    public void connectionEvent(ConnectionListener.Events event) {
        natsMetrics.connectionEvent(event);
    }

    /** Opens the status bucket (when enabled) on the connection; {@code watch} when this process runs a worker. */
    public void connected(Connection connection, boolean watch, int replicas, boolean memory) {
        if (!config.statusEnabled()) return;
        store = KvStatusStore.builder(connection).bucket(config.statusBucket()).ttl(config.statusTtl())
                .replicas(replicas).storage(memory ? StorageType.Memory : StorageType.File)
                .watchCancellations(watch).build();
        recorder = new StatusRecorder(store, Clock.systemUTC());
    }

    /** Applies the dead-letter settings to a queue about to be built. */
    public JetStreamQueue.Builder configure(JetStreamQueue.Builder builder) {
        return builder.deadLetters(config.deadLetterEnabled()).deadLetterMaxAge(config.deadLetterMaxAge());
    }

    /** Counts the queue's dead letters; returns it for chaining. */
    public JetStreamQueue bind(JetStreamQueue queue) {
        natsMetrics.bind(queue);
        return queue;
    }

    /** The queue as ingest should use it: submissions counted, calls recorded as queued. */
    public AsyncQueue track(AsyncQueue queue) {
        AsyncQueue metered = metricsOf(queue.name()).metered(queue);
        return recorder == null ? metered : recorder.track(metered);
    }

    /** What the worker of {@code queue} reports to: metrics and call states. */
    public WorkerListener workerListener(String queue) {
        return recorder == null ? metricsOf(queue) : WorkerListener.all(metricsOf(queue), recorder);
    }

    /** Where the worker hears of cancellations. */
    public Cancellations cancellations() {
        return store == null ? Cancellations.NONE : store;
    }

    /** The status store, when call status is on. */
    public Optional<StatusStore> statusStore() {
        return Optional.ofNullable(store);
    }

    /** The ingest handler with {@code GET /async-function/status/{id}} and {@code DELETE /async-function/{id}} in front. */
    public HttpHandler routes(HttpHandler ingest) {
        return new StatusRoutes(ingest, statusStore(), Clock.systemUTC());
    }

    /** Publishes the current limit of each function the registry paces. */
    public void bindLimiters(LimiterRegistry limiters, String queue) {
        synchronized (limiterMetrics) {
            limiterMetrics.add(new LimiterMetrics(registry, limiters, queue));
        }
    }

    /**
     * Starts polling {@code queue}'s depth (and the limits) every {@code metrics_poll_interval}, and serves
     * {@code /metrics} and {@code /healthz} on {@code port}. A port already taken is logged, not fatal:
     * the worker itself is more important than its metrics.
     *
     * @return the port listened on, or -1 when none
     */
    public int serve(int port, JetStreamQueue queue) {
        long every = config.metricsPollInterval().toMillis();
        QueueMetrics metrics = metricsOf(queue.name());
        poller.scheduleWithFixedDelay(() -> {
            metrics.refreshPending(queue);
            synchronized (limiterMetrics) {
                limiterMetrics.forEach(LimiterMetrics::refresh);
            }
        }, 0, every, TimeUnit.MILLISECONDS);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
            server.setExecutor(Executors.newSingleThreadExecutor(Threads.named("async-queue-metrics-http")));
            server.createContext("/metrics", exchange -> {
                try (exchange) {
                    send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
                }
            });
            server.createContext("/healthz", exchange -> {
                try (exchange) {
                    String problem = healthProblem(queue);
                    send(exchange, problem == null ? 200 : 503, "text/plain; charset=utf-8",
                            problem == null ? "ok\n" : problem + "\n");
                }
            });
            server.start();
            metricsServer = server;
            log.info("metrics on :{} (/metrics, /healthz)", server.getAddress().getPort());
            return server.getAddress().getPort();
        } catch (IOException e) {
            log.error("cannot serve metrics on port {}: {}; the worker runs without them", port, e.getMessage());
            return -1;
        }
    }

    /** Null when ready: connected to NATS and the queue's stream exists. */
    static String healthProblem(JetStreamQueue queue) {
        if (queue.connection().getStatus() != Connection.Status.CONNECTED) {
            return "NATS not connected (" + queue.connection().getStatus() + ")";
        }
        try {
            queue.connection().jetStreamManagement().getStreamInfo(queue.streamName());
            return null;
        } catch (JetStreamApiException e) {
            return "stream " + queue.streamName() + " unavailable: " + e.getErrorDescription();
        } catch (IOException | RuntimeException e) {
            return "stream " + queue.streamName() + " unavailable: " + e.getMessage();
        }
    }

    private QueueMetrics metricsOf(String queue) {
        return queueMetrics.computeIfAbsent(queue, q -> new QueueMetrics(registry, q));
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, int code, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        if (metricsServer != null) {
            metricsServer.stop(0);
            if (metricsServer.getExecutor() instanceof java.util.concurrent.ExecutorService e) e.shutdownNow();
        }
        if (store != null) store.close();
        registry.close();
    }
}
