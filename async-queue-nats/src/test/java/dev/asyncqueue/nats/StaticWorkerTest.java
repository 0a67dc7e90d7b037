package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import dev.asyncqueue.worker.QueueWorker;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The static-mode queue-worker against a real nats-server and a real HTTP function. */
class StaticWorkerTest extends SharedNatsServerTest {


    private JetStreamQueue queue(String prefix) {
        return JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue(prefix)).build();
    }

    private QueueWorker worker(JetStreamQueue queue, Connection conn, Duration ackWait, RetryPolicy retry, int maxInflight) {
        JetStreamQueue onConnection = conn == connection ? queue : JetStreamQueue.builder(conn).queue(queue.name()).build();
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).timeout(Duration.ofSeconds(20)).build();
        QueueWorker worker = QueueWorker.builder()
                .name(queue.name())
                .consumer(StaticConsumerStrategy.builder(onConnection).ackWait(ackWait).build())
                .invoker(invoker)
                .retryPolicy(retry)
                .maxInflight(maxInflight)
                .keepAliveInterval(Duration.ofMillis(Math.max(100, ackWait.toMillis() / 4)))
                .shutdownGrace(Duration.ofSeconds(5))
                .build();
        toClose.add(invoker);
        toClose.add(worker);
        worker.start();
        return worker;
    }

    private static RetryPolicy fastRetries(int attempts) {
        return new RetryPolicy(attempts, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(100), Duration.ofMillis(400),
                Backoff.EXPONENTIAL);
    }

    private static long messagesIn(JetStreamQueue queue) throws Exception {
        return connection.jetStreamManagement().getStreamInfo(queue.streamName()).getStreamState().getMsgCount();
    }

    private static BooleanSupplier queueEmpty(JetStreamQueue queue) {
        return () -> {
            try {
                return messagesIn(queue) == 0;
            } catch (Exception e) {
                return false;
            }
        };
    }

    @Test
    void aSharedConsumerDeletedByHandIsCreatedAgainAndItsQueueServed() throws Exception {
        JetStreamQueue queue = queue("gone");
        http.respond("/function/echo", r -> Response.of(200, "ok"));
        worker(queue, connection, Duration.ofSeconds(30), fastRetries(3), 10);
        queue.enqueue(Invocation.builder("echo").queue(queue.name()).build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        http.await("/function/echo", 1, Duration.ofSeconds(10));

        connection.jetStreamManagement().deleteConsumer(queue.streamName(), StaticConsumerStrategy.DEFAULT_CONSUMER);
        queue.enqueue(Invocation.builder("echo").queue(queue.name()).build()).toCompletableFuture().get(5, TimeUnit.SECONDS);

        http.await("/function/echo", 2, Duration.ofSeconds(15));
        awaitTrue("the message left the stream", Duration.ofSeconds(5), queueEmpty(queue));
    }

    @Test
    void invokesTheFunctionWithTheOriginalRequestAndPostsTheResultToTheCallback() throws Exception {
        JetStreamQueue queue = queue("e2e");
        http.respond("/function/figlet.openfaas-fn", r -> Response.of(201, "drawn:" + r.bodyText())
                .withHeader("X-From-Function", "yes"));
        worker(queue, connection, Duration.ofSeconds(30), fastRetries(3), 10);

        Invocation invocation = Invocation.builder("figlet.openfaas-fn").queue(queue.name())
                .method("PUT").path("/render").query("font=big&x=1")
                .header("X-Custom", "a").header("X-Custom", "b").header("Content-Type", "text/plain")
                .body("hello".getBytes(StandardCharsets.UTF_8))
                .callbackUrl(URI.create(http.baseUrl() + "/callback/here?token=t"))
                .build();
        queue.enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS);

        RecordedRequest call = http.await("/function/", 1, Duration.ofSeconds(10)).get(0);
        assertEquals("PUT", call.method());
        assertEquals("/function/figlet.openfaas-fn/render", call.path());
        assertEquals("font=big&x=1", call.query());
        assertEquals(List.of("a", "b"), call.headers().get("X-Custom"));
        assertEquals("hello", call.bodyText());
        assertEquals(invocation.callId(), call.header("X-Call-Id").orElseThrow());
        assertEquals(HttpInvoker.USER_AGENT, call.header("User-Agent").orElseThrow());

        RecordedRequest callback = http.await("/callback/here", 1, Duration.ofSeconds(10)).get(0);
        assertEquals("POST", callback.method());
        assertEquals("token=t", callback.query());
        assertEquals("drawn:hello", callback.bodyText());
        assertEquals("yes", callback.header("X-From-Function").orElseThrow());
        assertEquals(invocation.callId(), callback.header("X-Call-Id").orElseThrow());
        assertEquals("figlet.openfaas-fn", callback.header("X-Function-Name").orElseThrow());
        assertEquals("201", callback.header("X-Function-Status").orElseThrow());
        assertTrue(callback.header("X-Duration-Seconds").orElseThrow().matches("\\d+\\.\\d+"));
        assertEquals("0", callback.header("X-Retry").orElseThrow());
        assertEquals("2", callback.header("X-Retry-Max").orElseThrow());
        awaitTrue("the message left the stream", Duration.ofSeconds(5), queueEmpty(queue));
    }

    @Test
    void anInvocationLongerThanTheAckWaitIsInvokedOnce() throws Exception {
        JetStreamQueue queue = queue("long");
        http.respond("/function/slow", r -> Response.of(200, "done").after(Duration.ofMillis(3500)));
        worker(queue, connection, Duration.ofSeconds(1), fastRetries(3), 10);

        Invocation invocation = Invocation.builder("slow").queue(queue.name())
                .callbackUrl(URI.create(http.baseUrl() + "/cb")).build();
        queue.enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS);

        http.await("/cb", 1, Duration.ofSeconds(15));
        awaitTrue("the message left the stream", Duration.ofSeconds(5), queueEmpty(queue));
        assertEquals(1, http.requests("/function/slow").size(), "a call running 3.5x the ack wait must not be redelivered");
    }

    @Test
    void retriesRetryableStatusesThenGivesUpWithAFinalCallbackAndRemovesTheMessage() throws Exception {
        JetStreamQueue queue = queue("retry");
        http.respond("/function/flaky", r -> Response.of(502, "bad gateway"));
        worker(queue, connection, Duration.ofSeconds(30), fastRetries(4), 10);

        queue.enqueue(Invocation.builder("flaky").queue(queue.name()).callbackUrl(URI.create(http.baseUrl() + "/cb")).build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);

        RecordedRequest callback = http.await("/cb", 1, Duration.ofSeconds(15)).get(0);
        assertEquals(4, http.requests("/function/flaky").size(), "4 attempts in all");
        assertEquals("502", callback.header("X-Function-Status").orElseThrow());
        assertEquals("3", callback.header("X-Retry").orElseThrow());
        assertEquals("3", callback.header("X-Retry-Max").orElseThrow(), "X-Retry == X-Retry-Max: no more tries");
        awaitTrue("the message left the stream", Duration.ofSeconds(5), queueEmpty(queue));
        List<RecordedRequest> calls = http.requests("/function/flaky");
        Duration firstGap = Duration.between(calls.get(0).at(), calls.get(1).at());
        Duration lastGap = Duration.between(calls.get(2).at(), calls.get(3).at());
        assertTrue(firstGap.toMillis() >= 90, "back-off before the first retry: " + firstGap);
        assertTrue(lastGap.toMillis() >= 350, "back-off grows to the cap: " + lastGap);
    }

    @Test
    void aNonRetryableStatusIsFinalAtOnce() throws Exception {
        JetStreamQueue queue = queue("final");
        http.respond("/function/strict", r -> Response.of(400, "no"));
        worker(queue, connection, Duration.ofSeconds(30), fastRetries(5), 10);

        queue.enqueue(Invocation.builder("strict").queue(queue.name()).callbackUrl(URI.create(http.baseUrl() + "/cb")).build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);

        RecordedRequest callback = http.await("/cb", 1, Duration.ofSeconds(10)).get(0);
        assertEquals("400", callback.header("X-Function-Status").orElseThrow());
        assertEquals(1, http.requests("/function/strict").size());
        awaitTrue("the message left the stream", Duration.ofSeconds(5), queueEmpty(queue));
    }

    @Test
    void aMalformedMessageIsSetAsideNeverRedeliveredAndTheNextGoodOneIsProcessed() throws Exception {
        JetStreamQueue queue = queue("malformed");
        worker(queue, connection, Duration.ofSeconds(1), fastRetries(3), 10);

        connection.jetStream().publish(Subjects.forFunction(queue.name(), "echo"), "{\"Function\":".getBytes());
        connection.jetStream().publish(Subjects.legacy(queue.name()), "{\"Method\":\"POST\"}".getBytes());
        queue.enqueue(Invocation.builder("echo").queue(queue.name()).build()).toCompletableFuture().get(5, TimeUnit.SECONDS);

        http.await("/function/echo", 1, Duration.ofSeconds(10));
        awaitTrue("all three messages left the stream", Duration.ofSeconds(5), queueEmpty(queue));
        JetStreamManagement jsm = connection.jetStreamManagement();
        assertEquals(0, jsm.getConsumerInfo(queue.streamName(), StaticConsumerStrategy.DEFAULT_CONSUMER).getNumAckPending());
        assertEquals(1, http.requests("/function/").size());
    }

    @Test
    void messagesOnTheLegacyBareSubjectAreProcessedInStaticMode() throws Exception {
        JetStreamQueue queue = queue("legacy");
        worker(queue, connection, Duration.ofSeconds(30), fastRetries(3), 10);

        String gatewayMessage = "{\"Header\":{\"X-Call-Id\":[\"legacy-1\"]},\"Host\":\"\",\"Body\":\"aGk=\","
                + "\"Method\":\"POST\",\"Path\":\"\",\"QueryString\":\"\",\"Function\":\"old.openfaas-fn\",\"QueueName\":\"\","
                + "\"CallbackUrl\":null}";
        connection.jetStream().publish(Subjects.legacy(queue.name()), gatewayMessage.getBytes(StandardCharsets.UTF_8));

        RecordedRequest call = http.await("/function/old.openfaas-fn", 1, Duration.ofSeconds(10)).get(0);
        assertEquals("hi", call.bodyText());
        assertEquals("legacy-1", call.header("X-Call-Id").orElseThrow());
    }

    @Test
    void aWorkerNeverHoldsMoreMessagesThanItsFreeCapacity() throws Exception {
        JetStreamQueue queue = queue("capacity");
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        http.respond("/function/slow", r -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            return Response.of(200, "ok").after(Duration.ofMillis(300));
        });
        http.respond("/cb", r -> {
            running.decrementAndGet();
            return Response.of(200, "ok");
        });
        for (int i = 0; i < 12; i++) {
            queue.enqueue(Invocation.builder("slow").queue(queue.name()).callbackUrl(URI.create(http.baseUrl() + "/cb")).build())
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        worker(queue, connection, Duration.ofSeconds(30), fastRetries(3), 3);

        // The server handles acks on a queue of the consumer's own, so for an instant it may still count a message
        // acked just before the pull request that fetched the next one. A message held beyond the capacity would
        // be held for a whole 300 ms call, so it must show in two samples running.
        long maxAckPending = 0;
        long previous = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (http.requests("/cb").size() < 12 && System.nanoTime() < deadline) {
            long pending = connection.jetStreamManagement()
                    .getConsumerInfo(queue.streamName(), StaticConsumerStrategy.DEFAULT_CONSUMER).getNumAckPending();
            maxAckPending = Math.max(maxAckPending, Math.min(previous, pending));
            previous = pending;
            TimeUnit.MILLISECONDS.sleep(25);
        }
        assertEquals(12, http.requests("/cb").size());
        assertTrue(maxAckPending <= 3, "the server never saw more than 3 messages out: " + maxAckPending);
        assertTrue(maxRunning.get() <= 3, "at most 3 calls at once: " + maxRunning.get());
    }

    @Test
    void twoWorkersShareTheQueueAndEachMessageIsProcessedOnce() throws Exception {
        JetStreamQueue queue = queue("shared");
        Connection second = NatsTestServer.connect(server);
        toClose.add(second::close);
        http.respond("/function/work", r -> Response.of(200, "ok").after(Duration.ofMillis(5)));
        int count = 300;
        for (int i = 0; i < count; i++) {
            queue.enqueue(Invocation.builder("work").queue(queue.name()).callId("c-" + i).build());
        }
        QueueWorker a = worker(queue, connection, Duration.ofSeconds(30), fastRetries(3), 8);
        QueueWorker b = worker(queue, second, Duration.ofSeconds(30), fastRetries(3), 8);

        awaitTrue("all messages processed", Duration.ofSeconds(30), queueEmpty(queue));
        List<RecordedRequest> calls = http.requests("/function/work");
        Map<String, Integer> perCall = new HashMap<>();
        Set<String> userAgents = new HashSet<>();
        for (RecordedRequest r : calls) {
            perCall.merge(r.header("X-Call-Id").orElseThrow(), 1, Integer::sum);
            userAgents.add(r.header("User-Agent").orElseThrow());
        }
        assertEquals(count, perCall.size(), "every call id invoked");
        assertEquals(count, calls.size(), "and none twice");
        assertTrue(a.toString().contains(queue.name()) && b.toString().contains(queue.name()));
    }

    @Test
    void closeReturnsUnfinishedCallsForImmediateRedeliveryToAnotherWorker() throws Exception {
        JetStreamQueue queue = queue("handover");
        AtomicInteger calls = new AtomicInteger();
        // The first call hangs; the second (after hand-over) answers at once.
        http.respond("/function/hand", r -> calls.incrementAndGet() == 1
                ? Response.of(200, "late").after(Duration.ofSeconds(30)) : Response.of(200, "ok"));
        Connection first = NatsTestServer.connect(server);
        QueueWorker leaving = QueueWorker.builder().name("leaving")
                .consumer(StaticConsumerStrategy.builder(JetStreamQueue.builder(first).queue(queue.name()).build())
                        .ackWait(Duration.ofSeconds(60)).build())
                .invoker(HttpInvoker.builder().gatewayUrl(http.baseUrl()).build())
                .shutdownGrace(Duration.ofMillis(200))
                .build();
        leaving.start();
        queue.enqueue(Invocation.builder("hand").queue(queue.name()).callbackUrl(URI.create(http.baseUrl() + "/cb")).build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        http.await("/function/hand", 1, Duration.ofSeconds(10));

        leaving.close();
        first.close();
        long closedAt = System.nanoTime();
        worker(queue, connection, Duration.ofSeconds(60), fastRetries(3), 5);

        http.await("/cb", 1, Duration.ofSeconds(20));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        assertTrue(tookMs < 10_000, "redelivered at once, not after the 60s ack wait: " + tookMs + " ms");
        assertEquals(2, http.requests("/function/hand").size());
    }

    @Test
    void aWorkerThatDiesMidCallLosesNothingTheMessageGoesToAnotherWorker() throws Exception {
        JetStreamQueue queue = queue("crash");
        AtomicInteger calls = new AtomicInteger();
        http.respond("/function/job", r -> calls.incrementAndGet() == 1
                ? Response.of(200, "never seen").after(Duration.ofSeconds(30)) : Response.of(200, "ok"));
        Connection doomed = NatsTestServer.connect(server);
        QueueWorker crashing = QueueWorker.builder().name("crashing")
                .consumer(StaticConsumerStrategy.builder(JetStreamQueue.builder(doomed).queue(queue.name()).build())
                        .ackWait(Duration.ofSeconds(2)).build())
                .invoker(HttpInvoker.builder().gatewayUrl(http.baseUrl()).build())
                .keepAliveInterval(Duration.ofMillis(500))
                .shutdownGrace(Duration.ofMillis(100))
                .build();
        crashing.start();
        queue.enqueue(Invocation.builder("job").queue(queue.name()).callbackUrl(URI.create(http.baseUrl() + "/cb")).build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        http.await("/function/job", 1, Duration.ofSeconds(10));

        doomed.close(); // the worker loses its connection without settling anything, as if killed
        worker(queue, connection, Duration.ofSeconds(2), fastRetries(3), 5);

        RecordedRequest callback = http.await("/cb", 1, Duration.ofSeconds(20)).get(0);
        assertEquals("ok", callback.bodyText());
        awaitTrue("the message left the stream", Duration.ofSeconds(5), queueEmpty(queue));
        crashing.close();
    }
}
