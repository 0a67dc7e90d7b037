package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.status.CallState;
import dev.asyncqueue.status.CallStatus;
import dev.asyncqueue.status.StatusRecorder;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import dev.asyncqueue.worker.QueueWorker;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Call states in a JetStream KV bucket, and cancelling queued and running calls, on a real nats-server. */
class StatusAndCancellationTest extends SharedNatsServerTest {

    private KvStatusStore store() {
        KvStatusStore store = KvStatusStore.builder(connection).bucket(NatsTestServer.uniqueQueue("status"))
                .ttl(Duration.ofMinutes(5)).build();
        toClose.add(store);
        return store;
    }

    private QueueWorker worker(JetStreamQueue queue, KvStatusStore store, int attempts) {
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).timeout(Duration.ofSeconds(20)).build();
        QueueWorker worker = QueueWorker.builder().name(queue.name())
                .consumer(StaticConsumerStrategy.builder(queue).ackWait(Duration.ofSeconds(5)).build())
                .invoker(invoker)
                .retryPolicy(new RetryPolicy(attempts, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(300),
                        Duration.ofMillis(300), Backoff.EXPONENTIAL))
                .listener(new StatusRecorder(store, Clock.systemUTC()))
                .cancellations(store)
                .pollWait(Duration.ofMillis(200))
                .shutdownGrace(Duration.ofSeconds(2))
                .build();
        toClose.add(invoker);
        toClose.add(worker);
        return worker;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        awaitTrue(what, Duration.ofSeconds(15), condition);
    }

    private static BooleanSupplier stateIs(KvStatusStore store, String callId, CallState state) {
        return () -> store.get(callId).map(s -> s.state() == state).orElse(false);
    }

    @Test
    void aStoredStateReadsBackAndAnUnknownCallIdIsEmpty() {
        KvStatusStore store = store();
        CallStatus status = new CallStatus("id with \"quotes\"/and.dots", "fn.ns", "q", CallState.RETRYING, 2, 503,
                Instant.parse("2026-11-26T03:00:00Z"), "next in PT1S");
        store.update(status);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Optional<CallStatus> read = Optional.empty();
        while (read.isEmpty() && System.nanoTime() < deadline) read = store.get(status.callId());

        assertEquals(Optional.of(status), read);
        assertEquals(Optional.empty(), store.get("never-seen"));
    }

    @Test
    void theWorkerRecordsQueuedRunningRetryingAndSucceeded() throws Exception {
        KvStatusStore store = store();
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("states")).build();
        CountDownLatch release = new CountDownLatch(1);
        int[] calls = {0};
        http.respond("/function/twice", r -> {
            calls[0]++;
            if (calls[0] == 1) return Response.of(503, "busy");
            return Response.of(200, "ok").beforeSending(() -> awaitQuietly(release));
        });
        StatusRecorder recorder = new StatusRecorder(store, Clock.systemUTC());
        Invocation invocation = Invocation.builder("twice").queue(queue.name()).build();
        recorder.track(queue).enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS);
        awaitTrue("queued", stateIs(store, invocation.callId(), CallState.QUEUED));

        worker(queue, store, 3).start();
        awaitTrue("retrying", stateIs(store, invocation.callId(), CallState.RETRYING));
        assertEquals(503, store.get(invocation.callId()).orElseThrow().lastStatus());
        awaitTrue("running the second attempt", () -> store.get(invocation.callId())
                .map(s -> s.state() == CallState.RUNNING && s.attempt() == 2).orElse(false));
        release.countDown();
        awaitTrue("succeeded", stateIs(store, invocation.callId(), CallState.SUCCEEDED));
        assertEquals(200, store.get(invocation.callId()).orElseThrow().lastStatus());
    }

    @Test
    void aCancelledQueuedCallIsAckedWithoutBeingInvokedAndItsCallbackSaysCancelled() throws Exception {
        KvStatusStore store = store();
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("cancel-q")).build();
        Invocation invocation = Invocation.builder("never").queue(queue.name())
                .callbackUrl(URI.create(http.baseUrl() + "/cb")).build();
        queue.enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS);

        store.requestCancel(invocation.callId());
        worker(queue, store, 3).start();

        RecordedRequest callback = http.await("/cb", 1, Duration.ofSeconds(10)).get(0);
        assertEquals(Integer.toString(InvocationResult.CANCELLED_STATUS), callback.header("X-Function-Status").orElseThrow());
        assertEquals("cancelled", callback.header("X-Call-Status").orElseThrow());
        awaitTrue("the message left the queue", () -> queue.pending().total() == 0);
        awaitTrue("the state says cancelled", stateIs(store, invocation.callId(), CallState.CANCELLED));
        assertEquals(0, http.requests("/function/").size());
    }

    @Test
    void aCancelledRunningCallIsAbandonedAndNotRetried() throws Exception {
        KvStatusStore store = store();
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("cancel-r")).build();
        CountDownLatch never = new CountDownLatch(1);
        toClose.add(never::countDown);
        http.respond("/function/slow", r -> Response.of(503, "late").beforeSending(() -> awaitQuietly(never)));
        Invocation invocation = Invocation.builder("slow").queue(queue.name())
                .callbackUrl(URI.create(http.baseUrl() + "/cb")).build();
        worker(queue, store, 5).start();
        queue.enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS);
        http.await("/function/slow", 1, Duration.ofSeconds(10));

        store.requestCancel(invocation.callId());

        RecordedRequest callback = http.await("/cb", 1, Duration.ofSeconds(10)).get(0);
        assertEquals("cancelled", callback.header("X-Call-Status").orElseThrow());
        awaitTrue("the message left the queue", () -> queue.pending().total() == 0);
        awaitTrue("the state says cancelled", stateIs(store, invocation.callId(), CallState.CANCELLED));
        assertTrue(store.get(invocation.callId()).orElseThrow().detail().contains("running"));
        // Watch for longer than the retry wait: a retry would have arrived by then.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
        while (System.nanoTime() < until) {
            assertEquals(1, http.requests("/function/slow").size(), "not retried");
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Test
    void aWorkerStartedAfterTheCancellationStillHearsOfIt() throws Exception {
        KvStatusStore first = store();
        first.requestCancel("early-call");
        KvStatusStore second = KvStatusStore.builder(connection).bucket(first.bucket()).build();
        toClose.add(second);

        awaitTrue("the second store heard of the earlier cancellation", () -> second.isCancelled("early-call"));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
