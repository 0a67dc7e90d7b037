package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.nats.BenchmarkCodec;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.StaticConsumerStrategy;
import dev.asyncqueue.nats.Subjects;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.worker.QueueWorker;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PublishOptions;

import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Latency on an idle queue: one call at a time, from the enqueue's acknowledgement to the function receiving
 * the call, through the library's queue and worker and through a raw publish and pull loop.
 */
final class LatencyCase {
    /** Calls before the measured ones, not reported. */
    static final int WARM_UP_CALLS = 200;

    private final PipelineStreams streams;
    private final PipelineSetup setup;

    LatencyCase(PipelineStreams streams, PipelineSetup setup) {
        this.streams = streams;
        this.setup = setup;
    }

    /** Both sides' readings. */
    LatencyResult run() throws Exception {
        int warm = Math.min(WARM_UP_CALLS, setup.latencyCalls());
        try (ArrivalRecorder recorder = new ArrivalRecorder();
             HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(recorder.gatewayUrl())
                     .maxConcurrency(setup.maxInflight()).build()) {
            long[] library = library(recorder, invoker, warm);
            long[] floor = floor(recorder, warm);
            return new LatencyResult(library, floor);
        }
    }

    private long[] library(ArrivalRecorder recorder, HttpInvoker invoker, int warm) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        QueueWorker worker = QueueWorker.builder().name(queue.name())
                .consumer(StaticConsumerStrategy.builder(queue).build())
                .invoker(invoker).retryPolicy(RetryPolicy.defaults()).maxInflight(setup.maxInflight()).build();
        worker.start();
        try {
            Function<Invocation, CompletableFuture<?>> enqueue = inv -> queue.enqueue(inv).toCompletableFuture();
            sequential(recorder, queue, warm, "warm", enqueue);
            return sequential(recorder, queue, setup.latencyCalls(), "lat", enqueue);
        } finally {
            worker.close();
            streams.deleteStreams(queue.name());
        }
    }

    private long[] floor(ArrivalRecorder recorder, int warm) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        String subject = Subjects.forFunction(queue.name(), PipelineStreams.FUNCTION);
        try (RawQueueHttpLoop loop = RawQueueHttpLoop.postingBody(
                URI.create(recorder.gatewayUrl() + "/function/" + PipelineStreams.FUNCTION), PipelineStreams.body(),
                setup.maxInflight())) {
            JetStreamSubscription consumer = streams.rawConsumer(queue);
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread puller = Threads.named("raw-latency-loop").newThread(() -> {
                try {
                    loop.run(consumer, Long.MAX_VALUE);
                } catch (Exception e) {
                    failure.set(e);
                }
            });
            puller.start();
            long[] floor;
            try {
                Function<Invocation, CompletableFuture<?>> publish = inv -> streams.jetStream().publishAsync(subject,
                        null, BenchmarkCodec.encode(inv), PublishOptions.builder().messageId(inv.callId())
                                .expectedStream(queue.streamName()).build());
                sequential(recorder, queue, warm, "warm", publish);
                floor = sequential(recorder, queue, setup.latencyCalls(), "lat", publish);
            } finally {
                loop.stop();
                puller.join(5_000);
                streams.deleteStreams(queue.name());
            }
            if (failure.get() != null) throw failure.get();
            return floor;
        }
    }

    /** Enqueues one call at a time and reads enqueue-acknowledged to arrival, in nanoseconds, sorted. */
    private static long[] sequential(ArrivalRecorder recorder, JetStreamQueue queue, int calls, String prefix,
                                     Function<Invocation, CompletableFuture<?>> enqueue) throws Exception {
        long[] out = new long[calls];
        for (int i = 0; i < calls; i++) {
            Invocation invocation = PipelineStreams.invocation(queue.name(), queue.name() + "-" + prefix + "-" + i);
            CompletableFuture<Long> arrival = recorder.arrival(invocation.callId());
            enqueue.apply(invocation).get(10, TimeUnit.SECONDS);
            long acknowledged = System.nanoTime();
            out[i] = Math.max(0, arrival.get(10, TimeUnit.SECONDS) - acknowledged);
            recorder.forget(invocation.callId());
        }
        Arrays.sort(out);
        return out;
    }
}
