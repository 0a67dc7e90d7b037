package dev.asyncqueue.examples;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.examples.ops.OperationsConfig;
import dev.asyncqueue.nats.KvLimiterCoordination;
import dev.asyncqueue.nats.NatsConnections;
import dev.asyncqueue.retry.RetryPolicy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The example queue-worker's configuration: the one place the app reads its settings, documented variable by
 * variable in the README's <i>Configuration</i> table (OpenFaaS names and defaults). The app's own variables
 * are read and validated here, and the parts of the app take the typed values below, never the raw settings;
 * a bad value stops start-up with a message naming the variable.
 *
 * <p>The variables of library parts (the retry policy, callbacks, the NATS connection and its credentials, the
 * limiter provider) are read by those modules' own readers: {@link #from} calls each of them once, so that
 * their bad values too stop start-up before anything starts, and {@link #settings()} hands the same settings to
 * them when the app builds those parts. A provider's own variables (such as the {@code http} invoker's
 * {@code gateway_url}) are checked as the provider starts. {@code log_encoding} and {@code debug} are also read
 * by the logging provider ({@code logging.LogSettings}), which starts with the first log line, before this
 * record exists; it falls back to defaults where this record refuses a value.
 *
 * @param role               {@code all} (ingest and worker), {@code ingest} or {@code worker}
 * @param queue              {@code queue_name} (or {@code nats_stream}), default {@code faas-request}
 * @param scalingMode        {@code scaling_mode}: {@code static} or {@code function}
 * @param natsUrl            the NATS server(s), or empty to start a local nats-server (development)
 * @param streamReplicas     {@code nats_stream_replicas}
 * @param memoryStorage      {@code nats_storage=memory} instead of file
 * @param maxMessageBytes    {@code max_message_bytes}: largest stored invocation (1 MiB)
 * @param maxInflight        {@code max_inflight}
 * @param ackWait            {@code ack_wait}
 * @param retryPolicy        from {@code max_retry_attempts}, {@code retry_http_codes}, waits and {@code backoff}
 * @param invoker            {@code invoker}: the name of the invoker provider ({@code http})
 * @param limiterEnabled     {@code limiter_enabled}: adaptive concurrency per function (function mode)
 * @param limiter            {@code limiter_provider}: the limiter provider's name when enabled ({@code adaptive})
 * @param limiterCoordination {@code limiter_coordination=kv}: the workers' limiters share each function's capacity
 *                           through a NATS key-value bucket ({@code none} by default)
 * @param workerName         {@code worker_name}: this worker's member id in that bucket (default host name and pid)
 * @param functionMaxInflight {@code function_max_inflight}: fixed limits per function ({@code fn=5,...}), as the
 *                           annotation {@code com.openfaas.queue.max_inflight} sets them
 * @param functionQueues     {@code function_queues}: the queue of each function routed by annotation ({@code fn=queue,...})
 * @param ingestQueues       {@code ingest_queues}: more queues the ingest accepts by {@code X-Queue-Name}
 * @param inactiveThreshold  {@code consumer_inactive_threshold}
 * @param port               {@code port}: the ingest endpoint's port (8080)
 * @param ingestLimits       {@code ingest_threads}, {@code ingest_queue_size}, {@code ingest_max_pending}: what the
 *                           ingest takes on at once before it answers 503
 * @param metricsPort        {@code metrics_port} (8081)
 * @param demoFunctions      {@code demo_functions}: serve demo functions and a callback receiver on the ingest port
 * @param shutdownGrace      {@code shutdown_grace}: time given to calls in flight on stop
 * @param callbackTimeout    {@code callback_timeout}
 * @param debug              {@code debug}
 * @param logEncoding        {@code log_encoding}: {@code console} or {@code json}
 * @param operations         dead letters, call status and metrics polling ({@code dead_letter_*}, {@code status_*},
 *                           {@code metrics_poll_interval})
 * @param settings           all settings, handed to the library parts' own readers and to providers
 */
public record AppConfig(String role, String queue, ScalingMode scalingMode, String natsUrl, int streamReplicas,
                        boolean memoryStorage, long maxMessageBytes, int maxInflight, Duration ackWait,
                        RetryPolicy retryPolicy, String invoker, boolean limiterEnabled, String limiter,
                        boolean limiterCoordination, String workerName,
                        Map<String, String> functionMaxInflight, Map<String, String> functionQueues,
                        Set<String> ingestQueues, Duration inactiveThreshold, int port, IngestLimits ingestLimits,
                        int metricsPort,
                        boolean demoFunctions, Duration shutdownGrace, Duration callbackTimeout, boolean debug,
                        String logEncoding, OperationsConfig operations, Settings settings) {

    /** Reads and validates everything. */
    public static AppConfig from(Settings s) {
        String queue = s.first("queue_name", "nats_stream").orElse(Invocation.DEFAULT_QUEUE);
        if (!Invocation.QUEUE_NAME.matcher(queue).matches()) {
            throw new ConfigurationException(s.get("queue_name").isPresent() ? "queue_name" : "nats_stream",
                    "'" + queue + "' must match " + Invocation.QUEUE_NAME.pattern());
        }
        boolean natsGiven = s.first("nats_url", "nats_host", "nats_port").isPresent();
        String natsUrl = natsGiven ? NatsConnections.url(s) : "";
        Duration ackWait = positive(s, "ack_wait", Duration.ofSeconds(30));
        RetryPolicy retry = WorkerSettings.retryPolicy(s);
        positive(s, "upstream_timeout", Duration.ofMinutes(1));
        s.bool("tls_insecure", false);
        ScalingMode mode = ScalingMode.valueOf(s.choice("scaling_mode", "static", "static", "function")
                .toUpperCase(Locale.ROOT));
        Map<String, String> functionQueues = functionQueues(s);
        Set<String> ingestQueues = ingestQueues(s);
        invokerProvider(s.string("invoker", "http"));
        WorkerSettings.callbackPolicy(s); // validates callback_allowed_hosts, callback_allow_link_local
        WorkerSettings.callbackSigner(s); // validates callback_signing_secret
        NatsConnections.validate(s); // validates nats_user ... nats_tls_ca, nats_connect_timeout
        LimiterRegistry.fromSettings(s, Ticker.system()); // validates the limiter_* settings and provider
        boolean coordinated = "kv".equals(s.choice("limiter_coordination", "none", "none", "kv"));
        limiterCoordinationSettings(s);
        String workerName = workerName(s);
        OperationsConfig operations = operations(s);
        return new AppConfig(
                s.choice("role", "all", "all", "ingest", "worker"),
                queue,
                mode,
                natsUrl,
                s.integer("nats_stream_replicas", 1, 1, 5),
                "memory".equals(s.choice("nats_storage", "file", "file", "memory")),
                s.longValue("max_message_bytes", 1024 * 1024, 4096, 64L * 1024 * 1024),
                s.integer("max_inflight", 50, 1, 100_000),
                ackWait,
                retry,
                s.string("invoker", "http"),
                s.bool("limiter_enabled", true),
                s.string("limiter_provider", "adaptive"),
                coordinated,
                workerName,
                functionMaxInflight(s),
                functionQueues,
                ingestQueues,
                positive(s, "consumer_inactive_threshold", Duration.ofSeconds(30)),
                s.integer("port", 8080, 0, 65535),
                ingestLimits(s),
                s.integer("metrics_port", 8081, 0, 65535),
                s.bool("demo_functions", false),
                nonNegative(s, "shutdown_grace", Duration.ofSeconds(10)),
                positive(s, "callback_timeout", Duration.ofSeconds(30)),
                s.bool("debug", false),
                s.choice("log_encoding", "console", "console", "json"),
                operations,
                s);
    }

    /** An unknown invoker stops start-up naming {@code invoker} and listing the providers found. */
    private static void invokerProvider(String name) {
        try {
            dev.asyncqueue.spi.Providers.invoker(name);
        } catch (IllegalStateException e) {
            throw new ConfigurationException("invoker", e.getMessage());
        }
    }

    /**
     * {@code limiter_coordination_bucket}, {@code _heartbeat} and {@code _ttl}, checked here because the
     * coordination that reads them is only built once NATS is connected.
     */
    private static void limiterCoordinationSettings(Settings s) {
        String bucket = s.string(KvLimiterCoordination.BUCKET_SETTING, KvLimiterCoordination.DEFAULT_BUCKET);
        if (!bucket.matches("[-a-zA-Z0-9_]+")) {
            throw new ConfigurationException(KvLimiterCoordination.BUCKET_SETTING,
                    "use letters, digits, '-' and '_', got '" + bucket + "'");
        }
        Duration heartbeat = positive(s, KvLimiterCoordination.HEARTBEAT_SETTING, KvLimiterCoordination.DEFAULT_HEARTBEAT);
        Duration ttl = positive(s, KvLimiterCoordination.TTL_SETTING, KvLimiterCoordination.DEFAULT_TTL);
        if (ttl.compareTo(heartbeat) <= 0) {
            throw new ConfigurationException(KvLimiterCoordination.TTL_SETTING,
                    "must be longer than " + KvLimiterCoordination.HEARTBEAT_SETTING + " (" + heartbeat + "), got " + ttl);
        }
    }

    /** {@code worker_name}, or the host name and process id with anything but letters, digits, '-' and '_' as '-'. */
    private static String workerName(Settings s) {
        Optional<String> given = s.get("worker_name");
        if (given.isPresent()) {
            if (!given.get().matches("[-a-zA-Z0-9_]{1,64}")) {
                throw new ConfigurationException("worker_name",
                        "use 1 to 64 letters, digits, '-' and '_', got '" + given.get() + "'");
            }
            return given.get();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "worker";
        }
        return (host + "-" + ProcessHandle.current().pid()).replaceAll("[^-a-zA-Z0-9_]", "-");
    }

    private static Map<String, String> functionMaxInflight(Settings s) {
        Map<String, String> limits = new LinkedHashMap<>();
        for (String pair : s.string("function_max_inflight", "").split(",")) {
            if (pair.isBlank()) continue;
            String[] parts = pair.split("=", 2);
            if (parts.length != 2 || !Invocation.FUNCTION_NAME.matcher(parts[0].trim()).matches()
                    || !parts[1].trim().matches("[1-9]\\d{0,5}")) {
                throw new ConfigurationException("function_max_inflight",
                        "expected function=limit pairs (limit a positive whole number), got '" + pair + "'");
            }
            limits.put(parts[0].trim(), parts[1].trim());
        }
        return Map.copyOf(limits);
    }

    /** {@code function_queues}: function=queue pairs, as the {@code com.openfaas.queue} annotation sets them. */
    private static Map<String, String> functionQueues(Settings s) {
        Map<String, String> mapping = new LinkedHashMap<>();
        for (String pair : s.string("function_queues", "").split(",")) {
            if (pair.isBlank()) continue;
            String[] parts = pair.split("=", 2);
            if (parts.length != 2 || !Invocation.FUNCTION_NAME.matcher(parts[0].trim()).matches()
                    || !Invocation.QUEUE_NAME.matcher(parts[1].trim()).matches()) {
                throw new ConfigurationException("function_queues", "expected function=queue pairs separated by commas, got '"
                        + pair + "'");
            }
            mapping.put(parts[0].trim(), parts[1].trim());
        }
        return Map.copyOf(mapping);
    }

    /** {@code ingest_queues}: queue names separated by commas. */
    private static Set<String> ingestQueues(Settings s) {
        Set<String> names = new TreeSet<>();
        for (String name : s.string("ingest_queues", "").split(",")) {
            if (name.isBlank()) continue;
            if (!Invocation.QUEUE_NAME.matcher(name.trim()).matches()) {
                throw new ConfigurationException("ingest_queues", "'" + name + "' is not a valid queue name");
            }
            names.add(name.trim());
        }
        return Set.copyOf(names);
    }

    /** {@code ingest_threads}, {@code ingest_queue_size} and {@code ingest_max_pending}. */
    private static IngestLimits ingestLimits(Settings s) {
        IngestLimits d = IngestLimits.DEFAULTS;
        return new IngestLimits(s.integer("ingest_threads", d.threads(), 1, 1024),
                s.integer("ingest_queue_size", d.queueSize(), 1, 1_000_000),
                s.integer("ingest_max_pending", d.maxPending(), 1, 1_000_000));
    }

    /** {@code dead_letter_*}, {@code status_*} and {@code metrics_poll_interval}. */
    private static OperationsConfig operations(Settings s) {
        Duration maxAge = s.duration("dead_letter_max_age", Duration.ofDays(7));
        if (maxAge.isNegative()) throw new ConfigurationException("dead_letter_max_age", "must not be negative");
        String bucket = s.string("status_bucket", "async-queue-status");
        if (!bucket.matches("[-a-zA-Z0-9_]+")) {
            throw new ConfigurationException("status_bucket", "use letters, digits, '-' and '_', got '" + bucket + "'");
        }
        return new OperationsConfig(
                s.bool("dead_letter_enabled", true),
                maxAge,
                s.bool("status_enabled", true),
                bucket,
                positive(s, "status_ttl", Duration.ofHours(24)),
                positive(s, "metrics_poll_interval", Duration.ofSeconds(5)));
    }

    /** Whether this process accepts invocations over HTTP. */
    public boolean runsIngest() {
        return !"worker".equals(role);
    }

    /** Whether this process works the queue. */
    public boolean runsWorker() {
        return !"ingest".equals(role);
    }

    private static Duration positive(Settings s, String name, Duration defaultValue) {
        Duration d = s.duration(name, defaultValue);
        if (d.isZero() || d.isNegative()) throw new ConfigurationException(name, "must be positive, got " + d);
        return d;
    }

    private static Duration nonNegative(Settings s, String name, Duration defaultValue) {
        Duration d = s.duration(name, defaultValue);
        if (d.isNegative()) throw new ConfigurationException(name, "must not be negative, got " + d);
        return d;
    }

    /** Secrets stay in {@link #settings()}, whose own toString masks them. */
    @Override
    public String toString() {
        return "AppConfig[role=" + role + ", queue=" + queue + ", scaling_mode=" + scalingMode.settingValue() + ", nats="
                + (natsUrl.isEmpty() ? "local" : natsUrl.replaceAll("//[^@/]*@", "//****@")) + ", max_inflight=" + maxInflight
                + ", ack_wait=" + ackWait + ", retry=" + retryPolicy + ", invoker=" + invoker
                + ", limiter=" + (limiterEnabled ? limiter : "off")
                + (limiterEnabled && limiterCoordination ? " (coordinated as " + workerName + ")" : "") + ", port=" + port + "]";
    }
}
