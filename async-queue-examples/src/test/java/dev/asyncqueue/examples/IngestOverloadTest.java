package dev.asyncqueue.examples;

import dev.asyncqueue.examples.localnats.LocalNatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A burst far past the ingest's capacity while nats-server is frozen (SIGSTOP): the ingest answers at
 * once with 503 and {@code Retry-After} beyond its bound of calls awaiting storage, leaves no request
 * waiting in a queue, and every call it answered 202 for is in the stream once the server runs again.
 */
@Tag("fault")
class IngestOverloadTest {
    private static final int BURST = 200;
    private static final int MAX_PENDING = 8;
    /** Far below the 10 s a call may wait for the server's confirmation. */
    private static final long QUICK_NANOS = TimeUnit.SECONDS.toNanos(3);

    private record Answer(String callId, int status, boolean retryAfter, long nanos) {
    }

    @Test
    void aBurstAgainstAFrozenNatsServerIsAnsweredAtOnceAndEveryAcceptedCallIsStored() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        try (LocalNatsServer nats = LocalNatsServer.start();
             QueueWorkerApp app = QueueWorkerApp.start(Map.of("nats_url", nats.url(), "role", "ingest",
                     "queue_name", "overload", "port", "0", "metrics_port", "0",
                     "ingest_threads", "2", "ingest_max_pending", Integer.toString(MAX_PENDING)));
             Connection inspector = Nats.connect(nats.url())) {
            String base = "http://127.0.0.1:" + app.ingestPort() + "/async-function/echo";
            assertEquals(202, post(client, base, "before-freeze").join().status());

            nats.freeze();
            List<CompletableFuture<Answer>> burst = new ArrayList<>();
            HttpResponse<String> health;
            try {
                CompletableFuture<HttpResponse<String>> healthCheck = client.sendAsync(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + app.metricsPort() + "/healthz")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                for (int i = 0; i < BURST; i++) burst.add(post(client, base, "burst-" + i));
                // All but the calls awaiting the server's confirmation are answered without it.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                while (burst.stream().filter(CompletableFuture::isDone).count() < BURST - MAX_PENDING
                        && System.nanoTime() < deadline) {
                    CompletableFuture.anyOf(burst.stream().filter(f -> !f.isDone()).toArray(CompletableFuture[]::new))
                            .completeOnTimeout(null, 100, TimeUnit.MILLISECONDS).join();
                }
                health = healthCheck.get(20, TimeUnit.SECONDS);
            } finally {
                nats.thaw();
            }
            List<Answer> answers = burst.stream().map(CompletableFuture::join).toList();

            List<Answer> refusedAtOnce = answers.stream()
                    .filter(a -> (a.status() == 503 || a.status() == 429) && a.retryAfter() && a.nanos() < QUICK_NANOS).toList();
            List<String> accepted = answers.stream().filter(a -> a.status() == 202).map(Answer::callId).toList();
            assertTrue(refusedAtOnce.size() >= BURST - MAX_PENDING, refusedAtOnce.size() + " of " + BURST
                    + " refused at once with Retry-After; all answers: " + summary(answers));
            assertTrue(answers.stream().allMatch(a -> a.status() == 202 || a.status() == 503 || a.status() == 429),
                    summary(answers));
            assertTrue(!accepted.isEmpty(), "the calls that waited were confirmed once the server ran again: " + summary(answers));
            Set<String> stored = storedCallIds(inspector, app.queue().streamName());
            List<String> lost = accepted.stream().filter(id -> !stored.contains(id)).toList();
            assertEquals(List.of(), lost, "answered 202 but not in the stream");
            assertEquals(202, post(client, base, "after-thaw").join().status());
            // Health during the stall: not ready, in the app's words; the client library's are in the log.
            assertEquals(503, health.statusCode());
            assertEquals("stream " + app.queue().streamName() + " unavailable (the log has the detail)", health.body().trim());
        }
    }

    /** Posts a call; the answer, or an answer with status -1 when the request failed without one. */
    private static CompletableFuture<Answer> post(HttpClient client, String url, String callId) {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("X-Call-Id", callId).POST(HttpRequest.BodyPublishers.ofString("payload of " + callId)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, error) -> response == null ? new Answer(callId, -1, false, System.nanoTime() - start)
                        : new Answer(callId, response.statusCode(), response.headers().firstValue("Retry-After").isPresent(),
                        System.nanoTime() - start));
    }

    private static Set<String> storedCallIds(Connection connection, String stream) throws Exception {
        JetStreamManagement jsm = connection.jetStreamManagement();
        long last = jsm.getStreamInfo(stream).getStreamState().getLastSequence();
        Set<String> ids = new HashSet<>();
        for (long seq = 1; seq <= last; seq++) {
            ids.add(jsm.getMessage(stream, seq).getHeaders().getFirst("Nats-Msg-Id"));
        }
        return ids;
    }

    private static String summary(List<Answer> answers) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (Answer a : answers) {
            String key = a.status() + (a.nanos() < QUICK_NANOS ? " quick" : " slow") + (a.retryAfter() ? " retry-after" : "");
            counts.merge(key, 1L, Long::sum);
        }
        return counts.toString();
    }
}
