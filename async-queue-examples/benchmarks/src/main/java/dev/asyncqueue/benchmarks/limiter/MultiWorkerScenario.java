package dev.asyncqueue.benchmarks.limiter;

import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.benchmarks.Machine;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.nats.JetStreamQueue;
import io.nats.client.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The documented scenario with several queue-worker processes sharing the function: N example worker apps (each
 * its own JVM, its own adaptive limiter, {@code limiter_coordination=kv}) drain one burst from one queue on a real
 * nats-server, calling the simulated farm this process serves; one of them may be killed with SIGKILL and one
 * added while they run. Every worker's {@code queue_worker_concurrency_limit} is read from its {@code /metrics}
 * every sampling period; the farm counts what it received, refused and did, by call id. The oracle
 * ({@link OracleDriver}) runs the same burst against a fresh farm first.
 */
final class MultiWorkerScenario {
    private static final Logger log = LoggerFactory.getLogger(MultiWorkerScenario.class);
    private static final String FUNCTION = "sleep";
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(100);
    /** The workers' ack wait: a killed worker's unsettled messages come back after it, so the run waits it out. */
    static final Duration ACK_WAIT = Duration.ofSeconds(5);
    /** Seconds after enqueueing begins: the burst drains in about ten, so both changes land well inside it. */
    private static final int ORACLE_WARMUP = 200;
    private static final int WORKER_WARMUP = 500;
    static final String DEFAULT_KILL_AT = "3";
    static final String DEFAULT_ADD_AT = "5";

    /**
     * What a run with worker processes is configured with.
     *
     * @param workers     worker processes at the start
     * @param invocations the burst
     * @param maxInflight each worker's {@code max_inflight}
     * @param farm        the simulated function
     * @param kill        which worker to kill, 1 to {@code workers} ({@code worker-<kill>})
     * @param killAt      seconds after the first call reached the function to SIGKILL it, negative for none
     * @param addAt       seconds after the first call reached the function to start one more worker, negative for none
     * @param timeout     a run not drained by then is reported as such
     */
    record Setup(int workers, int invocations, int maxInflight, FarmSettings farm, int kill, double killAt, double addAt,
                 Duration timeout) {
    }

    private MultiWorkerScenario() {
    }

    /**
     * Runs {@code --workers=N} as the options say and rewrites that N's section of {@code <docs>/LIMITER.md}, its chart
     * and its samples.
     */
    static void main(Map<String, String> options, String[] args) throws Exception {
        int workers = Integer.parseInt(options.get("workers"));
        if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1");
        int kill = Integer.parseInt(options.getOrDefault("kill", Integer.toString(workers)));
        if (kill < 1 || kill > workers) throw new IllegalArgumentException("--kill must be from 1 to " + workers);
        // A kill and an add by default whenever someone survives the kill; with one worker, --kill-at and --add-at.
        String changes = workers > 1 ? "" : "none";
        Setup setup = new Setup(workers,
                Integer.parseInt(options.getOrDefault("invocations", "1000")),
                Integer.parseInt(options.getOrDefault("max-inflight", "50")),
                FarmSettings.documented().withCallDuration(
                        Duration.ofMillis(Long.parseLong(options.getOrDefault("call-ms", "200")))),
                kill,
                seconds(options.getOrDefault("kill-at", changes.isEmpty() ? DEFAULT_KILL_AT : changes)),
                seconds(options.getOrDefault("add-at", changes.isEmpty() ? DEFAULT_ADD_AT : changes)),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout-s", "300"))));
        Path docs = Path.of(options.getOrDefault("docs", "docs"));
        Machine machine = Machine.current();
        Instant started = Instant.now();
        WorkersResult run;
        try (LocalNatsServer nats = LocalNatsServer.start();
             Connection connection = Bench.connect(nats.url())) {
            log.info("nats-server {} on {}; {} worker processes, burst of {} invocations", machine.natsServer(), nats.url(),
                    workers, setup.invocations());
            run = run(connection, nats.url(), setup, "limiter-workers", coordinationOptions(options));
        }
        Files.createDirectories(docs);
        Path png = docs.resolve("limiter-workers-" + workers + ".png");
        Path csv = docs.resolve("limiter-workers-" + workers + ".csv");
        WorkersChart.write(run, png);
        Files.writeString(csv, WorkersReport.csv(run));
        String section = WorkersReport.section(setup, run, machine, started, String.join(" ", args),
                png.getFileName().toString(), csv.getFileName().toString());
        Path md = docs.resolve("LIMITER.md");
        Files.writeString(md, WorkersReport.replace(Files.exists(md) ? Files.readString(md) : "", workers, section));
        System.out.println(section);
        System.out.println("wrote the " + workers + "-worker section of " + md.toAbsolutePath() + " and " + png.toAbsolutePath());
    }

    /** {@code --heartbeat} and {@code --ttl}, handed to the workers as their coordination's settings when given. */
    private static Map<String, String> coordinationOptions(Map<String, String> options) {
        Map<String, String> env = new HashMap<>();
        if (options.containsKey("heartbeat")) env.put("limiter_coordination_heartbeat", options.get("heartbeat"));
        if (options.containsKey("ttl")) env.put("limiter_coordination_ttl", options.get("ttl"));
        return env;
    }

    private static double seconds(String value) {
        return value.equals("none") ? -1 : Double.parseDouble(value);
    }

    /** The workers' settings, as environment variables, beside their name and metrics port. */
    static Map<String, String> workerEnvironment(String natsUrl, String queue, String gatewayUrl, int maxInflight) {
        Map<String, String> env = new HashMap<>();
        env.put("nats_url", natsUrl);
        env.put("queue_name", queue);
        env.put("role", "worker");
        env.put("scaling_mode", "function");
        env.put("gateway_url", gatewayUrl);
        env.put("max_inflight", Integer.toString(maxInflight));
        env.put("limiter_enabled", "true");
        env.put("limiter_provider", "adaptive");
        env.put("limiter_coordination", "kv");
        env.put("ack_wait", ACK_WAIT.toMillis() + "ms");
        // The limit gauge of a new function is registered on this poll: often, so that the first limits are seen.
        env.put("metrics_poll_interval", "250ms");
        env.put("status_enabled", "false");
        env.put("dead_letter_enabled", "false");
        env.put("shutdown_grace", "1s");
        // The single-process scenario's retry policy.
        env.put("max_retry_attempts", "20");
        env.put("initial_retry_wait", "1s");
        env.put("max_retry_wait", "8s");
        env.put("backoff", "exponential");
        return env;
    }

    /** The workers' JVM options: small heaps and quiet logs, so that five of them fit beside the benchmark. */
    static List<String> workerJvmOptions() {
        return List.of("-Xmx256m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider", "-Dslf4j.internal.verbosity=WARN",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    }

    /** One run on a fresh queue and farm after the oracle's run; {@code connection} is to {@code natsUrl}. */
    static WorkersResult run(Connection connection, String natsUrl, Setup setup, String queueName) throws Exception {
        return run(connection, natsUrl, setup, queueName, Map.of());
    }

    /** The same, the workers also given {@code extraEnvironment}. */
    static WorkersResult run(Connection connection, String natsUrl, Setup setup, String queueName,
                             Map<String, String> extraEnvironment) throws Exception {
        // A small burst first, so that the oracle's HTTP client runs compiled code, as the workers' does by the time
        // the farm is large.
        OracleDriver.run(setup.farm(), Math.min(ORACLE_WARMUP, setup.invocations()), setup.timeout());
        OracleDriver.Result oracle = OracleDriver.run(setup.farm(), setup.invocations(), setup.timeout());
        log.info("oracle: {} calls in {}, {} received, {} answered 429; replicas by second {}", setup.invocations(),
                Bench.seconds(oracle.drainTime()), oracle.sent(), oracle.rejected(),
                oracle.farm().stream().map(f -> Integer.toString(f.replicas())).toList());

        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(queueName).build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        List<WorkerProcess> workers = new CopyOnWriteArrayList<>();
        List<WorkerSample> samples = new CopyOnWriteArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(Threads.named("bench-sampler"));
        try (SleepFunctionFarm farm = SleepFunctionFarm.start(setup.farm())) {
            Map<String, String> env = workerEnvironment(natsUrl, queueName, farm.gatewayUrl().toString(),
                    setup.maxInflight());
            env.putAll(extraEnvironment);
            for (int i = 1; i <= setup.workers(); i++) workers.add(start("worker-" + i, env, http));
            awaitReady(workers, Duration.ofSeconds(90));
            warmUp(queue, farm, Math.min(WORKER_WARMUP, setup.invocations()), Duration.ofSeconds(60));
            log.info("{} workers ready; enqueueing {} invocations of {}", workers.size(), setup.invocations(), FUNCTION);

            long t0 = System.nanoTime();
            sampler.scheduleAtFixedRate(() -> samples.add(sample(workers, farm, t0)), 0, SAMPLE_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
            Bench.enqueue(queue, FUNCTION, setup.invocations(), i -> "burst-" + i);

            Optional<String> killed = Optional.empty();
            Optional<String> added = Optional.empty();
            double killAt = -1;
            double addAt = -1;
            long deadline = t0 + setup.timeout().toNanos();
            long lastReport = t0;
            while (farm.distinctDone() < setup.invocations() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(10);
                double now = (System.nanoTime() - t0) / 1e9;
                long firstCall = farm.firstArrival();
                // Changes are timed from the first call, as the drain is: the workers find the function first.
                double sinceFirstCall = firstCall == Long.MIN_VALUE ? -1 : (System.nanoTime() - firstCall) / 1e9;
                if (setup.killAt() >= 0 && killed.isEmpty() && sinceFirstCall >= setup.killAt()) {
                    WorkerProcess victim = workers.get(setup.kill() - 1);
                    victim.kill();
                    killAt = now;
                    killed = Optional.of(victim.name());
                    log.info("{} killed (SIGKILL) at {} s", victim.name(), String.format("%.2f", now));
                }
                if (setup.addAt() >= 0 && added.isEmpty() && sinceFirstCall >= setup.addAt()) {
                    WorkerProcess newcomer = start("worker-" + (setup.workers() + 1), env, http);
                    workers.add(newcomer);
                    addAt = now;
                    added = Optional.of(newcomer.name());
                    log.info("{} started at {} s", newcomer.name(), String.format("%.2f", now));
                }
                for (WorkerProcess w : workers) {
                    if (!w.alive() && !w.killed()) throw new IllegalStateException(w.name() + " exited:\n" + w.logText());
                }
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                    lastReport = System.nanoTime();
                    log.info("{} of {} call ids done, {} calls received, {} answered 429, capacity {}",
                            farm.distinctDone(), setup.invocations(), farm.requests(), farm.rejected(), farm.capacity());
                }
            }
            boolean drained = farm.distinctDone() >= setup.invocations();
            // A killed worker's unsettled messages come back after the ack wait: wait for them, so that
            // duplicates (its calls that were done but never acknowledged) are counted.
            long settleBy = System.nanoTime() + ACK_WAIT.toNanos() * 3;
            boolean settled = false;
            while (drained && System.nanoTime() < settleBy && !(settled = queue.pending().total() == 0)) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            // Two more samples after the end, so the chart shows where things settled.
            TimeUnit.MILLISECONDS.sleep(2 * SAMPLE_EVERY.toMillis());
            sampler.shutdown();
            sampler.awaitTermination(5, TimeUnit.SECONDS);

            Map<String, Integer> done = farm.doneByCallId();
            Map<String, Long> firstDone = farm.firstDoneByCallId();
            int lost = 0;
            long last = Long.MIN_VALUE;
            for (int i = 0; i < setup.invocations(); i++) {
                Long at = firstDone.get("burst-" + i);
                if (at == null) lost++;
                else last = Math.max(last, at);
            }
            int duplicates = done.values().stream().mapToInt(n -> n - 1).sum();
            long first = farm.firstArrival();
            Duration drainTime = Duration.ofNanos(drained ? last - first : System.nanoTime() - first);
            List<String> names = workers.stream().map(WorkerProcess::name).toList();
            WorkersResult result = new WorkersResult(setup.workers(), names, setup.invocations(), drained,
                    (first - t0) / 1e9, drainTime,
                    settled, farm.requests(), farm.rejected(), lost, duplicates, killed, killAt, added, addAt,
                    setup.farm().callDuration(), oracle, samples, farm.history());
            log.info("farm replicas by second {}", farm.history().stream().map(f -> Integer.toString(f.replicas())).toList());
            log.info("{} workers: drained={} in {} ({}x the oracle), {} received, {} answered 429 ({}), {} lost, "
                            + "{} duplicates", setup.workers(), drained, Bench.seconds(drainTime),
                    String.format("%.2f", result.drainOverOracle()), result.received(), result.rejected(),
                    Bench.percent(result.rejectedShare()), lost, duplicates);
            return result;
        } finally {
            sampler.shutdownNow();
            for (WorkerProcess w : workers) {
                try {
                    w.close();
                } catch (IOException e) {
                    log.warn("stopping {} failed: {}", w.name(), e.toString());
                }
            }
        }
    }

    /**
     * Runs a few hundred calls of the farm's instant warm-up function through the workers, so that their code is
     * compiled before the measured burst, as the single-process scenario's warm-up does; its limiter is another
     * function's and leaves {@code sleep}'s untouched.
     */
    private static void warmUp(JetStreamQueue queue, SleepFunctionFarm farm, int calls, Duration timeout) throws Exception {
        Bench.enqueue(queue, "warmup", calls, i -> "warmup-" + i);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (farm.warmups() < calls || queue.pending().total() > 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("warm-up not done after " + timeout);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static WorkerProcess start(String name, Map<String, String> env, HttpClient http) throws IOException {
        Path logFile = Files.createTempFile("limiter-" + name + "-", ".log");
        return WorkerProcess.start(name, env, workerJvmOptions(), logFile, http);
    }

    private static void awaitReady(List<WorkerProcess> workers, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (WorkerProcess w : workers) {
            while (!w.ready()) {
                if (!w.alive()) throw new IllegalStateException(w.name() + " exited:\n" + w.logText());
                if (System.nanoTime() > deadline) throw new IllegalStateException(w.name() + " not ready after " + timeout);
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    private static WorkerSample sample(List<WorkerProcess> workers, SleepFunctionFarm farm, long t0) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Integer> limits = new HashMap<>();
        for (WorkerProcess w : workers) {
            OptionalInt limit = w.limit(FUNCTION);
            if (limit.isPresent()) limits.put(w.name(), limit.getAsInt());
        }
        return new WorkerSample(seconds, limits, farm.capacity(), farm.running(), farm.requests(), farm.rejected(),
                farm.distinctDone());
    }
}
