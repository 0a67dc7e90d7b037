package dev.asyncqueue.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A loopback HTTP server for tests that records every request and answers as told per path prefix;
 * delayed answers are scheduled, so a slow function does not hold a server thread.
 */
public final class RecordingHttpServer implements AutoCloseable {

    /** A request as received. */
    public record RecordedRequest(String method, String path, String query, Map<String, List<String>> headers,
                                  byte[] body, Instant at) {
        /** First value of a header, case-insensitively. */
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst();
        }

        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** An answer to send; {@code beforeSend} runs just before it goes out (to track a function's concurrency). */
    public record Response(int status, Map<String, List<String>> headers, byte[] body, Duration delay,
                           Runnable beforeSend) {
        public Response(int status, Map<String, List<String>> headers, byte[] body, Duration delay) {
            this(status, headers, body, delay, () -> { });
        }

        public static Response of(int status, String body) {
            return new Response(status, Map.of(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ZERO);
        }

        public Response withHeader(String name, String value) {
            Map<String, List<String>> h = new TreeMap<>(headers);
            h.put(name, List.of(value));
            return new Response(status, h, body, delay, beforeSend);
        }

        public Response after(Duration delay) {
            return new Response(status, headers, body, delay, beforeSend);
        }

        /** Runs {@code action} when the answer is about to be sent, after any delay. */
        public Response beforeSending(Runnable action) {
            return new Response(status, headers, body, delay, action);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final ScheduledExecutorService delays = Executors.newScheduledThreadPool(2);
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Function<RecordedRequest, Response>> responders = new ConcurrentHashMap<>();
    private final Object arrived = new Object();

    private RecordingHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a free loopback port that answers 200 "ok" until told otherwise. */
    public static RecordingHttpServer start() {
        try {
            return new RecordingHttpServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers requests whose path starts with {@code pathPrefix} (the longest prefix wins). */
    public RecordingHttpServer respond(String pathPrefix, Function<RecordedRequest, Response> responder) {
        responders.put(pathPrefix, responder);
        return this;
    }

    /** Every request received so far. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Requests whose path starts with the prefix. */
    public List<RecordedRequest> requests(String pathPrefix) {
        List<RecordedRequest> matching = new ArrayList<>();
        for (RecordedRequest r : requests) {
            if (r.path().startsWith(pathPrefix)) matching.add(r);
        }
        return matching;
    }

    /** Waits until at least {@code count} requests with the prefix arrived; fails after {@code timeout}. */
    public List<RecordedRequest> await(String pathPrefix, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (arrived) {
            while (true) {
                List<RecordedRequest> matching = requests(pathPrefix);
                if (matching.size() >= count) return matching;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " requests to " + pathPrefix + " within " + timeout
                            + ", got " + matching.size());
                }
                TimeUnit.NANOSECONDS.timedWait(arrived, left);
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
        URI uri = exchange.getRequestURI();
        RecordedRequest request = new RecordedRequest(exchange.getRequestMethod(), uri.getRawPath(),
                uri.getRawQuery() == null ? "" : uri.getRawQuery(), headers, body, Instant.now());
        requests.add(request);
        synchronized (arrived) {
            arrived.notifyAll();
        }
        Response response = responderFor(request.path()).apply(request);
        if (response.delay().isZero()) {
            send(exchange, response);
        } else {
            delays.schedule(() -> send(exchange, response), response.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private Function<RecordedRequest, Response> responderFor(String path) {
        String best = null;
        for (String prefix : responders.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) best = prefix;
        }
        return best == null ? r -> Response.of(200, "ok") : responders.get(best);
    }

    private static void send(HttpExchange exchange, Response response) {
        try {
            response.beforeSend().run();
            response.headers().forEach((k, v) -> exchange.getResponseHeaders().put(k, v));
            exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        } catch (IOException e) {
            // The client gave up (timeout test); nothing to answer.
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        delays.shutdownNow();
    }
}
