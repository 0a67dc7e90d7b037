package dev.asyncqueue.benchmarks.ingest;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every candidate server hands the whole body to its action and answers 202 only once the action completes. */
class BareServerTest {
    private static final byte[] BODY = "x".repeat(512).getBytes();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> post(BareServer server) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/async-function/f"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "jetty", "netty"})
    void theBodyGoesToTheActionAndTheAnswerWaitsForIt(String technology) throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        CompletableFuture<Object> ack = new CompletableFuture<>();
        try (BareServer server = BareServer.start(technology, body -> {
            bodies.add(body);
            return ack;
        })) {
            CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return post(server);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Not answered while the action has not completed.
            assertThrows(TimeoutException.class, () -> answer.get(300, TimeUnit.MILLISECONDS));
            ack.complete("stored");
            assertEquals(202, answer.get(10, TimeUnit.SECONDS).statusCode());
            assertEquals(1, bodies.size());
            assertArrayEquals(BODY, bodies.get(0));
            assertEquals(202, post(server).statusCode(), "a second call on the same connection");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "jetty", "netty"})
    void aFailedActionIsAnswered500(String technology) throws Exception {
        try (BareServer server = BareServer.start(technology,
                body -> CompletableFuture.failedFuture(new IllegalStateException("not stored")))) {
            assertEquals(500, post(server).statusCode());
        }
    }
}
