package dev.asyncqueue.tracing;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PendingMessages;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.CapturedLog;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryQueue;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import dev.asyncqueue.tracing.W3cPropagator.Traceparent;
import dev.asyncqueue.worker.QueueWorker;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An invocation traced from the caller's enqueue through the queue to the function and the callback: with a
 * tracer's propagating handlers the trace continues across the queue; with the test registry alone each step is
 * an observation in its place.
 */
class TracingThroughTheQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final RecordingHttpServer server = RecordingHttpServer.start();
    private final HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(server.baseUrl()).build();
    private final InMemoryQueue inMemory = InMemoryQueue.create();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) c.close();
        invoker.close();
        server.close();
    }

    private QueueWorker startWorker(InvocationTracing tracing) {
        QueueWorker worker = QueueWorker.builder().consumer(inMemory).invoker(invoker).tracing(tracing)
                .pollWait(Duration.ofMillis(50)).shutdownGrace(Duration.ofSeconds(5))
                .retryPolicy(new RetryPolicy(3, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(50),
                        Duration.ofMillis(200), Backoff.EXPONENTIAL))
                .build();
        toClose.add(0, worker);
        worker.start();
        return worker;
    }

    private Invocation echo() {
        return Invocation.builder("echo").callbackUrl(server.baseUrl().resolve("/callback/echo")).build();
    }

    @Test
    void theWorkerContinuesTheCallersTraceAndTheFunctionAndCallbackGetTraceparentsThatAreItsChildren() throws Exception {
        server.respond("/function/echo", r -> Response.of(200, "ok"));
        SimpleTracer tracer = new SimpleTracer();
        W3cPropagator propagator = new W3cPropagator(tracer);
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
        InvocationTracing tracing = new ObservationTracing(registry);
        AsyncQueue queue = InvocationTracing.traced(new InMemoryAsyncQueue(inMemory), tracing);

        Observation caller = Observation.start("caller", registry);
        try (Observation.Scope scope = caller.openScope()) {
            queue.enqueue(echo()).toCompletableFuture().join();
        } finally {
            caller.stop();
        }
        QueueWorker worker = startWorker(tracing);
        RecordedRequest functionCall = server.await("/function/echo", 1, WAIT).get(0);
        RecordedRequest callback = server.await("/callback/echo", 1, WAIT).get(0);
        Eventually.assertWithin(WAIT, "the call ended", () -> worker.inFlight() == 0);
        Eventually.assertWithin(WAIT, "every span ended",
                () -> tracer.getSpans().stream().allMatch(s -> s.getEndTimestamp() != null && !s.getEndTimestamp().equals(java.time.Instant.EPOCH)));

        SimpleSpan callerSpan = span(tracer, "caller");
        SimpleSpan enqueue = span(tracer, "enqueue echo");
        SimpleSpan attempt = span(tracer, "process echo");
        SimpleSpan invoke = span(tracer, "invoke echo");
        SimpleSpan posting = span(tracer, "callback echo");
        String trace = callerSpan.getTraceId();
        for (SimpleSpan s : List.of(enqueue, attempt, invoke, posting)) assertEquals(trace, s.getTraceId(), s.getName());
        assertEquals(callerSpan.getSpanId(), enqueue.getParentId(), "the enqueue is inside the caller's observation");
        assertEquals(List.of(trace, enqueue.getSpanId()), ids(inMemory.deliveries().get(0).invocation().header("traceparent")),
                "the message carries the enqueue's context");
        assertEquals(enqueue.getSpanId(), attempt.getParentId(), "the attempt continues the trace across the queue");
        assertEquals(attempt.getSpanId(), invoke.getParentId());
        assertEquals(attempt.getSpanId(), posting.getParentId());
        assertEquals(List.of(trace, invoke.getSpanId()), ids(functionCall.header("traceparent")),
                "the function's traceparent names the function call, the attempt's child");
        assertEquals(List.of(trace, posting.getSpanId()), ids(callback.header("traceparent")),
                "the callback's traceparent names the callback, the attempt's child");
        assertEquals(1, functionCall.headers().keySet().stream().filter(h -> h.equalsIgnoreCase("traceparent")).count(),
                "one traceparent: the queued one is replaced, not repeated");
    }

    @Test
    void eachEnqueueAttemptFunctionCallAndCallbackIsAnObservationInItsPlace() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.respond("/function/echo", r -> calls.incrementAndGet() == 1 ? Response.of(503, "busy") : Response.of(200, "ok"));
        TestObservationRegistry registry = TestObservationRegistry.create();
        InvocationTracing tracing = new ObservationTracing(registry);
        AsyncQueue queue = InvocationTracing.traced(new InMemoryAsyncQueue(inMemory), tracing);

        queue.enqueue(echo()).toCompletableFuture().join();
        QueueWorker worker = startWorker(tracing);
        server.await("/callback/echo", 1, WAIT);
        Eventually.assertWithin(WAIT, "the call ended", () -> worker.inFlight() == 0);

        TestObservationRegistryAssert.assertThat(registry)
                .hasNumberOfObservationsWithNameEqualTo(ObservationTracing.ENQUEUE, 1)
                .hasNumberOfObservationsWithNameEqualTo(ObservationTracing.ATTEMPT, 2)
                .hasNumberOfObservationsWithNameEqualTo(ObservationTracing.INVOKE, 2)
                .hasNumberOfObservationsWithNameEqualTo(ObservationTracing.CALLBACK, 1)
                .hasObservationWithNameEqualTo(ObservationTracing.ENQUEUE).that().hasBeenStopped()
                .hasLowCardinalityKeyValue("function", "echo").hasLowCardinalityKeyValue("queue", "faas-request")
                .backToTestObservationRegistry()
                .hasObservationWithNameEqualTo(ObservationTracing.CALLBACK).that().hasBeenStopped().doesNotHaveError()
                .backToTestObservationRegistry()
                .hasAnObservation(o -> o.hasNameEqualTo(ObservationTracing.ATTEMPT).hasLowCardinalityKeyValue("outcome", "retry"))
                .hasAnObservation(o -> o.hasNameEqualTo(ObservationTracing.ATTEMPT).hasLowCardinalityKeyValue("outcome", "ack"))
                .hasAnObservation(o -> o.hasNameEqualTo(ObservationTracing.INVOKE).hasLowCardinalityKeyValue("status", "503")
                        .hasError())
                .hasAnObservation(o -> o.hasNameEqualTo(ObservationTracing.INVOKE).hasLowCardinalityKeyValue("status", "200")
                        .doesNotHaveError())
                .hasHandledContextsThatSatisfy(contexts -> {
                    for (Observation.Context context : contexts) {
                        if (context.getName().equals(ObservationTracing.INVOKE) || context.getName().equals(ObservationTracing.CALLBACK)) {
                            assertNotNull(context.getParentObservation(), context.getName() + " has a parent");
                            assertEquals(ObservationTracing.ATTEMPT, context.getParentObservation().getContextView().getName());
                        }
                    }
                });
        assertTrue(server.requests("/function/echo").get(0).header("traceparent").isEmpty(),
                "without a tracer's handlers nothing writes a trace context");
    }

    @Test
    void withoutTracingTheQueueIsUnwrappedAndTheCallersTraceparentReachesTheFunctionUnchanged() throws Exception {
        server.respond("/function/echo", r -> Response.of(200, "ok"));
        AsyncQueue plain = new InMemoryAsyncQueue(inMemory);
        assertSame(plain, InvocationTracing.traced(plain, InvocationTracing.NONE));
        String callers = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        plain.enqueue(echo().toBuilder().header("traceparent", callers).build()).toCompletableFuture().join();
        startWorker(InvocationTracing.NONE);

        assertEquals(Optional.of(callers), server.await("/function/echo", 1, WAIT).get(0).header("traceparent"));
        assertNotEquals(TracedStep.NONE, new ObservationTracing(ObservationRegistry.NOOP).attempt(echo(), 1),
                "a real tracing hands out its own steps, even on a registry that records nothing");
    }

    @Test
    void aTracingThatThrowsChangesNothingAboutTheCallAndIsWarnedAboutOnce() throws Exception {
        server.respond("/function/echo", r -> Response.of(200, "ok"));
        InvocationTracing broken = new InvocationTracing() {
            @Override
            public TracedStep enqueue(Invocation invocation) {
                throw new IllegalStateException("tracer down");
            }

            @Override
            public TracedStep attempt(Invocation queued, int attempt) {
                return new TracedStep() {
                    @Override
                    public Map<String, String> headers() {
                        throw new IllegalStateException("tracer down");
                    }

                    @Override
                    public TracedStep tag(String key, String value) {
                        throw new IllegalStateException("tracer down");
                    }

                    @Override
                    public void end(String failure) {
                        throw new IllegalStateException("tracer down");
                    }
                };
            }

            @Override
            public TracedStep functionCall(TracedStep attempt, Invocation invocation) {
                throw new IllegalStateException("tracer down");
            }

            @Override
            public TracedStep callback(TracedStep attempt, Invocation invocation) {
                return attempt(invocation, 1);
            }
        };
        AsyncQueue queue = InvocationTracing.traced(new InMemoryAsyncQueue(inMemory), broken);

        try (CapturedLog log = CapturedLog.start()) {
            queue.enqueue(echo()).toCompletableFuture().join();
            queue.enqueue(echo()).toCompletableFuture().join();
            QueueWorker worker = startWorker(broken);
            server.await("/callback/echo", 2, WAIT);
            inMemory.awaitAcked(2, WAIT);
            Eventually.assertWithin(WAIT, "the calls ended", () -> worker.inFlight() == 0);

            assertEquals(2, server.requests("/function/echo").size());
            assertEquals(2, log.text().split("the call goes on untraced", -1).length - 1,
                    "one warning for the queue's tracing, one for the worker's:\n" + log.text());
        }
    }

    private static SimpleSpan span(SimpleTracer tracer, String name) {
        List<SimpleSpan> named = tracer.getSpans().stream().filter(s -> name.equals(s.getName())).toList();
        assertEquals(1, named.size(), "spans named " + name + " in " + tracer.getSpans());
        return named.get(0);
    }

    /** The trace id and the parent span id a {@code traceparent} names. */
    private static List<String> ids(Optional<String> header) {
        Traceparent parsed = Traceparent.parse(header.orElseThrow(() -> new AssertionError("no traceparent")))
                .orElseThrow(() -> new AssertionError("not a W3C traceparent: " + header.get()));
        return List.of(parsed.traceId(), parsed.parentId());
    }

    /** The in-memory queue as callers see a queue: an enqueue is stored at once. */
    private record InMemoryAsyncQueue(InMemoryQueue queue, AtomicLong sequence) implements AsyncQueue {
        InMemoryAsyncQueue(InMemoryQueue queue) {
            this(queue, new AtomicLong());
        }

        @Override
        public String name() {
            return Invocation.DEFAULT_QUEUE;
        }

        @Override
        public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
            queue.enqueue(invocation);
            return CompletableFuture.completedFuture(
                    new EnqueueReceipt(invocation.callId(), name(), sequence.incrementAndGet(), false));
        }

        @Override
        public long maxMessageBytes() {
            return Long.MAX_VALUE;
        }

        @Override
        public PendingMessages pending() {
            return new PendingMessages(queue.pending(), Map.of());
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
