package dev.asyncqueue.examples;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.limiter.AdaptiveLimiterProvider;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.examples.ops.CallStatusService;
import dev.asyncqueue.examples.ops.HealthCheck;
import dev.asyncqueue.examples.ops.MetricsEndpoint;
import dev.asyncqueue.examples.ops.OperationsConfig;
import dev.asyncqueue.nats.FunctionConsumerStrategy;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.KvLimiterCoordination;
import dev.asyncqueue.nats.NatsConnections;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.spi.LimiterCoordination;
import dev.asyncqueue.spi.Providers;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.callback.CallbackSender;
import dev.asyncqueue.callback.GuardedCallbackSender;
import dev.asyncqueue.http.HttpCallbackSender;
import dev.asyncqueue.http.HttpInvoker;
import io.nats.client.Connection;
import io.nats.client.api.StorageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable queue-worker: an ingest endpoint ({@code POST /async-function/{name}}) and a worker
 * on one JetStream queue, configured by environment variables ({@link AppConfig} reads them). With no NATS
 * configured it starts a local {@code nats-server} for development.
 */
public final class QueueWorkerApp implements AutoCloseable {
    private final Logger log = LoggerFactory.getLogger(QueueWorkerApp.class);
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AppConfig config;
    private JetStreamQueue queue;
    private QueueWorker worker;
    private IngestServer ingest;
    private MetricsEndpoint metrics;
    private CallStatusService callStatus;
    private int metricsPort = -1;

    private QueueWorkerApp(AppConfig config) {
        this.config = config;
    }

    /** Runs until SIGTERM or SIGINT; a configuration error exits with status 2 naming the variable. */
    public static void main(String[] args) throws Exception {
        // The metrics port's JDK HTTP server writes headers and body separately; with Nagle's algorithm on,
        // a keep-alive client's delayed ACK stalls every exchange until its timer fires.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // Our provider (log_encoding=json for JSON lines) must win over slf4j-simple, also on the class path;
        // SLF4J reads this once, at the first logger: set it before anything logs.
        System.setProperty("slf4j.provider", "dev.asyncqueue.examples.logging.LineLoggingProvider");
        System.setProperty("slf4j.internal.verbosity", "WARN"); // no plain-text "loading provider" line
        if (Boolean.parseBoolean(System.getenv().getOrDefault("debug", "false"))) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        }
        AppConfig config;
        try {
            config = AppConfig.from(Settings.fromEnvironment());
        } catch (ConfigurationException e) {
            System.err.println("configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        QueueWorkerApp app;
        try {
            app = start(config);
        } catch (ConfigurationException e) {
            // Some values (gateway_url, a provider's own settings) are only checked as their part starts.
            System.err.println("configuration error: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot start the queue-worker: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "async-queue-shutdown"));
        app.stopped.await();
    }

    /** Starts everything the configuration asks for; on failure, stops what was started. */
    public static QueueWorkerApp start(AppConfig config) throws IOException {
        QueueWorkerApp app = new QueueWorkerApp(config);
        try {
            app.startAll();
            return app;
        } catch (IOException | RuntimeException e) {
            app.close();
            throw e;
        }
    }

    /** Starts from a map of settings, as the environment would give them (for tests and embedding). */
    public static QueueWorkerApp start(Map<String, String> settings) throws IOException {
        return start(AppConfig.from(Settings.of(settings)));
    }

    private void startAll() throws IOException {
        log.info("starting queue-worker: {}", config);
        Settings settings = config.settings();
        String natsUrl = config.natsUrl();
        if (natsUrl.isEmpty()) {
            if (!LocalNatsServer.isInstalled()) {
                throw new IOException("no NATS configured (nats_url or nats_host) and no nats-server on the PATH; "
                        + LocalNatsServer.INSTALL_HINT);
            }
            LocalNatsServer server = LocalNatsServer.builder().port(portOr4222()).start();
            resources.push(server);
            natsUrl = server.url();
            log.info("no nats_url or nats_host set: started a local nats-server on {} with JetStream in {} (development only)",
                    natsUrl, server.storeDir());
            settings = settings.with(Map.of("nats_url", natsUrl));
        }
        OperationsConfig operations = config.operations();
        MetricsEndpoint metrics = new MetricsEndpoint(operations.metricsPollInterval());
        this.metrics = metrics;
        resources.push(metrics);
        Connection connection = NatsConnections.connect(
                NatsConnections.options(settings, "async-queue-" + config.queue(), metrics::connectionEvent).build());
        resources.push(connection::close);
        CallStatusService status = operations.statusEnabled()
                ? CallStatusService.open(connection, operations.statusBucket(), operations.statusTtl(),
                        config.streamReplicas(), config.memoryStorage(), config.runsWorker())
                : CallStatusService.off();
        this.callStatus = status;
        resources.push(status);
        queue = openQueue(connection, config.queue());
        HealthCheck health = new HealthCheck(queue);
        QueueRouter router = new QueueRouter(config.queue(), config.functionQueues(), config.ingestQueues(),
                name -> status.track(metrics.meter(name.equals(config.queue()) ? queue : openQueue(connection, name))));

        if (config.runsIngest()) {
            IngestServer server = new IngestServer(config.port(), config.ingestLimits());
            ingest = server;
            resources.push(server);
            server.serve(IngestHandler.PREFIX, status.routes(new IngestHandler(router, WorkerSettings.callbackPolicy(settings),
                    config.ingestLimits().maxPending())));
            server.serveAlways("/healthz", health.route());
            if (config.demoFunctions()) {
                DemoFunctions demo = new DemoFunctions();
                resources.push(demo);
                server.serve("/function/", demo);
                server.serve("/demo/", demo);
            }
            server.start();
            log.info("ingest listening on :{} (POST /async-function/NAME){}", ingestPort(),
                    config.demoFunctions() ? "; demo functions at /function/{echo,sleep,status}, callbacks at /demo/callback" : "");
        }

        if (config.runsWorker()) {
            if (config.runsIngest() && config.demoFunctions() && settings.get(WorkerSettings.GATEWAY_URL).isEmpty()) {
                // The demo functions are served on the ingest's port: the default gateway (port 8080) would
                // miss them whenever port is set to anything else.
                settings = settings.with(Map.of(WorkerSettings.GATEWAY_URL, "http://127.0.0.1:" + ingestPort()));
            }
            Invoker invoker = Providers.invoker(config.invoker()).create(settings);
            if (invoker instanceof AutoCloseable closeable) resources.push(closeable);
            boolean functionMode = config.scalingMode() == ScalingMode.FUNCTION;
            ConsumerStrategy strategy = functionMode
                    ? FunctionConsumerStrategy.builder(queue).ackWait(config.ackWait())
                            .inactiveThreshold(config.inactiveThreshold()).build()
                    : StaticConsumerStrategy.builder(queue).ackWait(config.ackWait()).build();
            // Pacing per function needs a consumer per function: static mode stays a greedy FIFO, as OpenFaaS'
            // worker is.
            boolean paced = functionMode && config.limiterEnabled();
            LimiterLookup limiters = LimiterLookup.unlimited();
            if (config.limiterCoordination() && !paced) {
                log.warn("limiter_coordination=kv has no effect: it needs scaling_mode=function and limiter_enabled=true");
            }
            if (paced) {
                LimiterCoordination coordination = LimiterCoordination.none();
                if (config.limiterCoordination()) {
                    KvLimiterCoordination kv = KvLimiterCoordination.builder(connection)
                            .member(config.workerName()).settings(settings).build();
                    // Pushed before the worker: closed after it stops, which deletes this worker's keys so the
                    // others take its share at once.
                    resources.push(kv);
                    coordination = kv;
                    log.info("limiter coordination on: member {} in bucket {}", kv.member(),
                            settings.string(KvLimiterCoordination.BUCKET_SETTING, KvLimiterCoordination.DEFAULT_BUCKET));
                }
                LimiterRegistry registry = LimiterRegistry.fromSettings(settings, Ticker.system(), coordination);
                Map<String, String> fixed = config.functionMaxInflight();
                limiters = fixed.isEmpty() ? registry : new ConfiguredLimitsFirst(registry, fixed);
                metrics.bindLimiters(registry, config.queue());
                String provider = registry.providerName();
                if (provider.equals(AdaptiveLimiterProvider.NAME)) {
                    log.info("adaptive concurrency on: an adaptive limiter per function");
                } else {
                    log.info("concurrency limits on: a {} limiter per function", provider);
                }
            }
            // The worker checks each callback again just before posting (the host may resolve elsewhere by then) and signs it.
            // Callbacks share the HTTP invoker's client and pool, as the OpenFaaS worker shares one client.
            HttpCallbackSender callbackSender = invoker instanceof HttpInvoker http
                    ? http.callbackSender(config.callbackTimeout())
                    : new HttpCallbackSender(config.callbackTimeout());
            resources.push(callbackSender);
            CallbackSender callbacks = new GuardedCallbackSender(callbackSender, WorkerSettings.callbackPolicy(settings),
                    WorkerSettings.callbackSigner(settings));
            // The worker evicts idle limiters on its own timer. A 429 waits in the queue whenever the app paces,
            // whichever provider it names (the worker's default would follow the provider).
            worker = QueueWorker.builder()
                    .name(config.queue())
                    .callbacks(callbacks)
                    .consumer(strategy)
                    .limiters(limiters)
                    .rejectionsWaitInQueue(paced, Duration.ofMillis(500))
                    .invoker(invoker)
                    .retryPolicy(config.retryPolicy())
                    .invocationTimeout(WorkerSettings.upstreamTimeout(settings))
                    .maxInflight(config.maxInflight())
                    .keepAliveInterval(keepAliveFor(config.ackWait()))
                    .shutdownGrace(config.shutdownGrace())
                    .callbackTimeout(config.callbackTimeout())
                    .listener(status.listener(metrics.listener(config.queue())))
                    .cancellations(status.cancellations())
                    .freeReturns(status.freeReturns())
                    .build();
            worker.start();
            resources.push(worker);
        }
        metricsPort = metrics.serve(config.metricsPort(), queue, health);
        log.info("queue-worker ready: queue {} (stream {})", config.queue(), queue.streamName());
    }

    /** The queue's stream as configured, dead letters kept as configured, and counted. */
    private JetStreamQueue openQueue(Connection connection, String name) {
        OperationsConfig operations = config.operations();
        return metrics.countDeadLetters(JetStreamQueue.builder(connection)
                .queue(name)
                .replicas(config.streamReplicas())
                .storage(config.memoryStorage() ? StorageType.Memory : StorageType.File)
                .maxMessageBytes(config.maxMessageBytes())
                .deadLetters(operations.deadLetterEnabled())
                .deadLetterMaxAge(operations.deadLetterMaxAge())
                .build());
    }

    /** Functions given a limit by {@code function_max_inflight} get it, unless their annotation sets one. */
    private record ConfiguredLimitsFirst(LimiterRegistry registry, Map<String, String> fixed) implements LimiterLookup {
        @Override
        public ConcurrencyLimiter limiterFor(String function, Map<String, String> annotations) {
            String limit = fixed.get(function);
            if (limit == null || annotations.containsKey(LimiterRegistry.MAX_INFLIGHT_ANNOTATION)) {
                return registry.limiterFor(function, annotations);
            }
            Map<String, String> withLimit = new HashMap<>(annotations);
            withLimit.put(LimiterRegistry.MAX_INFLIGHT_ANNOTATION, limit);
            return registry.limiterFor(function, withLimit);
        }

        @Override
        public boolean limits() {
            return registry.limits();
        }

        @Override
        public List<String> evictIdle() {
            return registry.evictIdle();
        }
    }

    /** Keep-alives three times per ack wait, so one lost one does not cause a redelivery. */
    static Duration keepAliveFor(Duration ackWait) {
        return Duration.ofMillis(Math.max(50, ackWait.toMillis() / 3));
    }

    private static int portOr4222() {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(4222, 1, java.net.InetAddress.getLoopbackAddress())) {
            return 4222;
        } catch (IOException busy) {
            return 0;
        }
    }

    /** The port {@code /metrics} and {@code /healthz} are served on, -1 when none (useful with {@code metrics_port=0}). */
    public int metricsPort() {
        return metricsPort;
    }

    /** The Prometheus metrics and their endpoint. */
    public MetricsEndpoint metrics() {
        return metrics;
    }

    /** Call status and cancellation (passing everything through when {@code status_enabled=false}). */
    public CallStatusService callStatus() {
        return callStatus;
    }

    /** The port the ingest endpoint listens on (useful with {@code port=0}). */
    public int ingestPort() {
        return ingest == null ? -1 : ingest.port();
    }

    /** The queue this app serves. */
    public JetStreamQueue queue() {
        return queue;
    }

    /** The worker, when this process runs one. */
    public QueueWorker worker() {
        return worker;
    }

    /** Stops the worker (letting calls finish), the ingest endpoint, the connection and a local server. */
    @Override
    public synchronized void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", resource, e.toString());
            }
        }
        stopped.countDown();
    }
}
