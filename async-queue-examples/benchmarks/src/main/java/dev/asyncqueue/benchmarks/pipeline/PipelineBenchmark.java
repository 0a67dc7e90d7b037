package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.benchmarks.FixedLatencyFunctions;
import dev.asyncqueue.benchmarks.Machine;
import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.nats.FunctionConsumerStrategy;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.nats.BenchmarkCodec;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.nats.Subjects;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.worker.WorkerListener;
import dev.asyncqueue.Threads;
import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 7's benchmark: the library's enqueue, dispatch and end-to-end pipeline against the raw jnats floor on
 * the same nats-server in the same run, idle-queue latency, and a worker's memory while draining a small and a
 * large backlog; writes {@code BENCHMARKS.md} and {@code benchmarks.png} into the docs directory.
 *
 * <p>Run it with {@code bin/benchmark pipeline [--name=value ...]}; {@code --help} lists the options.
 */
public final class PipelineBenchmark {
    static {
        // slf4j-simple, not the examples' line logger (which knows one global level only), so that Bench's
        // per-logger levels apply: the worker's per-call INFO lines would otherwise be measured too.
        Bench.configureLogging();
        // The JDK's HTTP server writes a response's headers and body separately; with Nagle's algorithm on, the
        // client's delayed ACK then stalls every exchange by tens of milliseconds. Off for every server in this JVM
        // (the functions, the ingest endpoint), so both sides of the comparison measure the pipeline, not the stall.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(PipelineBenchmark.class);
    static final String FUNCTION = "bench";
    private static final String USAGE = """
            usage: PipelineBenchmark [--n=50000] [--http-n=10000] [--repeats=5] [--warmup=10000] [--warmup-seconds=8]
                                     [--window=256]
                                     [--http-window=50] [--max-inflight=50] [--latency-calls=1000]
                                     [--memory-small=10000] [--memory-large=1000000] [--memory-seconds=60]
                                     [--memory-xmx=512m] [--cases=enqueue,dispatch,http,latency,memory] [--docs=docs]
            Runs each case after a warm-up, --repeats times, the library and the raw jnats floor alternately;
            writes <docs>/BENCHMARKS.md and <docs>/benchmarks.png.""";

    /**
     * What the run is configured with.
     *
     * @param n              invocations per enqueue and dispatch repetition
     * @param httpN          invocations per end-to-end repetition
     * @param repeats        repetitions of each throughput case
     * @param warmup         invocations per warm-up pass of each throughput case (not reported)
     * @param warmupSeconds  warm-up passes repeat until each side has warmed up this long
     * @param window         outstanding enqueues (library) / publishes (raw) at most
     * @param httpWindow     outstanding ingest posts of the HTTP driver, and the raw HTTP loop's calls in flight
     * @param maxInflight    the worker's {@code max_inflight}
     * @param latencyCalls   sequential calls of the latency case
     * @param memorySmall    the small backlog of the memory case
     * @param memoryLarge    the large backlog of the memory case
     * @param memorySeconds  how long the large backlog's worker is sampled
     * @param memoryXmx      the worker JVM's {@code -Xmx}
     * @param cases          which cases run
     */
    record Setup(int n, int httpN, int repeats, int warmup, int warmupSeconds, int window, int httpWindow, int maxInflight,
                 int latencyCalls, int memorySmall, int memoryLarge, int memorySeconds, String memoryXmx,
                 List<String> cases) {
        boolean runs(String name) {
            return cases.contains(name);
        }
    }

    /**
     * Idle-queue latency, enqueue acknowledged to the function receiving the call.
     *
     * @param library   the library's readings, nanoseconds, sorted
     * @param floor     the raw loop's readings, nanoseconds, sorted
     */
    record Latency(long[] library, long[] floor) {
    }

    /**
     * One reading of the worker JVM's memory.
     *
     * @param seconds      since the worker JVM was started
     * @param drained      messages gone from the stream when the reading was taken
     * @param heapKib      used heap after a full GC
     * @param rssKib       resident set
     */
    record MemorySample(double seconds, long drained, long heapKib, long rssKib) {
    }

    /**
     * The memory case for one backlog.
     *
     * @param backlog      messages stored before the worker started
     * @param fillSeconds  how long storing them took (raw publishAsync, encoded in chunks of 10,000)
     * @param samples      readings while draining
     */
    record Memory(int backlog, double fillSeconds, List<MemorySample> samples) {
        /** The readings at equal work done: the first three, at a quarter, half and three quarters of the small backlog. */
        List<MemorySample> matched() {
            return samples.subList(0, Math.min(3, samples.size()));
        }

        static long maxHeapKib(List<MemorySample> samples) {
            return samples.stream().mapToLong(MemorySample::heapKib).max().orElse(0);
        }

        static long maxRssKib(List<MemorySample> samples) {
            return samples.stream().mapToLong(MemorySample::rssKib).max().orElse(0);
        }
    }

    private static final byte[] BODY = new byte[512];

    static {
        new Random(7).nextBytes(BODY);
    }

    private final Connection connection;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final Setup setup;
    private final AtomicInteger queues = new AtomicInteger();
    private final ExecutorService driverExecutor = Executors.newFixedThreadPool(2, Threads.named("bench-driver"));
    private final HttpClient driver = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(driverExecutor).build();

    private PipelineBenchmark(Connection connection, Setup setup) throws IOException {
        this.connection = connection;
        this.js = connection.jetStream();
        this.jsm = connection.jetStreamManagement();
        this.setup = setup;
    }

    /** Runs the cases and writes the report; arguments as in {@code --help}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = Bench.arguments(args, USAGE);
        Setup setup = new Setup(
                Integer.parseInt(o.getOrDefault("n", "50000")),
                Integer.parseInt(o.getOrDefault("http-n", "10000")),
                Integer.parseInt(o.getOrDefault("repeats", "5")),
                Integer.parseInt(o.getOrDefault("warmup", "10000")),
                Integer.parseInt(o.getOrDefault("warmup-seconds", "8")),
                Integer.parseInt(o.getOrDefault("window", "256")),
                Integer.parseInt(o.getOrDefault("http-window", "50")),
                Integer.parseInt(o.getOrDefault("max-inflight", "50")),
                Integer.parseInt(o.getOrDefault("latency-calls", "1000")),
                Integer.parseInt(o.getOrDefault("memory-small", "10000")),
                Integer.parseInt(o.getOrDefault("memory-large", "1000000")),
                Integer.parseInt(o.getOrDefault("memory-seconds", "60")),
                o.getOrDefault("memory-xmx", "512m"),
                List.of(o.getOrDefault("cases", "enqueue,dispatch,http,latency,memory").split(",")));
        Path docs = Path.of(o.getOrDefault("docs", "docs"));
        Machine machine = Machine.current();
        Instant started = Instant.now();
        List<ThroughputComparison> throughput = new ArrayList<>();
        Latency latency = null;
        List<Memory> memory = new ArrayList<>();
        try (LocalNatsServer nats = LocalNatsServer.start();
             Connection connection = Bench.connect(nats.url())) {
            PipelineBenchmark bench = new PipelineBenchmark(connection, setup);
            try {
                throughput.addAll(bench.throughputCases());
                if (setup.runs("latency")) latency = bench.latency();
                if (setup.runs("memory")) {
                    memory.add(bench.memory(setup.memorySmall(), nats.url()));
                    memory.add(bench.memory(setup.memoryLarge(), nats.url()));
                }
            } finally {
                bench.driverExecutor.shutdownNow();
            }
        }
        Duration took = Duration.between(started, Instant.now());
        String report = PipelineReport.markdown(setup, machine, started, took, String.join(" ", args), throughput,
                latency, memory);
        Files.createDirectories(docs);
        Path md = docs.resolve("BENCHMARKS.md");
        Files.writeString(md, report);
        if (!throughput.isEmpty()) PipelineReport.chart(throughput, docs.resolve("benchmarks.png"));
        System.out.println(report);
        System.out.println("wrote " + md.toAbsolutePath());
        System.exit(0);
    }

    private List<ThroughputComparison> throughputCases() throws Exception {
        List<ThroughputComparison> out = new ArrayList<>();
        if (setup.runs("enqueue")) {
            out.add(compare("Enqueue", setup.n(), this::enqueueLibrary, this::enqueueRaw, 0.9));
        }
        if (setup.runs("dispatch")) {
            out.add(compare("Dispatch (static)", setup.n(), n -> dispatchLibrary(n, false), this::dispatchRaw, 0.9));
            out.add(compare("Dispatch (function mode)", setup.n(), n -> dispatchLibrary(n, true), this::dispatchRaw, 0));
        }
        if (setup.runs("http")) {
            out.add(compare("End to end over HTTP", setup.httpN(), n -> httpLibrary(n, false), this::httpRaw, 0.9));
            out.add(compare("End to end, status on", setup.httpN(), n -> httpLibrary(n, true), this::httpRaw, 0));
            out.add(compare("Worker over HTTP, pre-filled", setup.httpN(), this::httpWorker, this::httpRaw, 0));
        }
        return out;
    }

    /** One side of a throughput case: processes {@code n} invocations, returns its timed section's reading. */
    @FunctionalInterface
    private interface Side {
        Reading run(int n) throws Exception;
    }

    /**
     * A timed section: wall time, and CPU time of this JVM and of the nats-server, in microseconds per message.
     *
     * @param rate     messages per second
     * @param jvmCpu   this JVM's CPU microseconds per message
     * @param natsCpu  the nats-server's CPU microseconds per message
     */
    record Reading(double rate, double jvmCpu, double natsCpu) {
    }

    /** Starts timing a section of {@code n} messages. */
    private static final class Timer {
        final int n;
        final long wall = System.nanoTime();
        final Duration cpu = Bench.processCpu();
        final Duration nats = Bench.natsServerCpu();

        Timer(int n) {
            this.n = n;
        }

        Reading stop() {
            double seconds = (System.nanoTime() - wall) / 1e9;
            return new Reading(n / seconds, Bench.processCpu().minus(cpu).toNanos() / 1e3 / n,
                    Bench.natsServerCpu().minus(nats).toNanos() / 1e3 / n);
        }
    }

    private ThroughputComparison compare(String name, int n, Side library, Side floor, double target) throws Exception {
        if (setup.warmup() > 0) {
            // One pass left the library's first repetitions 30-40 % slower than its later ones (the JIT had not yet
            // compiled all of its path), so each side repeats passes for a while, as JMH warms up by time.
            log.info("{}: warm-up passes of {} for {} s a side", name, setup.warmup(), setup.warmupSeconds());
            warmUp(library);
            warmUp(floor);
        }
        List<Reading> lib = new ArrayList<>();
        List<Reading> raw = new ArrayList<>();
        for (int r = 0; r < setup.repeats(); r++) {
            // Alternate which side goes first, so drift on the machine (page cache, compaction) hits both alike.
            if (r % 2 == 0) {
                lib.add(library.run(n));
                raw.add(floor.run(n));
            } else {
                raw.add(floor.run(n));
                lib.add(library.run(n));
            }
            log.info("{} #{}: library {} /s, floor {} /s", name, r + 1, Math.round(lib.get(r).rate()),
                    Math.round(raw.get(r).rate()));
        }
        return new ThroughputComparison(name, lib.stream().map(Reading::rate).toList(),
                raw.stream().map(Reading::rate).toList(), target, lib.stream().map(Reading::jvmCpu).toList(),
                raw.stream().map(Reading::jvmCpu).toList(), lib.stream().map(Reading::natsCpu).toList(),
                raw.stream().map(Reading::natsCpu).toList());
    }

    private void warmUp(Side side) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(setup.warmupSeconds());
        do {
            side.run(setup.warmup());
        } while (System.nanoTime() < until);
    }

    // ----- queues and filling ------------------------------------------------------------------------------

    private JetStreamQueue newQueue() {
        return JetStreamQueue.builder(connection).queue("bench-" + queues.incrementAndGet()).deadLetters(false).build();
    }

    private void deleteStreams(String queue) {
        for (String stream : List.of(Subjects.streamName(queue), Subjects.streamName(queue) + "_DLQ")) {
            try {
                jsm.deleteStream(stream);
            } catch (JetStreamApiException | IOException e) {
                log.debug("deleting {}: {}", stream, e.toString());
            }
        }
    }

    private static List<Invocation> invocations(String queue, int from, int to) {
        List<Invocation> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(Invocation.builder(FUNCTION).queue(queue).callId(queue + "-" + i).body(BODY).build());
        }
        return out;
    }

    /** Stores {@code n} invocations with raw publishes of their encoded form, in chunks; returns seconds. */
    private double fill(JetStreamQueue queue, int n, int window) throws InterruptedException {
        String subject = Subjects.forFunction(queue.name(), FUNCTION);
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += 10_000) {
            List<Invocation> chunk = invocations(queue.name(), from, Math.min(n, from + 10_000));
            RawJetStream.publish(js, subject, queue.streamName(), chunk.stream().map(BenchmarkCodec::encode).toList(),
                    chunk.stream().map(Invocation::callId).toList(), window);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private long stored(JetStreamQueue queue) throws IOException, JetStreamApiException {
        return jsm.getStreamInfo(queue.streamName()).getStreamState().getMsgCount();
    }

    private void expectStored(JetStreamQueue queue, long n) throws IOException, JetStreamApiException {
        long stored = stored(queue);
        if (stored != n) throw new IllegalStateException(queue.streamName() + " holds " + stored + ", expected " + n);
    }

    // ----- case 1: enqueue ---------------------------------------------------------------------------------

    private Reading enqueueLibrary(int n) throws Exception {
        JetStreamQueue queue = newQueue();
        List<Invocation> invocations = invocations(queue.name(), 0, n);
        Semaphore window = new Semaphore(setup.window());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Timer t0 = new Timer(n);
        for (Invocation invocation : invocations) {
            window.acquire();
            queue.enqueue(invocation).whenComplete((receipt, error) -> {
                if (error != null) failure.compareAndSet(null, error);
                window.release();
            });
        }
        window.acquire(setup.window());
        Reading seconds = t0.stop();
        if (failure.get() != null) throw new IllegalStateException("enqueue failed", failure.get());
        expectStored(queue, n);
        deleteStreams(queue.name());
        return seconds;
    }

    private Reading enqueueRaw(int n) throws Exception {
        JetStreamQueue queue = newQueue();
        List<Invocation> invocations = invocations(queue.name(), 0, n);
        List<byte[]> encoded = invocations.stream().map(BenchmarkCodec::encode).toList();
        List<String> ids = invocations.stream().map(Invocation::callId).toList();
        String subject = Subjects.forFunction(queue.name(), FUNCTION);
        Timer t0 = new Timer(n);
        RawJetStream.publish(js, subject, queue.streamName(), encoded, ids, setup.window());
        Reading seconds = t0.stop();
        expectStored(queue, n);
        deleteStreams(queue.name());
        return seconds;
    }

    // ----- case 2: dispatch --------------------------------------------------------------------------------

    private Reading dispatchLibrary(int n, boolean functionMode) throws Exception {
        JetStreamQueue queue = newQueue();
        fill(queue, n, 1024);
        InvocationResult ok = InvocationResult.answered(200, Map.of(), new byte[0], Duration.ZERO);
        Invoker noOp = invocation -> CompletableFuture.completedFuture(ok);
        Reading seconds = drain(queue, functionMode ? FunctionConsumerStrategy.builder(queue).build()
                : StaticConsumerStrategy.builder(queue).build(), noOp, n);
        deleteStreams(queue.name());
        return seconds;
    }

    /** Times a worker with this strategy and invoker draining the {@code n} calls already stored in {@code queue}. */
    private Reading drain(JetStreamQueue queue, ConsumerStrategy strategy, Invoker invoker, int n) throws Exception {
        CountDownLatch done = new CountDownLatch(n);
        QueueWorker worker = QueueWorker.builder()
                .name(queue.name())
                .consumer(strategy)
                .invoker(invoker)
                .retryPolicy(RetryPolicy.defaults())
                .maxInflight(setup.maxInflight())
                .listener(new WorkerListener() {
                    @Override
                    public void invocationEnded(Invocation invocation) {
                        done.countDown();
                    }
                })
                .build();
        Timer t0 = new Timer(n);
        worker.start();
        if (!done.await(10, TimeUnit.MINUTES)) throw new TimeoutException("worker did not drain " + queue.streamName());
        Reading reading = t0.stop();
        worker.close();
        return reading;
    }

    /**
     * The shared consumer as {@code StaticConsumerStrategy} configures it, read through one long-lived jnats pull
     * subscription. Not {@code ConsumerContext.fetch}: it subscribes per pull, and a message the server sends
     * just after its timer ended is dropped until {@code ack_wait}; that floor stalled for 30 s in about one
     * repetition in three.
     */
    private JetStreamSubscription rawConsumer(JetStreamQueue queue) throws IOException, JetStreamApiException {
        jsm.addOrUpdateConsumer(queue.streamName(), ConsumerConfiguration.builder()
                .durable("raw").ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All)
                .ackWait(Duration.ofSeconds(30)).maxDeliver(-1).maxAckPending(20_000).build());
        return js.subscribe(null, PullSubscribeOptions.bind(queue.streamName(), "raw"));
    }

    private Reading dispatchRaw(int n) throws Exception {
        JetStreamQueue queue = newQueue();
        fill(queue, n, 1024);
        Timer t0 = new Timer(n);
        JetStreamSubscription subscription = rawConsumer(queue);
        RawJetStream.drain(subscription, n, setup.maxInflight());
        Reading seconds = t0.stop();
        subscription.unsubscribe();
        deleteStreams(queue.name());
        return seconds;
    }

    // ----- case 3: end to end over HTTP --------------------------------------------------------------------

    private Reading httpLibrary(int n, boolean status) throws Exception {
        String queueName = "bench-" + queues.incrementAndGet();
        Map<String, String> settings = new HashMap<>();
        settings.put("nats_url", connection.getConnectedUrl());
        settings.put("queue_name", queueName);
        settings.put("role", "all");
        settings.put("scaling_mode", "static");
        settings.put("max_inflight", Integer.toString(setup.maxInflight()));
        settings.put("port", "0");
        settings.put("metrics_port", "0");
        settings.put("status_enabled", Boolean.toString(status));
        settings.put("dead_letter_enabled", "false");
        try (FixedLatencyFunctions functions = FixedLatencyFunctions.start(Duration.ZERO);
             QueueWorkerApp app = QueueWorkerApp.start(with(settings, "gateway_url", functions.gatewayUrl().toString()))) {
            URI ingest = URI.create("http://127.0.0.1:" + app.ingestPort() + "/async-function/" + FUNCTION);
            long before = functions.requests();
            Semaphore window = new Semaphore(setup.httpWindow());
            AtomicLong refused = new AtomicLong();
            Timer t0 = new Timer(n);
            for (int i = 0; i < n; i++) {
                window.acquire();
                HttpRequest post = HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build();
                driver.sendAsync(post, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                    if (error != null || response.statusCode() != 202) refused.incrementAndGet();
                    window.release();
                });
            }
            window.acquire(setup.httpWindow());
            log.info("end to end: {} posts accepted after {} ms, {} calls made by then", n,
                    (System.nanoTime() - t0.wall) / 1_000_000, functions.requests() - before);
            if (refused.get() > 0) throw new IllegalStateException(refused.get() + " ingest posts were not accepted");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (functions.requests() - before < n || stored(app.queue()) > 0) {
                if (System.nanoTime() > deadline) throw new TimeoutException("end to end did not finish");
                TimeUnit.MILLISECONDS.sleep(1);
            }
            Reading seconds = t0.stop();
            if (functions.requests() - before != n) {
                throw new IllegalStateException((functions.requests() - before) + " calls for " + n + " invocations");
            }
            return seconds;
        } finally {
            deleteStreams(queueName);
        }
    }

    private static Map<String, String> with(Map<String, String> settings, String key, String value) {
        Map<String, String> out = new HashMap<>(settings);
        out.put(key, value);
        return out;
    }

    /** The worker alone over HTTP: {@code QueueWorker} with its default {@code HttpInvoker}, stream filled first. */
    private Reading httpWorker(int n) throws Exception {
        JetStreamQueue queue = newQueue();
        fill(queue, n, 1024);
        try (FixedLatencyFunctions functions = FixedLatencyFunctions.start(Duration.ZERO);
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(functions.gatewayUrl()).build()) {
            Reading reading = drain(queue, StaticConsumerStrategy.builder(queue).build(), invoker, n);
            if (functions.requests() != n) throw new IllegalStateException(functions.requests() + " calls for " + n);
            return reading;
        } finally {
            deleteStreams(queue.name());
        }
    }

    private Reading httpRaw(int n) throws Exception {
        JetStreamQueue queue = newQueue();
        fill(queue, n, 1024);
        try (FixedLatencyFunctions functions = FixedLatencyFunctions.start(Duration.ZERO);
             RawHttpLoop loop = new RawHttpLoop(functions.gatewayUrl(), FUNCTION, BODY, setup.httpWindow())) {
            long before = functions.requests();
            Timer t0 = new Timer(n);
            JetStreamSubscription subscription = rawConsumer(queue);
            loop.run(subscription, n);
            Reading seconds = t0.stop();
            subscription.unsubscribe();
            if (loop.failed() > 0 || functions.requests() - before != n) {
                throw new IllegalStateException("raw HTTP loop: " + loop.failed() + " failed, "
                        + (functions.requests() - before) + " calls for " + n);
            }
            return seconds;
        } finally {
            deleteStreams(queue.name());
        }
    }

    // ----- case 4: latency ---------------------------------------------------------------------------------

    private Latency latency() throws Exception {
        int warm = Math.min(200, setup.latencyCalls());
        try (ArrivalRecorder recorder = new ArrivalRecorder();
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(recorder.gatewayUrl()).build()) {
            JetStreamQueue queue = newQueue();
            QueueWorker worker = QueueWorker.builder().name(queue.name())
                    .consumer(StaticConsumerStrategy.builder(queue).build())
                    .invoker(invoker).retryPolicy(RetryPolicy.defaults()).maxInflight(setup.maxInflight()).build();
            worker.start();
            long[] library;
            try {
                sequential(recorder, queue, warm, "warm", inv -> queue.enqueue(inv).toCompletableFuture());
                library = sequential(recorder, queue, setup.latencyCalls(), "lat",
                        inv -> queue.enqueue(inv).toCompletableFuture());
            } finally {
                worker.close();
                deleteStreams(queue.name());
            }
            JetStreamQueue rawQueue = newQueue();
            String subject = Subjects.forFunction(rawQueue.name(), FUNCTION);
            long[] floor;
            try (RawHttpLoop loop = new RawHttpLoop(recorder.gatewayUrl(), FUNCTION, BODY, setup.maxInflight())) {
                JetStreamSubscription consumer = rawConsumer(rawQueue);
                AtomicReference<Exception> failure = new AtomicReference<>();
                Thread puller = Threads.named("raw-latency-loop").newThread(() -> {
                    try {
                        loop.run(consumer, Long.MAX_VALUE);
                    } catch (Exception e) {
                        failure.set(e);
                    }
                });
                puller.start();
                try {
                    java.util.function.Function<Invocation, CompletableFuture<?>> publish = inv -> js.publishAsync(subject,
                            null, BenchmarkCodec.encode(inv), PublishOptions.builder().messageId(inv.callId())
                                    .expectedStream(rawQueue.streamName()).build());
                    sequential(recorder, rawQueue, warm, "warm", publish);
                    floor = sequential(recorder, rawQueue, setup.latencyCalls(), "lat", publish);
                } finally {
                    loop.stop();
                    puller.join(5_000);
                    deleteStreams(rawQueue.name());
                }
                if (failure.get() != null) throw failure.get();
            }
            return new Latency(library, floor);
        }
    }

    /** Enqueues one call at a time and reads enqueue-acknowledged to arrival, in nanoseconds, sorted. */
    private static long[] sequential(ArrivalRecorder recorder, JetStreamQueue queue, int calls, String prefix,
                                     java.util.function.Function<Invocation, CompletableFuture<?>> enqueue)
            throws Exception {
        long[] out = new long[calls];
        for (int i = 0; i < calls; i++) {
            Invocation invocation = Invocation.builder(FUNCTION).queue(queue.name())
                    .callId(queue.name() + "-" + prefix + "-" + i).body(BODY).build();
            CompletableFuture<Long> arrival = recorder.arrival(invocation.callId());
            enqueue.apply(invocation).get(10, TimeUnit.SECONDS);
            long acknowledged = System.nanoTime();
            out[i] = Math.max(0, arrival.get(10, TimeUnit.SECONDS) - acknowledged);
            recorder.forget(invocation.callId());
        }
        Arrays.sort(out);
        return out;
    }

    // ----- case 5: memory ----------------------------------------------------------------------------------

    private Memory memory(int backlog, String natsUrl) throws Exception {
        JetStreamQueue queue = newQueue();
        log.info("memory: storing a backlog of {}", backlog);
        double fillSeconds = fill(queue, backlog, 4096);
        log.info("memory: {} stored in {} s", backlog, Math.round(fillSeconds));
        Map<String, String> env = new HashMap<>();
        env.put("nats_url", natsUrl);
        env.put("queue_name", queue.name());
        env.put("role", "worker");
        env.put("scaling_mode", "static");
        env.put("max_inflight", Integer.toString(setup.maxInflight()));
        env.put("metrics_port", "0");
        env.put("status_enabled", "false");
        env.put("dead_letter_enabled", "false");
        Path logFile = Files.createTempFile("pipeline-worker-", ".log");
        FixedLatencyFunctions functions = FixedLatencyFunctions.start(Duration.ZERO);
        env.put("gateway_url", functions.gatewayUrl().toString());
        List<MemorySample> samples = new ArrayList<>();
        List<Long> targets = new ArrayList<>(List.of((long) setup.memorySmall() / 4, (long) setup.memorySmall() / 2,
                3L * setup.memorySmall() / 4));
        long t0 = System.nanoTime();
        try (WorkerMemoryProbe worker = WorkerMemoryProbe.start(
                List.of("-Xmx" + setup.memoryXmx(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), env, logFile)) {
            long nextTimed = Long.MAX_VALUE;
            long end = t0 + TimeUnit.SECONDS.toNanos(setup.memorySeconds()) + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                if (!worker.alive()) throw new IllegalStateException("worker JVM exited:\n" + worker.logText());
                long drained = backlog - stored(queue);
                double seconds = (System.nanoTime() - t0) / 1e9;
                boolean due = !targets.isEmpty() && drained >= targets.get(0) || System.nanoTime() >= nextTimed;
                if (due) {
                    long heap = worker.heapAfterGcKib().orElse(-1);
                    long rss = worker.rssKib().orElse(-1);
                    samples.add(new MemorySample(seconds, drained, heap, rss));
                    log.info("memory {}: {} s, {} drained, heap after GC {} KiB, RSS {} KiB", backlog,
                            Math.round(seconds), drained, heap, rss);
                    if (!targets.isEmpty() && drained >= targets.get(0)) targets.remove(0);
                    if (targets.isEmpty()) {
                        if (nextTimed == Long.MAX_VALUE) end = t0 + TimeUnit.SECONDS.toNanos(setup.memorySeconds());
                        nextTimed = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    }
                }
                if (drained >= backlog && targets.isEmpty()) break;
                TimeUnit.MILLISECONDS.sleep(20);
            }
        } finally {
            functions.close();
            deleteStreams(queue.name());
            Files.deleteIfExists(logFile);
        }
        return new Memory(backlog, fillSeconds, samples);
    }
}
