package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.nats.FunctionConsumerStrategy;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.worker.QueueWorker;
import dev.asyncqueue.worker.WorkerListener;
import io.nats.client.JetStreamSubscription;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Dispatch: a {@code QueueWorker} with an invoker that answers 200 at once drains a stream filled before timing
 * (static, and function mode), against a raw pull loop that acks what it pulls without reading it.
 */
final class DispatchCase {
    private final PipelineStreams streams;
    private final PipelineSetup setup;

    DispatchCase(PipelineStreams streams, PipelineSetup setup) {
        this.streams = streams;
        this.setup = setup;
    }

    /** Static mode (with a target), then function mode (information). */
    List<ThroughputComparison> run(SideBySide sides) throws Exception {
        return List.of(
                sides.compare("Dispatch (static)", setup.n(), n -> library(n, false), this::floor, 0.9),
                sides.compare("Dispatch (function mode)", setup.n(), n -> library(n, true), this::floor, 0));
    }

    private Reading library(int n, boolean functionMode) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        streams.fill(queue, n, 1024);
        InvocationResult ok = InvocationResult.answered(200, Map.of(), new byte[0], Duration.ZERO);
        Invoker noOp = invocation -> CompletableFuture.completedFuture(ok);
        Reading reading = drain(queue, functionMode ? FunctionConsumerStrategy.builder(queue).build()
                : StaticConsumerStrategy.builder(queue).build(), noOp, n, setup.maxInflight());
        streams.deleteStreams(queue.name());
        return reading;
    }

    /** Times a worker with this strategy and invoker draining the {@code n} calls already stored in {@code queue}. */
    static Reading drain(JetStreamQueue queue, ConsumerStrategy strategy, Invoker invoker, int n, int maxInflight)
            throws Exception {
        CountDownLatch done = new CountDownLatch(n);
        QueueWorker worker = QueueWorker.builder()
                .name(queue.name())
                .consumer(strategy)
                .invoker(invoker)
                .retryPolicy(RetryPolicy.defaults())
                .maxInflight(maxInflight)
                .listener(new WorkerListener() {
                    @Override
                    public void invocationEnded(Invocation invocation) {
                        done.countDown();
                    }
                })
                .build();
        Stopwatch timer = new Stopwatch(n);
        worker.start();
        if (!done.await(10, TimeUnit.MINUTES)) throw new TimeoutException("worker did not drain " + queue.streamName());
        Reading reading = timer.stop();
        worker.close();
        return reading;
    }

    private Reading floor(int n) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        streams.fill(queue, n, 1024);
        Stopwatch timer = new Stopwatch(n);
        JetStreamSubscription subscription = streams.rawConsumer(queue);
        RawJetStream.drain(subscription, n, setup.maxInflight());
        Reading reading = timer.stop();
        subscription.unsubscribe();
        streams.deleteStreams(queue.name());
        return reading;
    }
}
