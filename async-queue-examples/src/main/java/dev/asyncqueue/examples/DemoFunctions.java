package dev.asyncqueue.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.internal.Threads;
import io.nats.client.support.Encoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Functions and a callback receiver to try the worker without an OpenFaaS gateway
 * ({@code demo_functions=true}): {@code /function/echo}, {@code /function/sleep?ms=N},
 * {@code /function/status?code=N}, {@code POST /demo/callback} and {@code GET /demo/callbacks}.
 */
final class DemoFunctions implements HttpHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoFunctions.class);
    private static final int KEPT_CALLBACKS = 100;

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(Threads.named("demo-functions"));
    private final Deque<String> callbacks = new ArrayDeque<>();

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (path.startsWith("/demo/callbacks")) {
            String json;
            synchronized (callbacks) {
                json = "[" + String.join(",", callbacks) + "]";
            }
            send(exchange, 200, "application/json", json.getBytes(StandardCharsets.UTF_8));
        } else if (path.startsWith("/demo/callback")) {
            receiveCallback(exchange, body);
        } else if (path.startsWith("/function/echo")) {
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            send(exchange, 200, type == null ? "application/octet-stream" : type, body);
        } else if (path.startsWith("/function/sleep")) {
            long ms = Math.min(600_000, Math.max(0, queryNumber(exchange, "ms", 100)));
            timers.schedule(() -> sendQuietly(exchange, 200, ("slept " + ms + " ms\n").getBytes(StandardCharsets.UTF_8)),
                    ms, TimeUnit.MILLISECONDS);
        } else if (path.startsWith("/function/status")) {
            int code = (int) Math.min(599, Math.max(200, queryNumber(exchange, "code", 200)));
            send(exchange, code, "text/plain", ("status " + code + "\n").getBytes(StandardCharsets.UTF_8));
        } else {
            send(exchange, 404, "text/plain", "no such demo function; try echo, sleep or status\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void receiveCallback(HttpExchange exchange, byte[] body) throws IOException {
        var h = exchange.getRequestHeaders();
        String entry = "{\"received\":\"" + Instant.now() + "\""
                + field("call_id", h.getFirst(CallHeaders.CALL_ID))
                + field("function", h.getFirst(CallHeaders.FUNCTION_NAME))
                + field("status", h.getFirst(CallHeaders.FUNCTION_STATUS))
                + field("duration_seconds", h.getFirst(CallHeaders.DURATION_SECONDS))
                + field("retry", h.getFirst(CallHeaders.RETRY))
                + field("retry_max", h.getFirst(CallHeaders.RETRY_MAX))
                + field("body", new String(body, StandardCharsets.UTF_8)) + "}";
        synchronized (callbacks) {
            callbacks.addLast(entry);
            while (callbacks.size() > KEPT_CALLBACKS) callbacks.removeFirst();
        }
        log.info("callback received: call {} to {} finished with status {} after {} retries",
                h.getFirst(CallHeaders.CALL_ID), h.getFirst(CallHeaders.FUNCTION_NAME), h.getFirst(CallHeaders.FUNCTION_STATUS), h.getFirst(CallHeaders.RETRY));
        send(exchange, 200, "text/plain", new byte[0]);
    }

    private static String field(String name, String value) {
        return value == null ? "" : ",\"" + name + "\":\"" + Encoding.jsonEncode(value) + "\"";
    }

    private static long queryNumber(HttpExchange exchange, String name, long defaultValue) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) return defaultValue;
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                try {
                    return Long.parseLong(pair.substring(name.length() + 1));
                } catch (NumberFormatException e) {
                    return defaultValue;
                }
            }
        }
        return defaultValue;
    }

    private static void sendQuietly(HttpExchange exchange, int status, byte[] body) {
        try {
            send(exchange, status, "text/plain", body);
        } catch (IOException e) {
            log.debug("demo response not delivered: {}", e.toString());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
