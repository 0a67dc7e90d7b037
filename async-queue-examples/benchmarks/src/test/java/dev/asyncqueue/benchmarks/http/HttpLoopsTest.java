package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every client's loop makes exactly the calls asked, with the same request, and fails on an answer other than 200. */
class HttpLoopsTest {
    private static final byte[] BODY = "x".repeat(512).getBytes();

    private final RecordingHttpServer function = RecordingHttpServer.start();

    @AfterEach
    void stop() {
        function.close();
    }

    static Stream<String> clients() {
        return Candidate.all().stream().map(Candidate::name);
    }

    private static Candidate candidate(String name) {
        return Candidate.all().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("clients")
    void aLoopMakesTheCallsAskedEachAPostOfTheBodyToTheFunction(String name) throws Exception {
        try (HttpLoop loop = candidate(name).loop().open(function.baseUrl(), 4, BODY)) {
            loop.run(25);
        }

        List<RecordedRequest> calls = function.await("/function/bench", 25, Duration.ofSeconds(10));
        assertEquals(25, function.requests().size());
        for (RecordedRequest call : calls) {
            assertEquals("POST", call.method());
            assertEquals(512, call.body().length);
            assertTrue(call.header("Content-Type").orElse("").startsWith("application/octet-stream"), call.headers()::toString);
        }
    }

    static Stream<String> plainClients() {
        return PlainLoops.names().stream();
    }

    @ParameterizedTest
    @MethodSource("plainClients")
    void aChainedLoopPostsEachAnswerToTheNextUrl(String name) throws Exception {
        function.respond("/function/", r -> Response.of(200, "answer"));
        URI callback = function.baseUrl().resolve("/callback");
        try (HttpLoop loop = PlainLoops.open(name, List.of(PlainLoops.function(function.baseUrl()), callback), 4, BODY)) {
            loop.run(25);
        }

        List<RecordedRequest> callbacks = function.await("/callback", 25, Duration.ofSeconds(10));
        assertEquals(50, function.requests().size());
        for (RecordedRequest sent : callbacks) {
            assertEquals("POST", sent.method());
            assertEquals("answer", new String(sent.body(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @MethodSource("clients")
    void aLoopFailsWhenTheFunctionDoesNotAnswer200(String name) throws Exception {
        function.respond("/function/", r -> Response.of(500, "no"));
        try (HttpLoop loop = candidate(name).loop().open(function.baseUrl(), 2, BODY)) {
            assertThrows(Exception.class, () -> loop.run(5));
        }
    }
}
