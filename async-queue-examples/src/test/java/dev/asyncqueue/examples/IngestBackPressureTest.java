package dev.asyncqueue.examples;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PendingMessages;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.examples.web.BlockingRoute;
import dev.asyncqueue.examples.web.Reply;
import dev.asyncqueue.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest's two bounds, each met exactly: calls awaiting the queue's confirmation ({@code ingest_max_pending})
 * and requests waiting for a thread ({@code ingest_queue_size}). Past either, the answer is 503 with
 * {@code Retry-After}, at once; what was let in is answered as usual.
 */
class IngestBackPressureTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    private IngestServer server(IngestLimits limits) throws Exception {
        IngestServer server = new IngestServer(0, limits);
        toClose.add(server);
        return server;
    }

    private CompletableFuture<HttpResponse<String>> post(IngestServer server, String path, String callId) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).header("X-Call-Id", callId)
                .POST(HttpRequest.BodyPublishers.ofString("body of " + callId)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefusedAtOnce(HttpResponse<String> response) {
        assertEquals(503, response.statusCode(), response.body());
        assertEquals("1", response.headers().firstValue("Retry-After").orElse(null), response.headers().toString());
    }

    /** A queue whose enqueues complete only when the test says so. */
    private static final class HeldQueue implements AsyncQueue {
        final Map<String, CompletableFuture<EnqueueReceipt>> held = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "jobs";
        }

        @Override
        public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
            return held.computeIfAbsent(invocation.callId(), id -> new CompletableFuture<>());
        }

        void confirm(String callId, long sequence) {
            held.get(callId).complete(new EnqueueReceipt(callId, "jobs", sequence, false));
        }

        @Override
        public long maxMessageBytes() {
            return 1024 * 1024;
        }

        @Override
        public PendingMessages pending() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void pastTheCallsAwaitingConfirmationACallIsRefusedAtOnceAndTheWaitingOnesStillGet202() throws Exception {
        HeldQueue queue = new HeldQueue();
        IngestServer server = server(new IngestLimits(2, 10, 2));
        server.serve(IngestHandler.PREFIX, new IngestHandler(new QueueRouter("jobs", Map.of(), Set.of(), name -> queue),
                CallbackPolicy.defaults(), 2));
        server.start();

        CompletableFuture<HttpResponse<String>> first = post(server, "/async-function/echo", "first");
        CompletableFuture<HttpResponse<String>> second = post(server, "/async-function/echo", "second");
        Eventually.assertWithin(Duration.ofSeconds(10), "both calls reached the queue", () -> queue.held.size() == 2);
        HttpResponse<String> third = post(server, "/async-function/echo", "third").get(5, TimeUnit.SECONDS);

        assertRefusedAtOnce(third);
        assertTrue(third.body().contains("third"), third.body());
        assertTrue(!first.isDone() && !second.isDone(), "the calls let in still wait for the queue");
        queue.confirm("first", 1);
        queue.confirm("second", 2);
        assertEquals(202, first.get(5, TimeUnit.SECONDS).statusCode());
        assertEquals(202, second.get(5, TimeUnit.SECONDS).statusCode());
        CompletableFuture<HttpResponse<String>> fourth = post(server, "/async-function/echo", "fourth");
        Eventually.assertWithin(Duration.ofSeconds(10), "a place is free again once a call is confirmed",
                () -> queue.held.containsKey("fourth"));
        queue.confirm("fourth", 3);
        assertEquals(202, fourth.get(5, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void aRequestThatFindsNoThreadAndNoRoomIsRefusedAtOnceWhileHealthIsStillServed() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BlockingRoute blocking = (request, body) -> {
            started.countDown();
            release.await(20, TimeUnit.SECONDS);
            return ok(request, body);
        };
        IngestServer server = server(new IngestLimits(1, 1, 8));
        server.serveBlocking("/block/", blocking);
        server.serveAlways("/healthz", IngestBackPressureTest::ok);
        server.start();

        CompletableFuture<HttpResponse<String>> running = post(server, "/block/a", "a");
        assertTrue(started.await(10, TimeUnit.SECONDS), "the only thread is busy");
        CompletableFuture<HttpResponse<String>> waiting = post(server, "/block/b", "b");
        Eventually.assertWithin(Duration.ofSeconds(10), "the second request waits for the thread", () -> server.waiting() == 1);
        long sent = System.nanoTime();
        HttpResponse<String> refused = post(server, "/block/c", "c").get(5, TimeUnit.SECONDS);
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());

        assertRefusedAtOnce(refused);
        assertTrue(System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(5));
        assertEquals(200, health.statusCode(), "health is answered even without room");
        release.countDown();
        assertEquals(200, running.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(200, waiting.get(10, TimeUnit.SECONDS).statusCode());
    }

    private static Reply ok(dev.asyncqueue.examples.web.Request request, byte[] body) {
        return Reply.empty(200);
    }
}
