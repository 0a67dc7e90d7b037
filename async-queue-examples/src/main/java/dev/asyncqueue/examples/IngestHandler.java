package dev.asyncqueue.examples;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PayloadTooLargeException;
import dev.asyncqueue.QueueUnavailableException;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.examples.web.Admission;
import dev.asyncqueue.examples.web.Reply;
import dev.asyncqueue.examples.web.Request;
import dev.asyncqueue.examples.web.Route;
import dev.asyncqueue.http.ForwardedHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * {@code POST /async-function/{name}[/{path}]}: validates the request, stores it in the queue and
 * answers 202 with {@code X-Call-Id} once it is durable. Nothing is stored on any error.
 *
 * <p>No thread waits for NATS: the request is checked on its head, on the server's I/O thread, and the
 * answer is sent when the queue confirms (or fails, or does not confirm in time). At most {@code maxPending}
 * calls await that at once; past it a call is answered 503 with {@code Retry-After} before its body is
 * read. Every answer carries the call id ({@code X-Call-Id}); an error names it in the body with a short
 * reason, and the detail goes to the log.
 */
final class IngestHandler implements Route {
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    static final String PREFIX = "/async-function/";
    /** Largest total of header names and values accepted (64 KiB), answered with 431 above it. */
    static final long MAX_HEADER_BYTES = 64 * 1024;
    /** Most header lines accepted, answered with 431 above it. */
    static final int MAX_HEADER_LINES = 200;
    /** How long a caller waits for the queue to confirm before a 503; a JetStream queue's own deadline is as long. */
    static final Duration CONFIRMATION_TIMEOUT = Duration.ofSeconds(10);
    /** Seconds a caller answered 503 is asked to wait before trying again. */
    static final int RETRY_AFTER_SECONDS = 1;
    /** A {@code Content-Length} worth comparing with the limit; compiled once, as every call checks it. */
    private static final Pattern CONTENT_LENGTH = Pattern.compile("\\d{1,18}");

    private final QueueRouter router;
    private final CallbackPolicy callbackPolicy;
    private final Semaphore pending;

    IngestHandler(QueueRouter router) {
        this(router, CallbackPolicy.defaults());
    }

    /** An ingest that refuses callbacks the policy does not allow, before anything is stored. */
    IngestHandler(QueueRouter router, CallbackPolicy callbackPolicy) {
        this(router, callbackPolicy, IngestLimits.DEFAULTS.maxPending());
    }

    /** ... and answers 503 at once while {@code maxPending} calls await the queue's confirmation. */
    IngestHandler(QueueRouter router, CallbackPolicy callbackPolicy, int maxPending) {
        this.router = router;
        this.callbackPolicy = callbackPolicy;
        this.pending = new Semaphore(maxPending);
    }

    @Override
    public Admission admit(Request request) {
        String callId = callId(request);
        try {
            return route(request, callId);
        } catch (RuntimeException e) {
            log.error("ingest of call {} failed", callId, e);
            return Admission.answer(reply(500, "internal error" + callIdNote(callId), callId));
        }
    }

    /** The caller's {@code X-Call-Id} when usable, else a new one. */
    private static String callId(Request request) {
        String callId = request.headers().first(CallHeaders.CALL_ID);
        return callId == null || callId.isBlank() || callId.length() > 128 ? UUID.randomUUID().toString() : callId;
    }

    private Admission route(Request request, String callId) {
        String rawPath = request.rawPath();
        String rest = rawPath.substring(Math.min(rawPath.length(), PREFIX.length()));
        if (!rawPath.startsWith(PREFIX) || rest.isEmpty()) {
            return done(404, "not found: use POST /async-function/{name}[/{path}]", callId);
        }
        if (!"POST".equals(request.method())) {
            return Admission.answer(reply(405, "method " + request.method() + " not allowed: use POST", callId)
                    .with("Allow", "POST"));
        }
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        if (name.chars().allMatch(c -> c == '.')) {
            // "." and ".." would resolve out of /function/<name> at the gateway; "..." is refused alike.
            return done(400, "invalid function name '" + printable(name) + "': a name made only of dots is not a function", callId);
        }
        if (!Invocation.isFunctionName(name)) {
            return done(400, "invalid function name '" + printable(name) + "': use letters, digits, '-', '_' and '.'", callId);
        }
        if (hasDotSegment(path)) {
            return done(400, "path '" + printable(path) + "' has a dot segment ('.' or '..'): a call stays within"
                    + " /function/" + name, callId);
        }
        int headerLines = request.headers().lines();
        if (headerLines > MAX_HEADER_LINES) {
            return done(431, "request of " + headerLines + " header lines is over the limit of " + MAX_HEADER_LINES, callId);
        }
        long headerBytes = request.headers().bytes();
        if (headerBytes > MAX_HEADER_BYTES) {
            // Headers travel inside the stored message and on to the function; refuse them before reading the body.
            return done(431, "request headers of " + headerBytes + " bytes are over the limit of " + MAX_HEADER_BYTES
                    + " bytes", callId);
        }
        String callbackHeader = request.headers().first(CallHeaders.CALLBACK_URL);
        URI callback = null;
        if (callbackHeader != null && !callbackHeader.isBlank()) {
            callback = parseCallback(callbackHeader.trim());
            if (callback == null) {
                return done(400, "X-Callback-Url is not an absolute http(s) URL: '" + printable(callbackHeader) + "'", callId);
            }
            Optional<String> refused = callbackPolicy.refusal(callback);
            if (refused.isPresent()) {
                return done(400, "X-Callback-Url refused: " + refused.get(), callId);
            }
        }
        String requested = request.headers().first("X-Queue-Name");
        Optional<String> queueName = router.queueFor(name, requested);
        if (queueName.isEmpty()) {
            return done(400, "unknown queue '" + printable(requested) + "': this ingest serves " + router.allowed(), callId);
        }
        Optional<AsyncQueue> open = router.opened(queueName.get());
        if (open.isEmpty()) {
            // Opening a queue creates its stream, a round trip to NATS: not on the I/O thread.
            URI checkedCallback = callback;
            return new Admission.Offload(() -> withQueue(request, callId, queueName.get(), name, path, checkedCallback));
        }
        return admitTo(open.get(), request, callId, queueName.get(), name, path, callback);
    }

    /** Opens the queue (on a thread that may block), then decides as for an open one. */
    private Admission withQueue(Request request, String callId, String queueName, String name, String path, URI callback) {
        AsyncQueue queue;
        try {
            queue = router.queue(queueName);
        } catch (QueueUnavailableException e) {
            log.warn("call {} to {}: queue {} unavailable: {}", callId, name, queueName, e.getMessage());
            return done(503, "queue unavailable (NATS): the call was not stored; retry with the same X-Call-Id"
                    + callIdNote(callId), callId);
        } catch (RuntimeException e) {
            log.error("ingest of call {} failed", callId, e);
            return done(500, "internal error" + callIdNote(callId), callId);
        }
        return admitTo(queue, request, callId, queueName, name, path, callback);
    }

    private Admission admitTo(AsyncQueue queue, Request request, String callId, String queueName, String name,
                              String path, URI callback) {
        long limit = queue.maxMessageBytes();
        String declared = request.headers().first("Content-Length");
        if (declared != null && CONTENT_LENGTH.matcher(declared).matches() && Long.parseLong(declared) > limit) {
            return Admission.answer(tooLarge(Long.parseLong(declared), limit, callId));
        }
        // The body is read only with a place among the calls awaiting storage: their bodies are what the
        // ingest holds in memory.
        if (!pending.tryAcquire()) {
            log.debug("call {} to {} refused: the most calls allowed already await storage", callId, name);
            return done(503, "ingest busy: too many calls await storage; retry after " + RETRY_AFTER_SECONDS
                    + "s with the same X-Call-Id" + callIdNote(callId), callId);
        }
        return new Admission.ReadBody(limit, body -> {
            CompletionStage<EnqueueReceipt> stored;
            try {
                stored = store(request, queue, queueName, name, path, callback, callId, body);
            } catch (RuntimeException e) {
                pending.release();
                log.error("ingest of call {} failed", callId, e);
                return CompletableFuture.completedFuture(reply(500, "internal error" + callIdNote(callId), callId));
            }
            return stored.toCompletableFuture().copy()
                    .orTimeout(CONFIRMATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((receipt, error) -> {
                        pending.release();
                        return error == null ? accepted(receipt, name, callId) : notStored(error, callId, name);
                    });
        }, pending::release);
    }

    /** Sends the invocation to the queue (a failed stage when the body is over the limit). */
    private CompletionStage<EnqueueReceipt> store(Request request, AsyncQueue queue, String queueName, String name,
                                                  String path, URI callback, String callId, byte[] body) {
        long limit = queue.maxMessageBytes();
        if (body.length > limit) {
            return CompletableFuture.failedFuture(new PayloadTooLargeException(body.length, limit));
        }
        Instant now = Instant.now();
        Invocation.Builder builder = Invocation.builder(name)
                .callId(callId)
                .queue(queue.name())
                .method("POST")
                .path(path)
                .query(request.rawQuery())
                .body(body)
                .callbackUrl(callback)
                .enqueuedAt(now)
                .host(request.headers().first("Host"));
        if (router.hasQueueAnnotation(name)) {
            builder.annotations(Map.of(QueueRouter.QUEUE_ANNOTATION, queueName));
        }
        request.headers().forEach((headerName, value) -> {
            boolean setByGateway = CallHeaders.CALL_ID.equalsIgnoreCase(headerName) || CallHeaders.START_TIME.equalsIgnoreCase(headerName)
                    || "X-Queue-Name".equalsIgnoreCase(headerName);
            if (!setByGateway && (ForwardedHeaders.isForwarded(headerName) || "User-Agent".equalsIgnoreCase(headerName))) {
                builder.header(headerName, value);
            }
        });
        // As the OpenFaaS gateway does: the function sees the call id and the time it was accepted.
        builder.header(CallHeaders.CALL_ID, callId)
                .header(CallHeaders.START_TIME, Long.toString(now.getEpochSecond() * 1_000_000_000L + now.getNano()));
        return queue.enqueue(builder.build());
    }

    private static Reply accepted(EnqueueReceipt receipt, String name, String callId) {
        log.debug("accepted call {} to {} as {} seq {}", receipt.callId(), name, receipt.queue(), receipt.sequence());
        return reply(202, "", callId);
    }

    /** A short reason and the call id for the caller; the detail for the log. */
    private static Reply notStored(Throwable error, String callId, String name) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof PayloadTooLargeException tooLarge) {
            return tooLarge(tooLarge.size(), tooLarge.limit(), callId);
        }
        if (cause instanceof TimeoutException || cause instanceof QueueUnavailableException
                && cause.getCause() instanceof TimeoutException) {
            log.warn("call {} to {} not confirmed in time: {}", callId, name, cause.getMessage());
            return reply(503, "the queue (NATS) did not confirm storage in time; retry with the same X-Call-Id,"
                    + " which is stored once" + callIdNote(callId), callId);
        }
        if (cause instanceof QueueUnavailableException) {
            log.warn("call {} to {} not stored: {}", callId, name, cause.getMessage());
            return reply(503, "queue unavailable (NATS): the call was not stored; retry with the same X-Call-Id"
                    + callIdNote(callId), callId);
        }
        log.error("call {} to {} not stored", callId, name, cause);
        return reply(500, "could not store the call" + callIdNote(callId), callId);
    }

    private static String callIdNote(String callId) {
        return " (call id " + printable(callId) + ")";
    }

    private static Admission done(int status, String body, String callId) {
        return Admission.answer(reply(status, body, callId));
    }

    /** Whether a segment of the path is {@code .} or {@code ..}, also written with {@code %2e}. */
    static boolean hasDotSegment(String rawPath) {
        for (String segment : rawPath.split("/", -1)) {
            String decoded = segment.replace("%2e", ".").replace("%2E", ".");
            if (decoded.equals(".") || decoded.equals("..")) return true;
        }
        return false;
    }

    private static URI parseCallback(String text) {
        try {
            URI uri = new URI(text);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            return http && uri.getHost() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static Reply tooLarge(long size, long limit, String callId) {
        return reply(413, "request of " + size + " bytes is over the queue's limit of " + limit
                + " bytes per invocation (the body is stored base64-encoded, so about " + (limit * 3 / 4 - 1024)
                + " bytes of body fit)", callId);
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 77) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** The ingest's answer: the call id on it, and a 503 asks the caller to come back after {@value #RETRY_AFTER_SECONDS} s. */
    static Reply reply(int status, String text, String callId) {
        Map<String, String> headers = new HashMap<>(4);
        if (callId != null) headers.put(CallHeaders.CALL_ID, callId);
        if (status == 503) headers.put("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        if (text.isEmpty()) return new Reply(status, headers, new byte[0]);
        headers.put("Content-Type", Reply.TEXT);
        return new Reply(status, headers, (text + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
