package dev.asyncqueue.examples.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.QueueUnavailableException;
import dev.asyncqueue.nats.KvStatusStore;
import dev.asyncqueue.status.CallState;
import dev.asyncqueue.status.CallStatus;
import dev.asyncqueue.status.StatusStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code GET /async-function/status/{call-id}} (the call's state as JSON, 404 when unknown) and
 * {@code DELETE /async-function/{call-id}} (202: cancel it); every other request goes to the ingest handler.
 */
final class StatusRoutes implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(StatusRoutes.class);
    static final String PREFIX = "/async-function/";
    static final String STATUS_PREFIX = PREFIX + "status/";

    private final HttpHandler ingest;
    private final Optional<StatusStore> store;
    private final Clock clock;

    StatusRoutes(HttpHandler ingest, Optional<StatusStore> store, Clock clock) {
        this.ingest = ingest;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        boolean status = "GET".equals(method) && path.startsWith(STATUS_PREFIX) && path.length() > STATUS_PREFIX.length();
        boolean cancel = "DELETE".equals(method) && path.length() > PREFIX.length()
                && path.indexOf('/', PREFIX.length()) < 0;
        if (!status && !cancel) {
            ingest.handle(exchange);
            return;
        }
        try (exchange) {
            if (store.isEmpty()) {
                send(exchange, 501, "text/plain; charset=utf-8", "call status is off (status_enabled=false)\n");
                return;
            }
            String callId;
            try {
                callId = URLDecoder.decode(path.substring(status ? STATUS_PREFIX.length() : PREFIX.length()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) { // a malformed %-escape is the caller's mistake, not ours
                send(exchange, 400, "text/plain; charset=utf-8", "the call id is not a valid URL path segment\n");
                return;
            }
            if (status) {
                status(exchange, callId);
            } else {
                cancel(exchange, callId);
            }
        } catch (QueueUnavailableException e) {
            log.warn("status request failed: {}", e.getMessage());
            send(exchange, 503, "text/plain; charset=utf-8", "status store unavailable\n");
        } catch (RuntimeException e) {
            log.error("status request failed", e);
            send(exchange, 500, "text/plain; charset=utf-8", "internal error\n");
        }
    }

    private void status(HttpExchange exchange, String callId) throws IOException {
        Optional<CallStatus> found = store.get().get(callId);
        if (found.isEmpty()) {
            send(exchange, 404, "application/json", "{\"error\":\"unknown call id\"}\n");
            return;
        }
        send(exchange, 200, "application/json", json(found.get()));
    }

    /**
     * Cancels a call that is not finished: the request goes to every worker through the store, and the
     * state reads "cancelled" at once. A finished call answers 409 with its state; an unknown one 404.
     */
    private void cancel(HttpExchange exchange, String callId) throws IOException {
        Optional<CallStatus> found = store.get().get(callId);
        if (found.isEmpty()) {
            send(exchange, 404, "application/json", "{\"error\":\"unknown call id\"}\n");
            return;
        }
        CallStatus current = found.get();
        if (current.state().isFinal() && current.state() != CallState.CANCELLED) {
            send(exchange, 409, "application/json", json(current));
            return;
        }
        store.get().requestCancel(callId);
        CallStatus cancelled = new CallStatus(callId, current.function(), current.queue(), CallState.CANCELLED,
                current.attempt(), current.lastStatus(), clock.instant(), "cancel requested while " + current.state().wireName());
        if (current.state() != CallState.CANCELLED) store.get().update(cancelled);
        exchange.getResponseHeaders().set(CallHeaders.CALL_ID, callId);
        send(exchange, 202, "application/json", json(cancelled));
    }

    private static String json(CallStatus status) {
        return new String(KvStatusStore.toJson(status), StandardCharsets.UTF_8) + "\n";
    }

    private static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
        Replies.send(exchange, code, type, body);
    }
}
