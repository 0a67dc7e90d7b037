package dev.asyncqueue.benchmarks.limiter;

import dev.asyncqueue.benchmarks.AttemptAudit;
import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.benchmarks.Machine;
import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.nats.FunctionConsumerStrategy;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryDecision;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.worker.WorkerListener;
import io.nats.client.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The documented scenario of adaptive concurrency (REFERENCE.md section 6) as a benchmark: a burst of
 * invocations of a simulated, autoscaled {@code sleep} function through the real worker in function
 * mode on a real nats-server, once with the limiter off and once with the adaptive limiter; writes
 * {@code LIMITER.md} and {@code limiter-scenario.png} into the docs directory.
 *
 * <p>Run it with {@code bin/benchmark limiter [--name=value ...]}; {@code --help} lists the options.
 */
public final class LimiterScenario {
    static {
        Bench.configureLogging();
    }

    private static final Logger log = LoggerFactory.getLogger(LimiterScenario.class);
    private static final String FUNCTION = "sleep";
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(100);
    private static final String USAGE = """
            usage: LimiterScenario [--invocations=1000] [--max-inflight=50] [--call-ms=200]
                                   [--rejection-delay-ms=250] [--warmup=200] [--timeout-s=600]
                                   [--docs=docs]
                   LimiterScenario --workers=N [--kill=N] [--kill-at=3|none] [--add-at=5|none] [--invocations=1000]
                                   [--max-inflight=50] [--call-ms=200] [--heartbeat=1s] [--ttl=3s] [--timeout-s=300]
                                   [--docs=docs]
            Without --workers: runs the burst in-process with the limiter off, then on; writes <docs>/LIMITER.md
            (keeping its --workers sections) and <docs>/limiter-scenario.png.
            With --workers=N: the oracle, then N worker processes (limiter_coordination=kv) drain the burst; by
            default (N > 1) worker-<kill> (the last) is killed with SIGKILL 3 s and worker-<N+1> started 5 s after
            the first call reaches the function (seconds, or none). Rewrites the N-worker section of <docs>/LIMITER.md and
            <docs>/limiter-workers-N.png and .csv.""";

    private LimiterScenario() {
    }

    /**
     * What one scenario run is configured with.
     *
     * @param invocations    the burst, enqueued before the worker starts
     * @param maxInflight    the worker's {@code max_inflight}
     * @param farm           the simulated function
     * @param retryPolicy    the worker's retry policy, the same in both runs
     * @param rejectionDelay with the limiter on, how long a 429'd message waits in the queue
     * @param timeout        a run not drained by then is reported as such
     */
    record Setup(int invocations, int maxInflight, FarmSettings farm, RetryPolicy retryPolicy, Duration rejectionDelay,
                 Duration timeout) {
    }

    /** Runs both variants and writes the report; arguments as in {@code --help}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = Bench.arguments(args, USAGE);
        if (options.containsKey("workers")) {
            MultiWorkerScenario.main(options, args);
            System.exit(0);
        }
        Setup setup = new Setup(
                Integer.parseInt(options.getOrDefault("invocations", "1000")),
                Integer.parseInt(options.getOrDefault("max-inflight", "50")),
                FarmSettings.documented().withCallDuration(
                        Duration.ofMillis(Long.parseLong(options.getOrDefault("call-ms", "200")))),
                // A realistic policy for a short function: 1 s doubling to 8 s, up to 20 attempts, OpenFaaS' codes.
                new RetryPolicy(20, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofSeconds(1), Duration.ofSeconds(8),
                        Backoff.EXPONENTIAL),
                Duration.ofMillis(Long.parseLong(options.getOrDefault("rejection-delay-ms", "250"))),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout-s", "600"))));
        Path docs = Path.of(options.getOrDefault("docs", "docs"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "200"));
        Machine machine = Machine.current();
        Instant started = Instant.now();

        LimiterScenarioResult off;
        LimiterScenarioResult on;
        try (LocalNatsServer nats = LocalNatsServer.start();
             Connection connection = Bench.connect(nats.url())) {
            log.info("nats-server {} on {}; burst of {} invocations, max_inflight {}", machine.natsServer(), nats.url(),
                    setup.invocations(), setup.maxInflight());
            if (warmup > 0) {
                // The JIT compiles the worker's and the client's paths first; otherwise the first run pays for it.
                Setup small = new Setup(warmup, setup.maxInflight(), setup.farm(), setup.retryPolicy(),
                        setup.rejectionDelay(), setup.timeout());
                run(connection, small, false, "warmup-");
                run(connection, small, true, "warmup-");
            }
            off = run(connection, setup, false, "");
            on = run(connection, setup, true, "");
        }
        Path png = docs.resolve("limiter-scenario.png");
        LimiterChart.write(off, on, setup.farm(), png);
        Path csv = docs.resolve("limiter-scenario.csv");
        String report = LimiterReport.markdown(setup, warmup, machine, started, String.join(" ", args), off, on,
                png.getFileName().toString(), csv.getFileName().toString());
        Path md = docs.resolve("LIMITER.md");
        Files.createDirectories(docs);
        // The --workers runs' sections are theirs: kept as they are.
        report = WorkersReport.carryOver(Files.exists(md) ? Files.readString(md) : "", report);
        Files.writeString(md, report);
        Files.writeString(csv, LimiterReport.csv(off, on));
        System.out.println(report);
        System.out.println("wrote " + md.toAbsolutePath() + " and " + png.toAbsolutePath());
        System.exit(0);
    }

    /** One run on a fresh queue against a fresh farm. */
    static LimiterScenarioResult run(Connection connection, Setup setup, boolean limiterOn, String prefix) throws Exception {
        String label = (prefix.isEmpty() ? "" : prefix) + (limiterOn ? "limiter on (adaptive)" : "limiter off");
        String queueName = prefix + (limiterOn ? "limiter-on" : "limiter-off");
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(queueName).build();
        Bench.enqueue(queue, FUNCTION, setup.invocations(), i -> queueName + "-" + i);
        log.info("{}: {} invocations of {} stored in {}", label, setup.invocations(), FUNCTION, queue.streamName());

        LimiterRegistry limiters = LimiterRegistry.fromSettings(Settings.of(Map.of(
                LimiterRegistry.ENABLED_SETTING, Boolean.toString(limiterOn),
                LimiterRegistry.PROVIDER_SETTING, "adaptive")), Ticker.system());
        ConcurrencyLimiter limiter = limiters.limiterFor(FUNCTION, Map.of());
        Counters counters = new Counters();
        List<TimelinePoint> timeline = new CopyOnWriteArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(Threads.named("bench-sampler"));

        try (SleepFunctionFarm farm = SleepFunctionFarm.start(setup.farm());
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(farm.gatewayUrl()).maxConcurrency(setup.maxInflight()).build()) {
            QueueWorker worker = QueueWorker.builder()
                    .name(queueName)
                    .consumer(FunctionConsumerStrategy.builder(queue).build())
                    .invoker(invoker)
                    .retryPolicy(setup.retryPolicy())
                    .maxInflight(setup.maxInflight())
                    .limiters(limiters)
                    .rejectionsWaitInQueue(limiterOn, setup.rejectionDelay())
                    .listener(counters)
                    .build();
            Duration cpuBefore = Bench.processCpu();
            Duration natsBefore = Bench.natsServerCpu();
            long t0 = System.nanoTime();
            sampler.scheduleAtFixedRate(() -> timeline.add(new TimelinePoint((System.nanoTime() - t0) / 1e9,
                            limitOf(limiter), farm.replicas(), farm.capacity(), farm.running(), farm.rejected(),
                            counters.finals.get())),
                    0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            worker.start();
            long deadline = t0 + setup.timeout().toNanos();
            long lastReport = t0;
            while (counters.finals.get() < setup.invocations() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                    lastReport = System.nanoTime();
                    log.info("{}: {} of {} done, {} calls sent, {} answered 429, {} replicas, limit {}", label,
                            counters.finals.get(), setup.invocations(), farm.requests(), farm.rejected(),
                            farm.replicas(), limitOf(limiter) < 0 ? "none" : limitOf(limiter));
                }
            }
            boolean drained = counters.finals.get() >= setup.invocations();
            long end = drained ? counters.lastFinal.get() : System.nanoTime();
            // Two more samples after the end, so the chart shows where things settled.
            TimeUnit.MILLISECONDS.sleep(2 * SAMPLE_EVERY.toMillis());
            sampler.shutdown();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
            Duration dispatcherCpu = Bench.threadCpu("async-queue-dispatcher-" + queueName);
            Duration processCpu = Bench.processCpu().minus(cpuBefore);
            Duration natsCpu = Bench.natsServerCpu().minus(natsBefore);
            worker.close();

            long[] completions = counters.completions.stream().mapToLong(t -> t - t0).sorted().toArray();
            LimiterScenarioResult run = new LimiterScenarioResult(label, setup.invocations(), drained, Duration.ofNanos(end - t0),
                    farm.requests(), farm.rejected(), counters.retries.get(), counters.returned.get(),
                    counters.succeeded.get(), counters.failed.get(), counters.highestAttempt.get(),
                    counters.audit.unexplainedRedeliveries(), Bench.quantile(completions, 0.5),
                    Bench.quantile(completions, 0.95), Bench.quantile(completions, 0.99), dispatcherCpu, processCpu,
                    natsCpu, limiter.toString(), timeline, farm.history());
            log.info("{}: drained={} in {}, {} calls sent, {} answered 429, {} retries, {} returned without a retry",
                    label, drained, Bench.seconds(run.drainTime()), run.sent(), run.rejected(), run.retries(),
                    run.freeReturns());
            return run;
        } finally {
            sampler.shutdownNow();
        }
    }

    private static int limitOf(ConcurrencyLimiter limiter) {
        int limit = limiter.limit();
        return limit == Integer.MAX_VALUE ? -1 : limit;
    }

    /** Counts what the worker does. */
    private static final class Counters implements WorkerListener {
        final AtomicLong finals = new AtomicLong();
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final AtomicLong returned = new AtomicLong();
        final AtomicLong lastFinal = new AtomicLong(Long.MIN_VALUE);
        final AtomicInteger highestAttempt = new AtomicInteger();
        final ConcurrentLinkedQueue<Long> completions = new ConcurrentLinkedQueue<>();
        final AttemptAudit audit = new AttemptAudit();

        @Override
        public void invocationStarted(Invocation invocation, int attempt) {
            highestAttempt.accumulateAndGet(attempt, Math::max);
            audit.started(invocation.callId(), attempt);
        }

        @Override
        public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
            if (decision.retry()) {
                retries.incrementAndGet();
                audit.requeued(invocation.callId());
                return;
            }
            long now = System.nanoTime();
            completions.add(now);
            lastFinal.accumulateAndGet(now, Math::max);
            (result.isSuccess() ? succeeded : failed).incrementAndGet();
            finals.incrementAndGet();
        }

        @Override
        public void deliveryReturned(Invocation invocation, String why) {
            returned.incrementAndGet();
            audit.requeued(invocation.callId());
        }
    }
}
