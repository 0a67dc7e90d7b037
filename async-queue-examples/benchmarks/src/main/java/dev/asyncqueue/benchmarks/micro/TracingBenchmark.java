package dev.asyncqueue.benchmarks.micro;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.tracing.InvocationTracing;
import dev.asyncqueue.tracing.ObservationTracing;
import dev.asyncqueue.tracing.TracedStep;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmark of what tracing adds to one invocation attempt, as the worker drives it: the attempt's step
 * (continuing the queued message's trace), the function call's step, the invocation carrying that step's
 * context, and both steps ended. Three set-ups: no tracing (the default), tracing over Micrometer's no-op
 * registry, and over a registry that records every observation (Micrometer's test registry).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracingBenchmark {
    private InvocationTracing none;
    private InvocationTracing noopRegistry;
    private InvocationTracing recordingRegistry;
    private TestObservationRegistry recorded;
    private Invocation queued;
    private long attempts;

    /** The three tracings and one queued invocation carrying a caller's trace context. */
    @Setup
    public void create() {
        none = InvocationTracing.NONE;
        noopRegistry = new ObservationTracing(ObservationRegistry.NOOP);
        recorded = TestObservationRegistry.create();
        recordingRegistry = new ObservationTracing(recorded);
        queued = Invocation.builder("echo").queue("bench").callId("bench-call")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .body("{\"n\":1}".getBytes(StandardCharsets.UTF_8)).build();
    }

    /** No tracing configured: the worker's default. */
    @Benchmark
    public Invocation none() {
        return attempt(none);
    }

    /** Tracing over {@code ObservationRegistry.NOOP}: observations are created but nothing handles them. */
    @Benchmark
    public Invocation noopRegistry() {
        return attempt(noopRegistry);
    }

    /** Tracing over a registry that keeps every observation; cleared now and then so memory stays flat. */
    @Benchmark
    public Invocation recordingRegistry() {
        if ((++attempts & 0x3ff) == 0) recorded.clear();
        return attempt(recordingRegistry);
    }

    private Invocation attempt(InvocationTracing tracing) {
        TracedStep attempt = tracing.attempt(queued, 1);
        TracedStep call = tracing.functionCall(attempt, queued);
        Invocation sent = call.carriedBy(queued);
        call.tag("status", "200");
        call.end(null);
        attempt.tag("outcome", "ack");
        attempt.end(null);
        return sent;
    }
}
