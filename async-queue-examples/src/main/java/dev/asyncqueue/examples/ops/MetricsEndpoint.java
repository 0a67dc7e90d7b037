package dev.asyncqueue.examples.ops;

import com.sun.net.httpserver.HttpServer;
import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.limiter.LimiterMetrics;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.metrics.QueueMetrics;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.NatsMetrics;
import dev.asyncqueue.worker.WorkerListener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.ConnectionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The worker's Prometheus metrics: one registry (per process, never a global), the bindings of each module that
 * feed it (queue, NATS, limiters), the poller that reads queue depth and limits, and the endpoint serving
 * {@code /metrics} and {@code /healthz} on {@code metrics_port}. {@link #close()} stops what it started.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final Duration pollInterval;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final NatsMetrics natsMetrics = new NatsMetrics(registry);
    private final Map<String, QueueMetrics> queueMetrics = new ConcurrentHashMap<>();
    private final List<LimiterMetrics> limiterMetrics = new ArrayList<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Threads.named("async-queue-metrics"));
    private HttpServer server;

    /** Metrics whose queue depth and limits are read every {@code pollInterval} once {@link #serve} is called. */
    public MetricsEndpoint(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    /** The registry every binding uses. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Give this to {@code NatsConnections.options(...)}: counts reconnects. */
    public void connectionEvent(ConnectionListener.Events event) {
        natsMetrics.connectionEvent(event);
    }

    /** Counts the queue's dead letters; returns it for chaining. */
    public JetStreamQueue countDeadLetters(JetStreamQueue queue) {
        natsMetrics.bind(queue);
        return queue;
    }

    /** The queue with its submissions counted, as ingest uses it. */
    public AsyncQueue meter(AsyncQueue queue) {
        return metricsOf(queue.name()).metered(queue);
    }

    /** What the worker of {@code queue} reports its calls to. */
    public WorkerListener listener(String queue) {
        return metricsOf(queue);
    }

    /** Publishes the current limit of each function the registry paces. */
    public void bindLimiters(LimiterRegistry limiters, String queue) {
        synchronized (limiterMetrics) {
            limiterMetrics.add(new LimiterMetrics(registry, limiters, queue));
        }
    }

    /**
     * Starts polling {@code queue}'s depth (and the limits), and serves {@code /metrics} and {@code /healthz} on
     * {@code port}. A port already taken is logged, not fatal: the worker itself matters more than its metrics.
     *
     * @return the port listened on, or -1 when none
     */
    public int serve(int port, JetStreamQueue queue, HealthCheck health) {
        QueueMetrics metrics = metricsOf(queue.name());
        poller.scheduleWithFixedDelay(() -> {
            metrics.refreshPending(queue);
            synchronized (limiterMetrics) {
                limiterMetrics.forEach(LimiterMetrics::refresh);
            }
        }, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        try {
            HttpServer started = HttpServer.create(new InetSocketAddress(port), 16);
            started.setExecutor(Executors.newSingleThreadExecutor(Threads.named("async-queue-metrics-http")));
            started.createContext("/metrics", exchange -> {
                try (exchange) {
                    Replies.send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
                }
            });
            started.createContext("/healthz", health.handler());
            started.start();
            server = started;
            log.info("metrics on :{} (/metrics, /healthz)", started.getAddress().getPort());
            return started.getAddress().getPort();
        } catch (IOException e) {
            log.error("cannot serve metrics on port {}: {}; the worker runs without them", port, e.getMessage());
            return -1;
        }
    }

    private QueueMetrics metricsOf(String queue) {
        return queueMetrics.computeIfAbsent(queue, q -> new QueueMetrics(registry, q));
    }

    /** Stops the poller and the endpoint, and closes the registry. */
    @Override
    public void close() {
        poller.shutdownNow();
        if (server != null) {
            server.stop(0);
            if (server.getExecutor() instanceof ExecutorService e) e.shutdownNow();
        }
        registry.close();
    }
}
