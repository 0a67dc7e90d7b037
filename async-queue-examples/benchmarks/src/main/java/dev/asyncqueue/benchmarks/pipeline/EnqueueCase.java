package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.nats.BenchmarkCodec;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.Subjects;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Enqueue: {@code JetStreamQueue.enqueue} of pre-built invocations, at most {@code window} unacknowledged,
 * against jnats publishing the same bytes, encoded before its clock starts, with the same headers.
 */
final class EnqueueCase {
    private final PipelineStreams streams;
    private final PipelineSetup setup;

    EnqueueCase(PipelineStreams streams, PipelineSetup setup) {
        this.streams = streams;
        this.setup = setup;
    }

    /** The case's one comparison. */
    List<ThroughputComparison> run(SideBySide sides) throws Exception {
        return List.of(sides.compare("Enqueue", setup.n(), this::library, this::floor, 0.9));
    }

    private Reading library(int n) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        List<Invocation> invocations = PipelineStreams.invocations(queue.name(), 0, n);
        Semaphore window = new Semaphore(setup.window());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Stopwatch timer = new Stopwatch(n);
        for (Invocation invocation : invocations) {
            window.acquire();
            queue.enqueue(invocation).whenComplete((receipt, error) -> {
                if (error != null) failure.compareAndSet(null, error);
                window.release();
            });
        }
        window.acquire(setup.window());
        Reading reading = timer.stop();
        if (failure.get() != null) throw new IllegalStateException("enqueue failed", failure.get());
        streams.expectStored(queue, n);
        streams.deleteStreams(queue.name());
        return reading;
    }

    private Reading floor(int n) throws Exception {
        JetStreamQueue queue = streams.newQueue();
        List<Invocation> invocations = PipelineStreams.invocations(queue.name(), 0, n);
        List<byte[]> encoded = invocations.stream().map(BenchmarkCodec::encode).toList();
        List<String> ids = invocations.stream().map(Invocation::callId).toList();
        String subject = Subjects.forFunction(queue.name(), PipelineStreams.FUNCTION);
        Stopwatch timer = new Stopwatch(n);
        RawJetStream.publish(streams.jetStream(), subject, queue.streamName(), encoded, ids, setup.window());
        Reading reading = timer.stop();
        streams.expectStored(queue, n);
        streams.deleteStreams(queue.name());
        return reading;
    }
}
