package dev.asyncqueue.examples;

import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.testing.RecordingHttpServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad requests at the ingest beyond those in {@link QueueWorkerAppTest}: oversized headers, bodies
 * without a declared length, odd callback URLs. Each gets a clear answer, nothing is stored, and the
 * worker behind the same endpoint keeps serving good calls.
 */
class IngestBadInputTest {
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static LocalNatsServer nats;
    private static Connection inspector;
    private static RecordingHttpServer gateway;
    private static QueueWorkerApp app;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        nats = LocalNatsServer.start();
        inspector = Nats.connect(nats.url());
        gateway = RecordingHttpServer.start();
        Map<String, String> settings = new HashMap<>();
        settings.put("nats_url", nats.url());
        settings.put("queue_name", "ingest-bad-" + QUEUES.incrementAndGet());
        settings.put("port", "0");
        settings.put("metrics_port", "0");
        settings.put("gateway_url", gateway.baseUrl().toString());
        settings.put("max_message_bytes", "8192");
        app = QueueWorkerApp.start(settings);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) app.close();
        if (gateway != null) gateway.close();
        if (inspector != null) inspector.close();
        if (nats != null) nats.close();
    }

    @AfterEach
    void nothingWasStoredAndTheWorkerStillServes() throws Exception {
        assertEquals(0, stored(), "nothing is enqueued on any error");
        int before = gateway.requests("/function/echo").size();
        HttpResponse<String> good = post("/async-function/echo", Map.of(), "still fine".getBytes(StandardCharsets.UTF_8));
        assertEquals(202, good.statusCode(), good.body());
        gateway.await("/function/echo", before + 1, Duration.ofSeconds(15));
    }

    private long stored() throws Exception {
        // The worker drains good calls; what an error would have stored is counted by the stream's last sequence.
        return inspector.jetStreamManagement().getStreamInfo(app.queue().streamName()).getStreamState().getLastSequence()
                - gateway.requests("/function/echo").size();
    }

    private HttpResponse<String> post(String path, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.ingestPort() + path))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a raw request and returns the status line, or null when the server closed without answering. */
    private String rawStatusLine(String headerLines) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", app.ingestPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(("POST /async-function/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" + headerLines + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
            } catch (IOException closed) {
                return null;
            }
        }
    }

    /**
     * Sends a raw request with the target exactly as given (no client normalises its dots away) and returns
     * the whole answer, or null when the server closed without answering.
     */
    private String rawPost(String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", app.ingestPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return answer.isEmpty() ? null : answer;
        }
    }

    @Test
    void headersOverSixtyFourKibibytesGet431WithTheLimit() throws Exception {
        HttpResponse<String> oneBig = post("/async-function/echo", Map.of("X-Big", "v".repeat(70_000)), new byte[0]);
        String manySmall = rawStatusLine(IntStream.range(0, 150).mapToObj(i -> "X-H" + i + ": " + "v".repeat(500) + "\r\n")
                .reduce("", String::concat));

        assertEquals(431, oneBig.statusCode());
        assertTrue(oneBig.body().contains(Long.toString(IngestHandler.MAX_HEADER_BYTES)), oneBig.body());
        assertTrue(manySmall != null && manySmall.startsWith("HTTP/1.1 431"), manySmall);
    }

    @Test
    void moreHeaderLinesThanTheHttpServerAcceptsAreRefusedWithoutStoringAnything() throws Exception {
        // The JDK's HTTP server closes the connection past 200 header lines, before the handler runs.
        String status = rawStatusLine(IntStream.range(0, 300).mapToObj(i -> "X-H" + i + ": v\r\n").reduce("", String::concat));

        assertTrue(status == null || !status.contains(" 202 "), "not accepted: " + status);
    }

    @Test
    void aBodyOverTheLimitWithoutContentLengthGets413() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.ingestPort() + "/async-function/echo"))
                .timeout(Duration.ofSeconds(20))
                // A publisher from a stream has no known length, so the body goes chunked.
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[20_000])))
                .build();

        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(413, response.statusCode());
        assertTrue(response.body().contains(Long.toString(app.queue().maxMessageBytes())), response.body());
    }

    @Test
    void callbackUrlsThatAreNotAbsoluteHttpAreRefusedWith400() throws Exception {
        for (String callback : new String[]{"/relative/path", "http://", "javascript:alert(1)", "file:///etc/passwd",
                "http://exa mple.com/", "mailto:a@b.c"}) {
            HttpResponse<String> response = post("/async-function/echo", Map.of("X-Callback-Url", callback), new byte[0]);
            assertEquals(400, response.statusCode(), callback);
            assertTrue(response.body().contains("X-Callback-Url"), response.body());
        }
    }

    @Test
    void functionNamesWithPathTricksOrControlCharactersAreRefusedWith400() throws Exception {
        for (String name : new String[]{"..%2F..%2Fadmin", "a%00b", "%E2%9C%93", "fn%20name"}) {
            HttpResponse<String> response = post("/async-function/" + name, Map.of(), new byte[0]);
            assertEquals(400, response.statusCode(), name);
            assertNotEquals("", response.body());
        }
    }

    @Test
    void functionNamesMadeOnlyOfDotsAreRefusedWith400() throws Exception {
        for (String name : new String[]{".", "..", "...", "....."}) {
            String answer = rawPost("/async-function/" + name);

            assertTrue(answer != null && answer.startsWith("HTTP/1.1 400 "), name + ": " + answer);
            assertTrue(answer.contains("only of dots"), name + ": " + answer);
        }
        String withPath = rawPost("/async-function/../admin");
        assertTrue(withPath != null && withPath.startsWith("HTTP/1.1 400 "), withPath);
    }

    @Test
    void pathsWithDotSegmentsAreRefusedWith400SoNoCallLeavesItsFunction() throws Exception {
        for (String path : new String[]{"/echo/..", "/echo/../../admin", "/echo/./x", "/echo/%2e%2E/admin",
                "/echo/x/%2E/y", "/echo/.%2e"}) {
            String answer = rawPost("/async-function" + path);

            assertTrue(answer != null && answer.startsWith("HTTP/1.1 400 "), path + ": " + answer);
            assertTrue(answer.contains("dot segment"), path + ": " + answer);
        }
    }
}
