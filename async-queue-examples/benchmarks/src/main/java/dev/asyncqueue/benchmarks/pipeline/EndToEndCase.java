package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.benchmarks.http.FunctionServer;
import dev.asyncqueue.benchmarks.http.PlainLoops;
import dev.asyncqueue.benchmarks.ingest.BareServer;
import dev.asyncqueue.benchmarks.ingest.JetStreamPublish;
import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.Subjects;
import io.nats.client.JetStreamSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * End to end over HTTP: posts to the example app's ingest while its worker calls the Node.js function server in
 * another process, against a raw pair doing the same work concurrently: a bare ingest on the app's HTTP server
 * technology (Netty), doing only {@code publishAsync} and answering 202 on the ack, and a raw worker loop
 * pulling from the same stream configuration, calling the same function server with the fastest plain Java
 * client, and acking. The same driver loads both.
 */
final class EndToEndCase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EndToEndCase.class);
    /** The HTTP server of the raw pair's ingest: the technology the app's ingest runs on. */
    static final String INGEST_SERVER = "netty";

    private final PipelineStreams streams;
    private final PipelineSetup setup;
    private final byte[] body = PipelineStreams.body();
    private final FunctionServer function;
    private final IngestDriver driver;

    EndToEndCase(PipelineStreams streams, PipelineSetup setup) throws IOException {
        this.streams = streams;
        this.setup = setup;
        this.function = FunctionServer.start(Files.createTempDirectory("end-to-end"));
        this.driver = new IngestDriver(setup.httpWindow());
    }

    /**
     * The app against the raw pair (target), and the app with call status on against the same pair
     * (information).
     */
    List<ThroughputComparison> run(SideBySide sides) throws Exception {
        List<ThroughputComparison> out = new ArrayList<>();
        out.add(sides.compare("End to end over HTTP", setup.httpN(), n -> app(n, false), this::rawPair, 0.8));
        out.add(sides.compare("End to end, status on", setup.httpN(), n -> app(n, true), this::rawPair, 0));
        return out;
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
        settings.put("gateway_url", function.gateway().toString());
        try (QueueWorkerApp app = QueueWorkerApp.start(settings)) {
            URI ingest = URI.create("http://127.0.0.1:" + app.ingestPort() + "/async-function/" + PipelineStreams.FUNCTION);
            Duration functionCpu = function.cpu();
            Stopwatch timer = new Stopwatch(n);
            long refused = driver.post(ingest, body, n);
            log.info("end to end: {} posts answered after {} ms", n, timer.elapsedMillis());
            if (refused > 0) throw new IllegalStateException(refused + " ingest posts were not accepted");
            awaitEmpty(app.queue());
            Reading reading = timer.stop();
            logFunctionCpu("library", function.cpu().minus(functionCpu), n);
            return reading;
        } finally {
            streams.deleteStreams(queueName);
        }
    }

    /**
     * The raw pair: the bare ingest and the raw worker loop on a fresh stream, the loop draining while the driver
     * posts; timed from the first post until the stream is empty (every call made and acked).
     */
    private Reading rawPair(int n) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        JetStreamPublish publish = new JetStreamPublish(streams.jetStream(),
                Subjects.forFunction(queue.name(), PipelineStreams.FUNCTION), queue.streamName());
        try (BareServer ingest = BareServer.start(INGEST_SERVER, publish);
             RawQueueHttpLoop worker = RawQueueHttpLoop.postingMessageData(
                     PlainLoops.function(function.gateway()), setup.maxInflight())) {
            URI url = URI.create("http://127.0.0.1:" + ingest.port() + "/async-function/" + PipelineStreams.FUNCTION);
            JetStreamSubscription subscription = streams.rawConsumer(queue);
            Duration functionCpu = function.cpu();
            Stopwatch timer = new Stopwatch(n);
            CompletableFuture<Void> drained = new CompletableFuture<>();
            Thread loop = new Thread(() -> {
                try {
                    worker.run(subscription, n);
                    drained.complete(null);
                } catch (Throwable e) {
                    drained.completeExceptionally(e);
                }
            }, "raw-pair-worker");
            loop.setDaemon(true);
            loop.start();
            long refused = driver.post(url, body, n);
            if (refused > 0) throw new IllegalStateException(refused + " bare ingest posts were not accepted");
            drained.get(10, TimeUnit.MINUTES);
            awaitEmpty(queue);
            Reading reading = timer.stop();
            logFunctionCpu("raw pair", function.cpu().minus(functionCpu), n);
            subscription.unsubscribe();
            if (worker.failed() > 0) throw new IllegalStateException("raw pair: " + worker.failed() + " calls failed");
            return reading;
        } finally {
            streams.deleteStreams(queue.name());
        }
    }

    /** Waits until the queue's stream holds nothing: on a work queue, every stored call was acked. */
    private void awaitEmpty(JetStreamQueue queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (streams.stored(queue) > 0) {
            if (System.nanoTime() > deadline) throw new TimeoutException("end to end did not finish");
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    private static void logFunctionCpu(String side, Duration cpu, int n) {
        log.info("end to end, {}: the function server used {} µs of CPU per call", side,
                String.format(Locale.ROOT, "%.1f", cpu.toNanos() / 1e3 / n));
    }

    /** Stops the driver and the function server. */
    @Override
    public void close() throws InterruptedException {
        driver.close();
        function.close();
    }
}
