package dev.asyncqueue.benchmarks.fairness;

import dev.asyncqueue.benchmarks.AttemptAudit;
import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.benchmarks.FixedLatencyFunctions;
import dev.asyncqueue.benchmarks.Machine;
import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.nats.FunctionConsumerStrategy;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.nats.StaticConsumerStrategy;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fairness benchmark: one hot function with a large backlog, then a few calls to each of
 * several cold functions, drained by the real worker in static mode (one shared FIFO consumer) and in
 * function mode (a consumer per function) in one run; writes {@code FAIRNESS.md} into the docs directory.
 *
 * <p>Run it with {@code bin/benchmark fairness [--name=value ...]}; {@code --help} lists the options.
 */
public final class FairnessBenchmark {
    static {
        Bench.configureLogging();
    }

    private static final Logger log = LoggerFactory.getLogger(FairnessBenchmark.class);
    private static final String HOT = "hot";
    private static final String USAGE = """
            usage: FairnessBenchmark [--hot=10000] [--cold-functions=9] [--cold-calls=20] [--latency-ms=5]
                                     [--max-inflight=50] [--warmup=2000] [--timeout-s=600] [--docs=docs]
            Runs static mode, function mode, and function mode with the adaptive limiter; writes <docs>/FAIRNESS.md.""";

    private FairnessBenchmark() {
    }

    /**
     * What the runs are configured with.
     *
     * @param hotCalls      the hot function's backlog, enqueued first
     * @param coldFunctions how many cold functions
     * @param coldCalls     calls per cold function, enqueued after the hot backlog
     * @param latency       how long every function call takes
     * @param maxInflight   the worker's {@code max_inflight}
     * @param timeout       a run not drained by then is reported as such
     */
    record Setup(int hotCalls, int coldFunctions, int coldCalls, Duration latency, int maxInflight, Duration timeout) {
        int total() {
            return hotCalls + coldFunctions * coldCalls;
        }
    }

    /**
     * One mode.
     *
     * @param label        for the report
     * @param functionMode a consumer per function rather than one shared consumer
     * @param adaptive     the adaptive limiter instead of none
     */
    record Mode(String label, boolean functionMode, boolean adaptive) {
    }

    /**
     * What one mode measured.
     *
     * @param mode            the mode
     * @param drained         whether every call reached a final outcome before the time-out
     * @param coldDone        worker start to the last cold call's final outcome (null if never)
     * @param hotDoneThen     hot calls done at that moment
     * @param drainTime       worker start to the last call's final outcome
     * @param calls           HTTP calls the functions received
     * @param succeeded       calls that ended with 2xx
     * @param processCpu      CPU time of the benchmark's JVM during the run
     * @param natsCpu         CPU time of the nats-server process during the run
     * @param redelivered     deliveries the queue redelivered without the worker returning them (ack wait expired)
     */
    record Result(Mode mode, boolean drained, Duration coldDone, long hotDoneThen, Duration drainTime, long calls,
                  long succeeded, Duration processCpu, Duration natsCpu, long redelivered) {
    }

    /** Runs the three modes and writes the report; arguments as in {@code --help}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = Bench.arguments(args, USAGE);
        Setup setup = new Setup(
                Integer.parseInt(options.getOrDefault("hot", "10000")),
                Integer.parseInt(options.getOrDefault("cold-functions", "9")),
                Integer.parseInt(options.getOrDefault("cold-calls", "20")),
                Duration.ofMillis(Long.parseLong(options.getOrDefault("latency-ms", "5"))),
                Integer.parseInt(options.getOrDefault("max-inflight", "50")),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout-s", "600"))));
        Path docs = Path.of(options.getOrDefault("docs", "docs"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "2000"));
        Machine machine = Machine.current();
        Instant started = Instant.now();
        List<Mode> modes = List.of(
                new Mode("static", false, false),
                new Mode("function", true, false),
                new Mode("function + adaptive limiter", true, true));
        List<Result> results = new ArrayList<>();
        try (LocalNatsServer nats = LocalNatsServer.start();
             Connection connection = Bench.connect(nats.url());
             FixedLatencyFunctions functions = FixedLatencyFunctions.start(setup.latency())) {
            if (warmup > 0) {
                // The JIT compiles the worker's and the client's paths first; otherwise the first mode pays for it.
                Setup small = new Setup(warmup, setup.coldFunctions(), setup.coldCalls(), setup.latency(),
                        setup.maxInflight(), setup.timeout());
                for (Mode mode : modes) run(connection, functions, small, mode, "warmup-");
            }
            for (Mode mode : modes) {
                results.add(run(connection, functions, setup, mode, "fairness-"));
            }
        }
        String report = markdown(setup, warmup, machine, started, String.join(" ", args), results);
        Files.createDirectories(docs);
        Path md = docs.resolve("FAIRNESS.md");
        Files.writeString(md, report);
        System.out.println(report);
        System.out.println("wrote " + md.toAbsolutePath());
        System.exit(0);
    }

    private static Result run(Connection connection, FixedLatencyFunctions functions, Setup setup, Mode mode,
                              String prefix) throws Exception {
        String queueName = prefix + mode.label().replaceAll("[^a-z]+", "-");
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(queueName).build();
        Bench.enqueue(queue, HOT, setup.hotCalls(), i -> queueName + "-hot-" + i);
        for (int f = 1; f <= setup.coldFunctions(); f++) {
            String function = "cold-" + f;
            Bench.enqueue(queue, function, setup.coldCalls(), i -> queueName + "-" + function + "-" + i);
        }
        log.info("{}: {} calls to {} then {} to each of {} cold functions stored in {}", mode.label(), setup.hotCalls(),
                HOT, setup.coldCalls(), setup.coldFunctions(), queue.streamName());

        ConsumerStrategy consumer = mode.functionMode() ? FunctionConsumerStrategy.builder(queue).build()
                : StaticConsumerStrategy.builder(queue).build();
        LimiterLookup limiters = mode.adaptive()
                ? LimiterRegistry.fromSettings(Settings.of(Map.of(LimiterRegistry.PROVIDER_SETTING, "adaptive")), Ticker.system())
                : LimiterLookup.unlimited();
        int coldTotal = setup.coldFunctions() * setup.coldCalls();
        Progress progress = new Progress(coldTotal);
        long requestsBefore = functions.requests();
        try (HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(functions.gatewayUrl())
                .maxConcurrency(setup.maxInflight()).build()) {
            QueueWorker worker = QueueWorker.builder()
                    .name(queueName)
                    .consumer(consumer)
                    .invoker(invoker)
                    .retryPolicy(RetryPolicy.defaults())
                    .maxInflight(setup.maxInflight())
                    .limiters(limiters)
                    .rejectionsWaitInQueue(mode.adaptive(), Duration.ofMillis(250))
                    .listener(progress)
                    .build();
            Duration cpuBefore = Bench.processCpu();
            Duration natsBefore = Bench.natsServerCpu();
            long t0 = System.nanoTime();
            worker.start();
            long deadline = t0 + setup.timeout().toNanos();
            long lastReport = t0;
            while (progress.finals.get() < setup.total() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                    lastReport = System.nanoTime();
                    log.info("{}: {} of {} done ({} cold of {})", mode.label(), progress.finals.get(), setup.total(),
                            progress.cold.get(), coldTotal);
                }
            }
            boolean drained = progress.finals.get() >= setup.total();
            long end = drained ? progress.lastFinal.get() : System.nanoTime();
            Duration cpu = Bench.processCpu().minus(cpuBefore);
            Duration natsCpu = Bench.natsServerCpu().minus(natsBefore);
            worker.close();
            long coldAt = progress.coldDoneAt.get();
            Result result = new Result(mode, drained, coldAt == Long.MIN_VALUE ? null : Duration.ofNanos(coldAt - t0),
                    progress.hotAtColdDone.get(), Duration.ofNanos(end - t0), functions.requests() - requestsBefore,
                    progress.succeeded.get(), cpu, natsCpu, progress.audit.unexplainedRedeliveries());
            log.info("{}: cold functions done after {}, with {} hot calls done; drained={} in {}", mode.label(),
                    result.coldDone() == null ? "never" : Bench.seconds(result.coldDone()), result.hotDoneThen(),
                    drained, Bench.seconds(result.drainTime()));
            return result;
        }
    }

    static String markdown(Setup setup, int warmup, Machine machine, Instant started, String arguments, List<Result> results) {
        List<String> out = new ArrayList<>();
        String command = "bin/benchmark fairness" + (arguments.isBlank() ? "" : " " + arguments);
        out.add("# Fairness: one hot backlog and nine cold functions, static versus function mode");
        out.add("");
        out.add("Generated by `" + command + "` (`" + FairnessBenchmark.class.getName() + "`) on "
                + started.truncatedTo(ChronoUnit.SECONDS) + ". Do not edit by hand: run the command again.");
        out.add("");
        out.add("## What ran");
        out.add("");
        out.add("- **Work**: " + setup.hotCalls() + " calls to `hot` stored first, then " + setup.coldCalls()
                + " calls to each of " + setup.coldFunctions() + " cold functions (`cold-1` ... `cold-" + setup.coldFunctions()
                + "`, one function after the other), " + setup.total() + " in all, all stored in JetStream before the worker starts.");
        out.add("- **Functions**: one loopback HTTP server answering every `/function/<name>` with 200 after "
                + setup.latency().toMillis() + " ms (scheduled, never refusing).");
        out.add("- **Worker**: the real `QueueWorker`, `max_inflight` " + setup.maxInflight()
                + ", HTTP invoker, on a real nats-server (file storage, loopback); a fresh queue per mode, modes run one "
                + "after the other in one process"
                + (warmup > 0 ? ", after a warm-up pass of every mode with " + warmup + " hot calls (not reported)" : "")
                + ".");
        out.add("- **Modes**: `static` = one shared consumer (`StaticConsumerStrategy`, FIFO); `function` = a consumer per "
                + "function (`FunctionConsumerStrategy`, free `max_inflight` shared equally among the functions with work); "
                + "both without a limiter, so the consumer strategy is the only difference. `function + adaptive limiter` "
                + "is function mode as configured by default (adaptive limiter per function, 429s wait in the queue), "
                + "for reference.");
        out.add("- **Redelivered after ack wait**: calls that started with a higher delivery attempt than the worker's own "
                + "returns and retries explain, i.e. deliveries the worker never settled and the server redelivered after "
                + "the consumer's ack wait (30 s); 0 is right.");
        out.add("- **Times** are from the worker's start: *cold done* is the final outcome of the last of the "
                + (setup.coldFunctions() * setup.coldCalls()) + " cold calls, *drain* the last of all calls.");
        out.add("");
        out.add("## Results");
        out.add("");
        out.add("| mode | all cold calls done | hot calls done by then | total drain | calls/s | calls made | 2xx | redelivered after ack wait | JVM CPU | nats-server CPU |");
        out.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            out.add("| " + r.mode().label() + " | " + (r.coldDone() == null ? "never" : Bench.seconds(r.coldDone()))
                    + " | " + r.hotDoneThen() + " of " + setup.hotCalls() + " | "
                    + (r.drained() ? Bench.seconds(r.drainTime()) : "not drained in " + Bench.seconds(r.drainTime()))
                    + " | " + String.format(Locale.ROOT, "%.0f", r.succeeded() / (r.drainTime().toNanos() / 1e9))
                    + " | " + r.calls() + " | " + r.succeeded() + " | " + r.redelivered() + " | " + Bench.seconds(r.processCpu()) + " | " + Bench.seconds(r.natsCpu()) + " |");
        }
        out.add("");
        for (Result r : results) {
            if (r.redelivered() > 0) {
                out.add("**Note (" + r.mode().label() + "):** " + r.redelivered() + " deliver"
                        + (r.redelivered() == 1 ? "y was" : "ies were") + " never settled by the worker and came back only "
                        + "after the consumer's ack wait (30 s); its total drain includes that wait.");
                out.add("");
            }
        }
        Result staticMode = results.get(0);
        Result functionMode = results.get(1);
        out.add("## Ratios");
        out.add("");
        if (staticMode.coldDone() != null && functionMode.coldDone() != null) {
            out.add("- Cold functions' wait, static / function: " + Bench.seconds(staticMode.coldDone()) + " / "
                    + Bench.seconds(functionMode.coldDone()) + " = **" + ratio(staticMode.coldDone(), functionMode.coldDone())
                    + "** (function mode finished the cold calls that much sooner).");
        }
        out.add("- Total drain, function / static: " + Bench.seconds(functionMode.drainTime()) + " / "
                + Bench.seconds(staticMode.drainTime()) + " = **" + ratio(functionMode.drainTime(), staticMode.drainTime())
                + "** (above 1 means function mode drained the whole queue more slowly).");
        if (results.size() > 2) {
            Result adaptive = results.get(2);
            out.add("- With the adaptive limiter, function mode's total drain / static: " + Bench.seconds(adaptive.drainTime())
                    + " / " + Bench.seconds(staticMode.drainTime()) + " = " + ratio(adaptive.drainTime(), staticMode.drainTime())
                    + "; cold wait / static: " + (adaptive.coldDone() == null || staticMode.coldDone() == null ? "n/a"
                    : ratio(adaptive.coldDone(), staticMode.coldDone())) + ".");
        }
        out.add("");
        out.add("## Machine");
        out.add("");
        out.addAll(machine.markdown());
        out.add("");
        out.add("The worker, the HTTP client and the function server run in the benchmark's JVM (\"JVM CPU\"); the "
                + "nats-server is a separate process; all share these processors, so calls/s are the whole loop's, "
                + "not the worker's alone.");
        out.add("");
        return String.join("\n", out);
    }

    private static String ratio(Duration a, Duration b) {
        if (b.isZero()) return "n/a";
        return String.format(Locale.ROOT, "%.2f x", a.toNanos() / (double) b.toNanos());
    }

    /** Counts final outcomes, and notes when the last cold call ended. */
    private static final class Progress implements WorkerListener {
        final int coldTotal;
        final AtomicLong finals = new AtomicLong();
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong hot = new AtomicLong();
        final AtomicLong cold = new AtomicLong();
        final AtomicLong coldDoneAt = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong hotAtColdDone = new AtomicLong();
        final AtomicLong lastFinal = new AtomicLong(Long.MIN_VALUE);
        final AttemptAudit audit = new AttemptAudit();

        Progress(int coldTotal) {
            this.coldTotal = coldTotal;
        }

        @Override
        public void invocationStarted(Invocation invocation, int attempt) {
            audit.started(invocation.callId(), attempt);
        }

        @Override
        public void deliveryReturned(Invocation invocation, String why) {
            audit.requeued(invocation.callId());
        }

        @Override
        public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
            if (decision.retry()) {
                audit.requeued(invocation.callId());
                return;
            }
            long now = System.nanoTime();
            if (result.isSuccess()) succeeded.incrementAndGet();
            if (invocation.function().equals(HOT)) {
                hot.incrementAndGet();
            } else if (cold.incrementAndGet() == coldTotal) {
                hotAtColdDone.set(hot.get());
                coldDoneAt.set(now);
            }
            lastFinal.accumulateAndGet(now, Math::max);
            finals.incrementAndGet();
        }
    }
}
