package dev.asyncqueue.examples;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.examples.web.Admission;
import dev.asyncqueue.examples.web.Headers;
import dev.asyncqueue.examples.web.Reply;
import dev.asyncqueue.examples.web.Request;
import dev.asyncqueue.examples.web.Route;
import dev.asyncqueue.internal.Threads;
import io.nats.client.support.Encoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Functions and a callback receiver to try the worker without an OpenFaaS gateway
 * ({@code demo_functions=true}): {@code /function/echo}, {@code /function/sleep?ms=N},
 * {@code /function/status?code=N}, {@code POST /demo/callback} and {@code GET /demo/callbacks}.
 */
final class DemoFunctions implements Route, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoFunctions.class);
    private static final int KEPT_CALLBACKS = 100;
    /** The largest body a demo function reads. */
    private static final long MAX_BODY = 1024 * 1024;

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(Threads.named("demo-functions"));
    private final Deque<String> callbacks = new ArrayDeque<>();

    /** Every demo function answers without blocking: {@code sleep} answers from a timer. */
    @Override
    public Admission admit(Request request) {
        return new Admission.ReadBody(MAX_BODY, body -> handle(request, body), () -> { });
    }

    private CompletionStage<Reply> handle(Request request, byte[] body) {
        String path = request.rawPath();
        if (path.startsWith("/demo/callbacks")) {
            String json;
            synchronized (callbacks) {
                json = "[" + String.join(",", callbacks) + "]";
            }
            return done(Reply.of(200, "application/json", json));
        } else if (path.startsWith("/demo/callback")) {
            return done(receiveCallback(request.headers(), body));
        } else if (path.startsWith("/function/echo")) {
            String type = request.headers().first("Content-Type");
            return done(Reply.of(200, type == null ? "application/octet-stream" : type, body));
        } else if (path.startsWith("/function/sleep")) {
            long ms = Math.min(600_000, Math.max(0, queryNumber(request, "ms", 100)));
            CompletableFuture<Reply> slept = new CompletableFuture<>();
            timers.schedule(() -> slept.complete(Reply.of(200, "text/plain", "slept " + ms + " ms\n")), ms, TimeUnit.MILLISECONDS);
            return slept;
        } else if (path.startsWith("/function/status")) {
            int code = (int) Math.min(599, Math.max(200, queryNumber(request, "code", 200)));
            return done(Reply.of(code, "text/plain", "status " + code + "\n"));
        }
        return done(Reply.of(404, "text/plain", "no such demo function; try echo, sleep or status\n"));
    }

    private static CompletionStage<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }

    private Reply receiveCallback(Headers h, byte[] body) {
        String entry = "{\"received\":\"" + Instant.now() + "\""
                + field("call_id", h.first(CallHeaders.CALL_ID))
                + field("function", h.first(CallHeaders.FUNCTION_NAME))
                + field("status", h.first(CallHeaders.FUNCTION_STATUS))
                + field("duration_seconds", h.first(CallHeaders.DURATION_SECONDS))
                + field("retry", h.first(CallHeaders.RETRY))
                + field("retry_max", h.first(CallHeaders.RETRY_MAX))
                + field("body", new String(body, StandardCharsets.UTF_8)) + "}";
        synchronized (callbacks) {
            callbacks.addLast(entry);
            while (callbacks.size() > KEPT_CALLBACKS) callbacks.removeFirst();
        }
        log.info("callback received: call {} to {} finished with status {} after {} retries",
                h.first(CallHeaders.CALL_ID), h.first(CallHeaders.FUNCTION_NAME), h.first(CallHeaders.FUNCTION_STATUS), h.first(CallHeaders.RETRY));
        return Reply.of(200, "text/plain", new byte[0]);
    }

    private static String field(String name, String value) {
        return value == null ? "" : ",\"" + name + "\":\"" + Encoding.jsonEncode(value) + "\"";
    }

    private static long queryNumber(Request request, String name, long defaultValue) {
        String query = request.rawQuery();
        if (query.isEmpty()) return defaultValue;
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

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
