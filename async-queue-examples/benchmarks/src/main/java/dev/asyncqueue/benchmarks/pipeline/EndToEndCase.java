package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.benchmarks.FixedLatencyFunctions;
import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.nats.JetStreamQueue;
import io.nats.client.JetStreamSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End to end over HTTP: posts to the example app's ingest while its worker calls a zero-latency function, against
 * a raw loop that pulls from a pre-filled stream, calls the same function and acks.
 */
final class EndToEndCase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndToEndCase.class);

    private final PipelineStreams streams;
    private final PipelineSetup setup;
    private final byte[] body = PipelineStreams.body();
    private final ExecutorService driverExecutor = Executors.newFixedThreadPool(2, Threads.named("bench-driver"));
    private final HttpClient driver = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(driverExecutor).build();

    EndToEndCase(PipelineStreams streams, PipelineSetup setup) {
        this.streams = streams;
        this.setup = setup;
    }

    /** The app (target), and the app with call status on (information). */
    List<ThroughputComparison> run(SideBySide sides) throws Exception {
        return List.of(
                sides.compare("End to end over HTTP", setup.httpN(), n -> app(n, false), this::floor, 0.9),
                sides.compare("End to end, status on", setup.httpN(), n -> app(n, true), this::floor, 0));
    }

    /** {@code QueueWorkerApp} in process: timed from the first post until every call was made and acked. */
    private Reading app(int n, boolean status) throws Exception {
        String queueName = streams.newQueueName();
        Map<String, String> settings = new HashMap<>();
        settings.put("nats_url", streams.connection().getConnectedUrl());
        settings.put("queue_name", queueName);
        settings.put("role", "all");
        settings.put("scaling_mode", "static");
        settings.put("max_inflight", Integer.toString(setup.maxInflight()));
        settings.put("port", "0");
        settings.put("metrics_port", "0");
        settings.put("status_enabled", Boolean.toString(status));
        settings.put("dead_letter_enabled", "false");
        try (FixedLatencyFunctions functions = FixedLatencyFunctions.start(Duration.ZERO)) {
            settings.put("gateway_url", functions.gatewayUrl().toString());
            try (QueueWorkerApp app = QueueWorkerApp.start(settings)) {
                return drive(app, functions, n);
            }
        } finally {
            streams.deleteStreams(queueName);
        }
    }

    private Reading drive(QueueWorkerApp app, FixedLatencyFunctions functions, int n) throws Exception {
        URI ingest = URI.create("http://127.0.0.1:" + app.ingestPort() + "/async-function/" + PipelineStreams.FUNCTION);
        long before = functions.requests();
        Semaphore window = new Semaphore(setup.httpWindow());
        AtomicLong refused = new AtomicLong();
        Stopwatch timer = new Stopwatch(n);
        for (int i = 0; i < n; i++) {
            window.acquire();
            HttpRequest post = HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            driver.sendAsync(post, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                if (error != null || response.statusCode() != 202) refused.incrementAndGet();
                window.release();
            });
        }
        window.acquire(setup.httpWindow());
        log.info("end to end: {} posts accepted after {} ms, {} calls made by then", n, timer.elapsedMillis(),
                functions.requests() - before);
        if (refused.get() > 0) throw new IllegalStateException(refused.get() + " ingest posts were not accepted");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (functions.requests() - before < n || streams.stored(app.queue()) > 0) {
            if (System.nanoTime() > deadline) throw new TimeoutException("end to end did not finish");
            TimeUnit.MILLISECONDS.sleep(1);
        }
        Reading reading = timer.stop();
        if (functions.requests() - before != n) {
            throw new IllegalStateException((functions.requests() - before) + " calls for " + n + " invocations");
        }
        return reading;
    }

    private Reading floor(int n) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        streams.fill(queue, n, 1024);
        try (FixedLatencyFunctions functions = FixedLatencyFunctions.start(Duration.ZERO);
             RawHttpLoop loop = new RawHttpLoop(functions.gatewayUrl(), PipelineStreams.FUNCTION, body,
                     setup.httpWindow())) {
            long before = functions.requests();
            Stopwatch timer = new Stopwatch(n);
            JetStreamSubscription subscription = streams.rawConsumer(queue);
            loop.run(subscription, n);
            Reading reading = timer.stop();
            subscription.unsubscribe();
            if (loop.failed() > 0 || functions.requests() - before != n) {
                throw new IllegalStateException("raw HTTP loop: " + loop.failed() + " failed, "
                        + (functions.requests() - before) + " calls for " + n);
            }
            return reading;
        } finally {
            streams.deleteStreams(queue.name());
        }
    }

    /** Stops the HTTP driver's threads. */
    @Override
    public void close() {
        driverExecutor.shutdownNow();
    }
}
