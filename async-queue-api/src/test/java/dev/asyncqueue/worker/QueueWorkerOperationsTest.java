package dev.asyncqueue.worker;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.metrics.QueueMetrics;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryDelivery;
import dev.asyncqueue.testing.InMemoryDelivery.DeadLettered;
import dev.asyncqueue.testing.InMemoryQueue;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The engine's operating behaviour without a broker: dead letters, cancellation, and the events metrics rely on. */
class QueueWorkerOperationsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final RecordingHttpServer server = RecordingHttpServer.start();
    private final HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(server.baseUrl())
            .timeout(Duration.ofSeconds(30)).build();
    private final InMemoryQueue queue = InMemoryQueue.create();
    private final TestCancellations cancellations = new TestCancellations();
    private QueueWorker worker;

    @AfterEach
    void stop() {
        if (worker != null) worker.close();
        invoker.close();
        server.close();
        queue.assertNoMisuse();
    }

    private void start(WorkerListener listener, int attempts) {
        worker = QueueWorker.builder().name("ops").consumer(queue).invoker(invoker)
                .retryPolicy(new RetryPolicy(attempts, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(50),
                        Duration.ofMillis(100), Backoff.EXPONENTIAL))
                .pollWait(Duration.ofMillis(50)).shutdownGrace(Duration.ofSeconds(5))
                .listener(listener).cancellations(cancellations).build();
        worker.start();
    }

    private Invocation call(String function) {
        return Invocation.builder(function).callbackUrl(server.baseUrl().resolve("/callback/" + function)).build();
    }

    private void awaitIdle() {
        Eventually.assertWithin(WAIT, () -> "worker idle: " + worker, () -> worker.inFlight() == 0);
    }

    /** Cancellations a test can trigger, as a status store would deliver them. */
    private static final class TestCancellations implements Cancellations {
        final Set<String> cancelled = ConcurrentHashMap.newKeySet();
        final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

        void cancel(String callId) {
            cancelled.add(callId);
            listeners.forEach(l -> l.accept(callId));
        }

        @Override
        public boolean isCancelled(String callId) {
            return cancelled.contains(callId);
        }

        @Override
        public void onCancel(Consumer<String> listener) {
            listeners.add(listener);
        }
    }

    @Test
    void aCallThatExhaustsItsRetriesIsDeadLetteredAfterItsFinalCallbackWithTheAttemptsAndLastStatus() throws Exception {
        server.respond("/function/flaky", r -> Response.of(502, "bad gateway"));
        List<String> events = new CopyOnWriteArrayList<>();
        start(new WorkerListener() {
            @Override
            public void deadLettered(Invocation invocation, String reason, int lastStatus) {
                events.add("dead-lettered " + reason + " " + lastStatus + " after " + server.requests("/callback/").size()
                        + " callback(s)");
            }
        }, 3);
        Invocation invocation = call("flaky");
        queue.enqueue(invocation);

        queue.awaitAcked(1, WAIT);
        awaitIdle();

        InMemoryDelivery last = queue.deliveriesOf(invocation.callId()).get(2);
        assertEquals(Optional.of(new DeadLettered(Delivery.RETRIES_EXHAUSTED, 502, 3)), last.deadLettered());
        assertEquals(List.of("dead-lettered retries_exhausted 502 after 1 callback(s)"), events);
    }

    @Test
    void aStatusThatIsNotRetriedIsAckedNotDeadLettered() throws Exception {
        server.respond("/function/strict", r -> Response.of(404, "no such thing"));
        start(WorkerListener.NONE, 3);
        queue.enqueue(call("strict"));

        queue.awaitAcked(1, WAIT);
        awaitIdle();

        assertEquals(Optional.empty(), queue.deliveries().get(0).deadLettered());
    }

    @Test
    void aCancelledQueuedCallIsAckedUninvokedAndItsCallbackSaysCancelled() throws Exception {
        start(WorkerListener.NONE, 3);
        Invocation invocation = call("never");
        cancellations.cancel(invocation.callId());
        queue.enqueue(invocation);

        queue.awaitAcked(1, WAIT);
        RecordedRequest callback = server.await("/callback/", 1, WAIT).get(0);

        assertEquals(Integer.toString(InvocationResult.CANCELLED_STATUS), callback.header("X-Function-Status").orElseThrow());
        assertEquals("cancelled", callback.header("X-Call-Status").orElseThrow());
        assertEquals(0, server.requests("/function/").size());
    }

    @Test
    void aCancelledRunningCallIsAbandonedAckedOnceAndNeverRetried() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        server.respond("/function/slow", r -> Response.of(503, "late").beforeSending(() -> {
            try {
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        List<String> events = new CopyOnWriteArrayList<>();
        start(new WorkerListener() {
            @Override
            public void cancelled(Invocation invocation, boolean wasRunning) {
                events.add("cancelled, running=" + wasRunning);
            }

            @Override
            public void invocationEnded(Invocation invocation) {
                events.add("ended");
            }
        }, 5);
        Invocation invocation = call("slow");
        queue.enqueue(invocation);
        server.await("/function/slow", 1, WAIT);

        cancellations.cancel(invocation.callId());
        queue.awaitAcked(1, WAIT);
        hold.countDown();
        awaitIdle();

        assertEquals("cancelled", server.await("/callback/", 1, WAIT).get(0).header("X-Call-Status").orElseThrow());
        assertEquals(List.of("cancelled, running=true", "ended"), events);
        assertEquals(1, queue.deliveries().size(), "not delivered again");
        assertEquals(1, server.requests("/function/slow").size());
    }

    @Test
    void metricsCountProcessedRetriesAndInFlightReturnsToZero() throws Exception {
        server.respond("/function/flaky", r -> Response.of(500, "no"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        QueueMetrics metrics = new QueueMetrics(registry, "ops");
        start(metrics, 2);
        queue.enqueue(call("echo")).enqueue(call("echo")).enqueue(call("flaky"));

        queue.awaitAcked(3, WAIT);
        awaitIdle();

        Eventually.assertWithin(WAIT, () -> "processed counted", () -> registry.counter(
                "queue.worker.messages.processed", "queue_name", "ops").count() == 3);
        assertEquals(1, registry.counter("queue.worker.retries", "queue_name", "ops", "function_name", "flaky").count());
        assertEquals(0, registry.get("queue.worker.function.invocation.inflight").tag("function_name", "echo").gauge().value());
        assertEquals(2, registry.get("queue.worker.invocation.duration").tag("function_name", "echo")
                .tag("status_class", "2xx").timer().count());
        assertEquals(2, registry.get("queue.worker.invocation.duration").tag("function_name", "flaky")
                .tag("status_class", "5xx").timer().count());
    }
}
