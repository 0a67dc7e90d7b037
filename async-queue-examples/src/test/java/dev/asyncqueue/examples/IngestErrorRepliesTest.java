package dev.asyncqueue.examples;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PendingMessages;
import dev.asyncqueue.QueueUnavailableException;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.testing.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a caller hears when storing fails: a short reason, the call id in the body and in {@code X-Call-Id},
 * {@code Retry-After} on a 503, and never the text of the exception inside; that detail goes to the log.
 */
class IngestErrorRepliesTest {
    private static final String INTERNAL = "internal detail: stream OF_jobs on 10.1.2.3 said 0x1f";
    private final HttpClient client = HttpClient.newHttpClient();
    private IngestServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** An ingest on a free port whose queue answers every enqueue with {@code enqueue}. */
    private String ingest(Function<String, AsyncQueue> opener) throws Exception {
        QueueRouter router = new QueueRouter("jobs", Map.of(), Set.of(), opener);
        server = new IngestServer(0, IngestLimits.DEFAULTS);
        server.serve(IngestHandler.PREFIX, new IngestHandler(router, CallbackPolicy.defaults()));
        server.start();
        return "http://127.0.0.1:" + server.port() + IngestHandler.PREFIX;
    }

    private HttpResponse<String> post(String base, String callId) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "echo")).timeout(Duration.ofSeconds(20))
                .header("X-Call-Id", callId).POST(HttpRequest.BodyPublishers.ofString("hi")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static AsyncQueue queue(Function<Invocation, CompletionStage<EnqueueReceipt>> enqueue) {
        return new AsyncQueue() {
            @Override
            public String name() {
                return "jobs";
            }

            @Override
            public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
                return enqueue.apply(invocation);
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
        };
    }

    private static void assertShortReplyWithCallId(HttpResponse<String> response, String callId) {
        assertFalse(response.body().contains(INTERNAL), response.body());
        assertFalse(response.body().contains("10.1.2.3"), response.body());
        assertTrue(response.body().contains(callId), response.body());
        assertEquals(callId, response.headers().firstValue("X-Call-Id").orElse(null));
    }

    @Test
    void aFailedEnqueueAnswers500WithTheCallIdAndLogsTheDetail() throws Exception {
        String base = ingest(name -> queue(invocation -> CompletableFuture.failedFuture(new IllegalStateException(INTERNAL))));
        try (CapturedLog log = CapturedLog.start()) {
            HttpResponse<String> response = post(base, "call-failed-1");

            assertEquals(500, response.statusCode());
            assertShortReplyWithCallId(response, "call-failed-1");
            assertTrue(log.text().contains(INTERNAL) && log.text().contains("call-failed-1"), log.text());
        }
    }

    @Test
    void anEnqueueThatThrowsAnswers500WithTheCallId() throws Exception {
        String base = ingest(name -> queue(invocation -> {
            throw new IllegalStateException(INTERNAL);
        }));

        HttpResponse<String> response = post(base, "call-thrown-1");

        assertEquals(500, response.statusCode());
        assertShortReplyWithCallId(response, "call-thrown-1");
    }

    @Test
    void aQueueThatCannotStoreAnswers503WithRetryAfterAndTheCallId() throws Exception {
        String base = ingest(name -> queue(invocation -> CompletableFuture.failedFuture(
                new QueueUnavailableException(INTERNAL, null))));

        HttpResponse<String> response = post(base, "call-unavailable-1");

        assertEquals(503, response.statusCode());
        assertShortReplyWithCallId(response, "call-unavailable-1");
        assertTrue(response.headers().firstValue("Retry-After").isPresent(), response.headers().toString());
    }

    @Test
    void aQueueThatCannotBeOpenedAnswers503WithRetryAfterAndTheCallId() throws Exception {
        String base = ingest(name -> {
            throw new QueueUnavailableException(INTERNAL, null);
        });

        HttpResponse<String> response = post(base, "call-no-stream-1");

        assertEquals(503, response.statusCode());
        assertShortReplyWithCallId(response, "call-no-stream-1");
        assertTrue(response.headers().firstValue("Retry-After").isPresent(), response.headers().toString());
    }
}
