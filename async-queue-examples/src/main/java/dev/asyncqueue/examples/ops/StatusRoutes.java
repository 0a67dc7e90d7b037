package dev.asyncqueue.examples.ops;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.QueueUnavailableException;
import dev.asyncqueue.examples.web.Admission;
import dev.asyncqueue.examples.web.Reply;
import dev.asyncqueue.examples.web.Request;
import dev.asyncqueue.examples.web.Route;
import dev.asyncqueue.nats.KvStatusStore;
import dev.asyncqueue.status.CallState;
import dev.asyncqueue.status.CallStatus;
import dev.asyncqueue.status.StatusStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code GET /async-function/status/{call-id}} (the call's state as JSON, 404 when unknown) and
 * {@code DELETE /async-function/{call-id}} (202: cancel it); every other request goes to the ingest route.
 * Both read the key-value store synchronously, so they are served on the ingest's bounded threads.
 */
final class StatusRoutes implements Route {
    private static final Logger log = LoggerFactory.getLogger(StatusRoutes.class);
    static final String PREFIX = "/async-function/";
    static final String STATUS_PREFIX = PREFIX + "status/";
    /** Status and cancel requests carry no body worth reading. */
    private static final long MAX_BODY = 64 * 1024;

    private final Route ingest;
    private final Optional<StatusStore> store;
    private final Clock clock;

    StatusRoutes(Route ingest, Optional<StatusStore> store, Clock clock) {
        this.ingest = ingest;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public Admission admit(Request request) {
        String path = request.rawPath();
        String method = request.method();
        boolean status = "GET".equals(method) && path.startsWith(STATUS_PREFIX) && path.length() > STATUS_PREFIX.length();
        boolean cancel = "DELETE".equals(method) && path.length() > PREFIX.length()
                && path.indexOf('/', PREFIX.length()) < 0;
        if (!status && !cancel) {
            return ingest.admit(request);
        }
        if (store.isEmpty()) {
            return Admission.answer(text(501, "call status is off (status_enabled=false)\n"));
        }
        String callId;
        try {
            callId = URLDecoder.decode(path.substring(status ? STATUS_PREFIX.length() : PREFIX.length()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) { // a malformed %-escape is the caller's mistake, not ours
            return Admission.answer(text(400, "the call id is not a valid URL path segment\n"));
        }
        return new Admission.Blocking(MAX_BODY, (head, body) -> {
            try {
                return status ? status(callId) : cancel(callId);
            } catch (QueueUnavailableException e) {
                log.warn("status request failed: {}", e.getMessage());
                return text(503, "status store unavailable\n");
            } catch (RuntimeException e) {
                log.error("status request failed", e);
                return text(500, "internal error\n");
            }
        });
    }

    private Reply status(String callId) {
        Optional<CallStatus> found = store.get().get(callId);
        if (found.isEmpty()) {
            return Reply.of(404, Reply.JSON, "{\"error\":\"unknown call id\"}\n");
        }
        return Reply.of(200, Reply.JSON, json(found.get()));
    }

    /**
     * Cancels a call that is not finished: the request goes to every worker through the store, and the
     * state reads "cancelled" at once. A finished call answers 409 with its state; an unknown one 404.
     */
    private Reply cancel(String callId) {
        Optional<CallStatus> found = store.get().get(callId);
        if (found.isEmpty()) {
            return Reply.of(404, Reply.JSON, "{\"error\":\"unknown call id\"}\n");
        }
        CallStatus current = found.get();
        if (current.state().isFinal() && current.state() != CallState.CANCELLED) {
            return Reply.of(409, Reply.JSON, json(current));
        }
        store.get().requestCancel(callId);
        CallStatus cancelled = new CallStatus(callId, current.function(), current.queue(), CallState.CANCELLED,
                current.attempt(), current.lastStatus(), clock.instant(), "cancel requested while " + current.state().wireName());
        if (current.state() != CallState.CANCELLED) store.get().update(cancelled);
        return Reply.of(202, Reply.JSON, json(cancelled)).with(CallHeaders.CALL_ID, callId);
    }

    private static String json(CallStatus status) {
        return new String(KvStatusStore.toJson(status), StandardCharsets.UTF_8) + "\n";
    }

    private static Reply text(int code, String body) {
        return Reply.of(code, Replies.TEXT, body);
    }
}
