package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.benchmarks.http.FunctionServer;
import dev.asyncqueue.benchmarks.http.HttpLoop;
import dev.asyncqueue.benchmarks.http.PlainLoops;
import dev.asyncqueue.benchmarks.http.Run;
import dev.asyncqueue.benchmarks.http.Wrk;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.callback.CallbackSender;
import dev.asyncqueue.callback.GuardedCallbackSender;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.nats.BenchmarkCodec;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.nats.Subjects;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.worker.QueueWorker;
import io.nats.client.JetStreamSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The worker over HTTP: a {@code QueueWorker} (static mode) with its default {@code HttpInvoker} drains a stream
 * filled before timing into the Node.js function server of {@code bin/benchmark http}, in a process of its own,
 * against the fastest plain Java client loop of that benchmark at the same concurrency, bodies and server. With
 * callbacks, every invocation carries the URL of a second such process, the worker posts each result there and
 * the loop makes the same two exchanges. {@code wrk} measures the function server's ceiling in the same run.
 */
final class WorkerHttpCase implements AutoCloseable {
    /** The case without callbacks, as {@code --cases} names it. */
    static final String PLAIN = "worker-http";
    /** The case with callbacks, as {@code --cases} names it. */
    static final String CALLBACKS = "worker-http-callbacks";
    /** The case against a raw pull-call-ack loop (information), as {@code --cases} names it. */
    static final String RAW = "worker-http-raw";

    private static final Logger log = LoggerFactory.getLogger(WorkerHttpCase.class);
    private static final int QUALIFYING_ROUNDS = 3;
    private static final int QUALIFYING_CALLS = 20_000;
    private static final int CEILING_RUNS = 3;
    private static final Duration CEILING_RUN = Duration.ofSeconds(5);
    private static final Duration CALLBACK_TIMEOUT = Duration.ofSeconds(30);

    private final PipelineStreams streams;
    private final PipelineSetup setup;
    private final byte[] body = PipelineStreams.body();
    private final Path work;
    private final FunctionServer function;
    private final FunctionServer receiver;
    private final URI callbackUrl;
    private final HttpInvoker invoker;
    private final CallbackSender callbacks;

    WorkerHttpCase(PipelineStreams streams, PipelineSetup setup) throws IOException {
        this.streams = streams;
        this.setup = setup;
        this.work = Files.createTempDirectory("worker-http");
        this.function = FunctionServer.start(work);
        this.receiver = FunctionServer.start(Files.createDirectories(work.resolve("receiver")));
        this.callbackUrl = receiver.gateway().resolve("/callback");
        // One invoker for every repetition, as the loops keep their clients: both sides start with warm pools.
        this.invoker = HttpInvoker.builder().gatewayUrl(function.gateway()).maxConcurrency(setup.maxInflight()).build();
        // Wired as QueueWorkerApp wires it: the invoker's own client and pool behind the default policy, which
        // refuses link-local and metadata addresses only, so the loopback receiver is allowed as it is, and as
        // an address literal it needs no DNS lookup.
        this.callbacks = new GuardedCallbackSender(invoker.callbackSender(CALLBACK_TIMEOUT), CallbackPolicy.defaults(),
                Optional.empty());
    }

    /**
     * The rows asked for: without callbacks (target 0.8 x), with callbacks (target 0.8 x), and against a raw
     * pull-call-ack loop (information: how much of the gap the queue's own costs explain).
     */
    List<ThroughputComparison> run(SideBySide sides) throws Exception {
        List<ThroughputComparison> rows = new ArrayList<>();
        if (setup.runs(PLAIN)) rows.add(compare(sides, "Worker over HTTP", false));
        if (setup.runs(CALLBACKS)) rows.add(compare(sides, "Worker over HTTP, callbacks", true));
        if (setup.runs(RAW)) rows.add(againstRawQueue(sides));
        if (rows.isEmpty()) return rows;
        List<Double> ceiling = ceiling();
        List<ThroughputComparison> out = new ArrayList<>();
        for (ThroughputComparison row : rows) {
            ServerReadings s = row.servers().orElseThrow();
            ServerReadings withCeiling = new ServerReadings(s.floorClient(), s.qualifying(), ceiling,
                    s.libraryServerCpu(), s.floorServerCpu());
            double over = withCeiling.ceilingOver(row.libraryMedian());
            log.info("{}: function server ceiling {} calls/s, {} x the worker's {} calls/s: {}", row.name(),
                    Math.round(withCeiling.ceilingMedian()), String.format(java.util.Locale.ROOT, "%.2f", over),
                    Math.round(row.libraryMedian()), over >= 2 ? "met" : "NOT met");
            out.add(row.withServers(withCeiling));
        }
        return out;
    }

    private ThroughputComparison compare(SideBySide sides, String name, boolean withCallbacks) throws Exception {
        List<URI> urls = withCallbacks ? List.of(PlainLoops.function(function.gateway()), callbackUrl)
                : List.of(PlainLoops.function(function.gateway()));
        Map<String, Double> qualifying = new LinkedHashMap<>();
        String winner = qualify(name, urls, qualifying);
        List<Double> libraryServer = new ArrayList<>();
        List<Double> floorServer = new ArrayList<>();
        int n = setup.n();
        try (HttpLoop loop = PlainLoops.open(winner, urls, setup.maxInflight(), body)) {
            ThroughputComparison row = sides.compare(name + " (floor: " + winner + ")", n,
                    calls -> library(calls, withCallbacks, libraryServer),
                    calls -> floor(loop, calls, withCallbacks, floorServer), 0.8);
            // The sides also ran while warming up; the timed repetitions are the last ones of each.
            return row.withServers(new ServerReadings(winner, qualifying, List.of(),
                    last(libraryServer, setup.repeats()), last(floorServer, setup.repeats())));
        }
    }

    private ThroughputComparison againstRawQueue(SideBySide sides) throws Exception {
        List<Double> libraryServer = new ArrayList<>();
        List<Double> floorServer = new ArrayList<>();
        try (RawQueueHttpLoop loop = RawQueueHttpLoop.postingBody(PlainLoops.function(function.gateway()), body,
                setup.maxInflight())) {
            ThroughputComparison row = sides.compare("Worker over HTTP, raw queue floor", setup.n(),
                    calls -> library(calls, false, libraryServer), calls -> rawQueue(loop, calls, floorServer), 0);
            return row.withServers(new ServerReadings("raw pull, apache-async call, ack", Map.of(), List.of(),
                    last(libraryServer, setup.repeats()), last(floorServer, setup.repeats())));
        }
    }

    /** The raw loop drains {@code n} stored invocations: pull, call, ack, nothing decoded. */
    private Reading rawQueue(RawQueueHttpLoop loop, int n, List<Double> serverCpu) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        fill(queue, n, null);
        try {
            long calls = function.count();
            Duration cpu = serversCpu();
            Stopwatch timer = new Stopwatch(n);
            JetStreamSubscription subscription = streams.rawConsumer(queue);
            loop.run(subscription, n);
            Reading reading = timer.stop();
            serverCpu.add(serversCpu().minus(cpu).toNanos() / 1e3 / n);
            subscription.unsubscribe();
            expect(function.count() - calls, n, "function calls");
            expect(loop.failed(), 0, "failed calls");
            return reading;
        } finally {
            streams.deleteStreams(queue.name());
        }
    }

    /**
     * Runs every plain loop briefly, in turns, and returns the name of the one with the fastest median; its
     * medians go into {@code medians}, fastest first.
     */
    private String qualify(String name, List<URI> urls, Map<String, Double> medians) throws Exception {
        Map<String, HttpLoop> loops = new LinkedHashMap<>();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try {
            for (String client : PlainLoops.names()) {
                loops.put(client, PlainLoops.open(client, urls, setup.maxInflight(), body));
                rates.put(client, new ArrayList<>());
            }
            for (Map.Entry<String, HttpLoop> e : loops.entrySet()) {
                // Long enough for the JIT's later tiers: a cold loop would lose the round to a warmer one.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(2, setup.warmupSeconds() / 2));
                do {
                    e.getValue().run(2_000);
                } while (System.nanoTime() < until);
            }
            for (int round = 0; round < QUALIFYING_ROUNDS; round++) {
                List<String> order = new ArrayList<>(loops.keySet());
                Collections.rotate(order, -round);
                for (String client : order) {
                    long start = System.nanoTime();
                    loops.get(client).run(QUALIFYING_CALLS);
                    rates.get(client).add(QUALIFYING_CALLS / ((System.nanoTime() - start) / 1e9));
                }
            }
        } finally {
            for (HttpLoop loop : loops.values()) loop.close();
        }
        rates.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, List<Double>> e) -> -ThroughputComparison.median(e.getValue())))
                .forEach(e -> medians.put(e.getKey(), ThroughputComparison.median(e.getValue())));
        log.info("{}: qualifying round (median calls/s) {}", name, medians);
        return medians.keySet().iterator().next();
    }

    /** The worker drains {@code n} stored invocations; checks the function (and receiver) got every call. */
    private Reading library(int n, boolean withCallbacks, List<Double> serverCpu) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        fill(queue, n, withCallbacks ? callbackUrl : null);
        try {
            long calls = function.count();
            long received = receiver.count();
            Duration cpu = serversCpu();
            Reading reading = drain(queue, n);
            serverCpu.add(serversCpu().minus(cpu).toNanos() / 1e3 / n);
            expect(function.count() - calls, n, "function calls");
            expect(receiver.count() - received, withCallbacks ? n : 0, "callbacks received");
            return reading;
        } finally {
            streams.deleteStreams(queue.name());
        }
    }

    /** The plain loop makes {@code n} calls; no stream, as it does nothing but HTTP. */
    private Reading floor(HttpLoop loop, int n, boolean withCallbacks, List<Double> serverCpu) throws Exception {
        long calls = function.count();
        long received = receiver.count();
        Duration cpu = serversCpu();
        Stopwatch timer = new Stopwatch(n);
        loop.run(n);
        Reading reading = timer.stop();
        serverCpu.add(serversCpu().minus(cpu).toNanos() / 1e3 / n);
        expect(function.count() - calls, n, "function calls");
        expect(receiver.count() - received, withCallbacks ? n : 0, "callbacks received");
        return reading;
    }

    /** Times a worker with the shared invoker and callback sender draining the {@code n} calls stored in {@code queue}. */
    private Reading drain(JetStreamQueue queue, int n) throws Exception {
        return DispatchCase.drain(QueueWorker.builder()
                .name(queue.name())
                .consumer(StaticConsumerStrategy.builder(queue).build())
                .invoker(invoker)
                .callbacks(callbacks)
                .callbackTimeout(CALLBACK_TIMEOUT)
                .retryPolicy(RetryPolicy.defaults())
                .maxInflight(setup.maxInflight()), queue, n);
    }

    /** Stores {@code n} benchmark invocations, each with this callback URL (or none), as raw publishes. */
    private void fill(JetStreamQueue queue, int n, URI callback) throws InterruptedException {
        String subject = Subjects.forFunction(queue.name(), PipelineStreams.FUNCTION);
        for (int from = 0; from < n; from += PipelineStreams.FILL_CHUNK) {
            List<Invocation> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + PipelineStreams.FILL_CHUNK); i++) {
                Invocation plain = PipelineStreams.invocation(queue.name(), queue.name() + "-" + i);
                chunk.add(callback == null ? plain : plain.toBuilder().callbackUrl(callback).build());
            }
            RawJetStream.publish(streams.jetStream(), subject, queue.streamName(),
                    chunk.stream().map(BenchmarkCodec::encode).toList(), chunk.stream().map(Invocation::callId).toList(),
                    1024);
        }
    }

    /** {@code wrk} straight at the function server, at the same concurrency and body size, after a short warm-up. */
    private List<Double> ceiling() throws Exception {
        Optional<Path> wrk = Wrk.find();
        if (wrk.isEmpty()) {
            log.warn("wrk is not on the PATH (bin/install-http-benchmark-tools installs it): no ceiling measured");
            return List.of();
        }
        Path script = FunctionServer.extract("post.lua", work);
        Wrk.run(wrk.get(), script, function.url(), setup.maxInflight(), Duration.ofSeconds(2), body.length, function);
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < CEILING_RUNS; i++) {
            Run run = Wrk.run(wrk.get(), script, function.url(), setup.maxInflight(), CEILING_RUN, body.length, function);
            rates.add(run.rate());
            log.info("function server ceiling #{}: {} calls/s (wrk, {} connections)", i + 1, Math.round(run.rate()),
                    setup.maxInflight());
        }
        return rates;
    }

    private Duration serversCpu() {
        return function.cpu().plus(receiver.cpu());
    }

    private static void expect(long got, long wanted, String what) {
        if (got != wanted) throw new IllegalStateException(got + " " + what + ", expected " + wanted);
    }

    private static List<Double> last(List<Double> values, int count) {
        return List.copyOf(values.subList(Math.max(0, values.size() - count), values.size()));
    }

    /** Stops the invoker and both server processes. */
    @Override
    public void close() throws Exception {
        invoker.close();
        function.close();
        receiver.close();
    }
}
