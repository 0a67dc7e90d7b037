package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.nats.FunctionConsumerStrategy;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.worker.QueueWorkerBuilder;
import dev.asyncqueue.worker.WorkerListener;
import io.nats.client.ConsumerContext;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Dispatch: a {@code QueueWorker} with an invoker that answers 200 at once drains a stream filled before timing
 * (static, function mode, and the example app's own wiring), against a raw pull loop that acks what it pulls
 * without reading it.
 *
 * <p>The floor is the fastest jnats loop found on the benchmark machine: {@code ConsumerContext.consume} with
 * batches of {@value #BATCH}, acking each message with {@code ack()}. Beside it, on the same consumer
 * configuration, {@code iterate} over a long-lived pull subscription, {@code ConsumerContext.iterate} and
 * {@code fetch} with the same batch were as fast or slower, and every loop with batches of 50 (the worker's default
 * {@code max_inflight}) was far slower: a pull request's round trip and the server's work per request are paid
 * per batch. {@code AckPolicy.All} would be faster still, but the worker must settle each message by itself.
 *
 * <p>A worker pulls no more than it has free slots, so each side may hold the same number of messages unacked:
 * the worker runs with {@code max_inflight} {@value #BATCH}, the floor's batch. With the no-op invoker no call
 * waits, so the slots only bound how many messages one pull request asks for.
 */
final class DispatchCase {
    /** The floor's batch and the worker's {@code max_inflight} in this case: equal, so both hold as much unacked. */
    static final int BATCH = 4000;

    private final PipelineStreams streams;
    private final PipelineSetup setup;

    DispatchCase(PipelineStreams streams, PipelineSetup setup) {
        this.streams = streams;
        this.setup = setup;
    }

    /** Static mode and the example app (with a target), then function mode (information). */
    List<ThroughputComparison> run(SideBySide sides) throws Exception {
        return List.of(
                sides.compare("Dispatch (static)", setup.n(), n -> library(n, false), this::floor, 0.9),
                sides.compare("Dispatch (function mode)", setup.n(), n -> library(n, true), this::floor, 0),
                sides.compare("Dispatch (example app)", setup.n(), this::app, this::floor, 0.9));
    }

    private Reading library(int n, boolean functionMode) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        streams.fill(queue, n, 1024);
        InvocationResult ok = InvocationResult.answered(200, Map.of(), new byte[0], Duration.ZERO);
        Invoker noOp = invocation -> CompletableFuture.completedFuture(ok);
        Reading reading = drain(queue, functionMode ? FunctionConsumerStrategy.builder(queue).build()
                : StaticConsumerStrategy.builder(queue).build(), noOp, n, BATCH);
        streams.deleteStreams(queue.name());
        return reading;
    }

    /** Times a worker with this strategy and invoker draining the {@code n} calls already stored in {@code queue}. */
    static Reading drain(JetStreamQueue queue, ConsumerStrategy strategy, Invoker invoker, int n, int maxInflight)
            throws Exception {
        return drain(QueueWorker.builder()
                .name(queue.name())
                .consumer(strategy)
                .invoker(invoker)
                .retryPolicy(RetryPolicy.defaults())
                .maxInflight(maxInflight), queue, n);
    }

    /**
     * Times the worker this builder makes draining the {@code n} calls already stored in {@code queue}: from its
     * start until every call has ended.
     */
    static Reading drain(QueueWorkerBuilder worker, JetStreamQueue queue, int n) throws Exception {
        CountDownLatch done = new CountDownLatch(n);
        QueueWorker started = worker.listener(new WorkerListener() {
            @Override
            public void invocationEnded(Invocation invocation) {
                done.countDown();
            }
        }).build();
        Stopwatch timer = new Stopwatch(n);
        started.start();
        if (!done.await(10, TimeUnit.MINUTES)) throw new TimeoutException("worker did not drain " + queue.streamName());
        Reading reading = timer.stop();
        started.close();
        return reading;
    }

    /**
     * {@code QueueWorkerApp} in process ({@code role=worker}, static mode, {@code invoker=noop}, call status and
     * dead letters off), on the same server: timed from the app's start (its own connection and consumer) until
     * every call was answered and the stream is empty (all acked). In process, so the JVM CPU per message is read
     * the same way as the other rows' and the app runs code the warm-up passes compiled.
     */
    private Reading app(int n) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        streams.fill(queue, n, 1024);
        Map<String, String> settings = new HashMap<>();
        settings.put("nats_url", streams.connection().getConnectedUrl());
        settings.put("queue_name", queue.name());
        settings.put("role", "worker");
        settings.put("scaling_mode", "static");
        settings.put("invoker", "noop");
        settings.put("max_inflight", Integer.toString(BATCH));
        settings.put("metrics_port", "0");
        settings.put("status_enabled", "false");
        settings.put("dead_letter_enabled", "false");
        long before = NoOpInvokerProvider.invoked();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        Stopwatch timer = new Stopwatch(n);
        try (QueueWorkerApp app = QueueWorkerApp.start(settings)) {
            while (NoOpInvokerProvider.invoked() - before < n || streams.stored(queue) > 0) {
                if (System.nanoTime() > deadline) throw new TimeoutException("the app did not drain " + queue.streamName());
                TimeUnit.MILLISECONDS.sleep(1);
            }
            Reading reading = timer.stop();
            long calls = NoOpInvokerProvider.invoked() - before;
            if (calls != n) throw new IllegalStateException(calls + " calls for " + n + " invocations");
            return reading;
        } finally {
            streams.deleteStreams(queue.name());
        }
    }

    private Reading floor(int n) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        streams.fill(queue, n, 1024);
        Stopwatch timer = new Stopwatch(n);
        ConsumerContext consumer = streams.rawConsumerContext(queue);
        RawJetStream.consume(consumer, n, BATCH);
        Reading reading = timer.stop();
        streams.deleteStreams(queue.name());
        return reading;
    }
}
