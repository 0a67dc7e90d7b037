package dev.asyncqueue.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PayloadTooLargeException;
import dev.asyncqueue.QueueUnavailableException;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.http.ForwardedHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * <p>No thread waits for NATS: the answer is sent when the queue confirms (or fails, or does not confirm in
 * time), and at most {@code maxPending} calls await that at once; past it a call is answered 503 with
 * {@code Retry-After} before its body is read. Every answer carries the call id ({@code X-Call-Id}); an
 * error names it in the body with a short reason, and the detail goes to the log.
 */
final class IngestHandler implements HttpHandler {
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
    public void handle(HttpExchange exchange) throws IOException {
        String callId = callId(exchange);
        exchange.getResponseHeaders().set(CallHeaders.CALL_ID, callId);
        CompletionStage<Reply> reply;
        try {
            reply = route(exchange, callId);
        } catch (IOException e) {
            // Reading the body failed: the caller is gone, and nothing was stored.
            exchange.close();
            throw e;
        } catch (RuntimeException e) {
            log.error("ingest of call {} failed", callId, e);
            reply = CompletableFuture.completedFuture(Reply.of(500, "internal error" + callIdNote(callId)));
        }
        reply.whenComplete((answer, error) -> {
            if (error != null) log.error("ingest of call {} failed", callId, error);
            finish(exchange, answer != null ? answer : Reply.of(500, "internal error" + callIdNote(callId)), callId);
        });
    }

    /** The caller's {@code X-Call-Id} when usable, else a new one. */
    private static String callId(HttpExchange exchange) {
        String callId = exchange.getRequestHeaders().getFirst(CallHeaders.CALL_ID);
        return callId == null || callId.isBlank() || callId.length() > 128 ? UUID.randomUUID().toString() : callId;
    }

    /** Sends the answer and ends the exchange; from whichever thread completed the enqueue (a short write). */
    private static void finish(HttpExchange exchange, Reply reply, String callId) {
        try (exchange) {
            answer(exchange, reply);
        } catch (IOException | RuntimeException e) {
            log.debug("could not answer call {}: {}", callId, e.toString());
        }
    }

    private CompletionStage<Reply> route(HttpExchange exchange, String callId) throws IOException {
        URI uri = exchange.getRequestURI();
        String rest = uri.getRawPath().substring(Math.min(uri.getRawPath().length(), PREFIX.length()));
        if (!uri.getRawPath().startsWith(PREFIX) || rest.isEmpty()) {
            return done(404, "not found: use POST /async-function/{name}[/{path}]");
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            return done(405, "method " + exchange.getRequestMethod() + " not allowed: use POST");
        }
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        if (name.chars().allMatch(c -> c == '.')) {
            // "." and ".." would resolve out of /function/<name> at the gateway; "..." is refused alike.
            return done(400, "invalid function name '" + printable(name) + "': a name made only of dots is not a function");
        }
        if (!Invocation.isFunctionName(name)) {
            return done(400, "invalid function name '" + printable(name) + "': use letters, digits, '-', '_' and '.'");
        }
        if (hasDotSegment(path)) {
            return done(400, "path '" + printable(path) + "' has a dot segment ('.' or '..'): a call stays within"
                    + " /function/" + name);
        }
        int headerLines = headerLines(exchange);
        if (headerLines > MAX_HEADER_LINES) {
            return done(431, "request of " + headerLines + " header lines is over the limit of " + MAX_HEADER_LINES);
        }
        long headerBytes = headerBytes(exchange);
        if (headerBytes > MAX_HEADER_BYTES) {
            // Headers travel inside the stored message and on to the function; refuse them before reading the body.
            return done(431, "request headers of " + headerBytes + " bytes are over the limit of " + MAX_HEADER_BYTES
                    + " bytes");
        }
        String callbackHeader = exchange.getRequestHeaders().getFirst(CallHeaders.CALLBACK_URL);
        URI callback = null;
        if (callbackHeader != null && !callbackHeader.isBlank()) {
            callback = parseCallback(callbackHeader.trim());
            if (callback == null) {
                return done(400, "X-Callback-Url is not an absolute http(s) URL: '" + printable(callbackHeader) + "'");
            }
            Optional<String> refused = callbackPolicy.refusal(callback);
            if (refused.isPresent()) {
                return done(400, "X-Callback-Url refused: " + refused.get());
            }
        }
        String requested = exchange.getRequestHeaders().getFirst("X-Queue-Name");
        Optional<String> queueName = router.queueFor(name, requested);
        if (queueName.isEmpty()) {
            return done(400, "unknown queue '" + printable(requested) + "': this ingest serves " + router.allowed());
        }
        AsyncQueue queue;
        try {
            queue = router.queue(queueName.get());
        } catch (QueueUnavailableException e) {
            log.warn("call {} to {}: queue {} unavailable: {}", callId, name, queueName.get(), e.getMessage());
            return done(503, "queue unavailable (NATS): the call was not stored; retry with the same X-Call-Id"
                    + callIdNote(callId));
        }
        long limit = queue.maxMessageBytes();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && CONTENT_LENGTH.matcher(declared).matches() && Long.parseLong(declared) > limit) {
            return CompletableFuture.completedFuture(tooLarge(Long.parseLong(declared), limit));
        }
        // The body is read only with a place among the calls awaiting storage: their bodies are what the
        // ingest holds in memory.
        if (!pending.tryAcquire()) {
            log.debug("call {} to {} refused: the most calls allowed already await storage", callId, name);
            return done(503, "ingest busy: too many calls await storage; retry after " + RETRY_AFTER_SECONDS
                    + "s with the same X-Call-Id" + callIdNote(callId));
        }
        CompletionStage<EnqueueReceipt> stored;
        try {
            stored = store(exchange, uri, queue, queueName.get(), name, path, callback, callId);
        } catch (Throwable e) {
            pending.release();
            throw e;
        }
        return stored.toCompletableFuture().copy()
                .orTimeout(CONFIRMATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((receipt, error) -> {
                    pending.release();
                    return error == null ? accepted(receipt, name) : notStored(error, callId, name);
                });
    }

    /** Reads the body and sends the invocation to the queue (a failed stage when the body is over the limit). */
    private CompletionStage<EnqueueReceipt> store(HttpExchange exchange, URI uri, AsyncQueue queue, String queueName,
                                                  String name, String path, URI callback, String callId) throws IOException {
        long limit = queue.maxMessageBytes();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        }
        if (body.length > limit) {
            return CompletableFuture.failedFuture(new PayloadTooLargeException(body.length, limit));
        }
        Instant now = Instant.now();
        Invocation.Builder builder = Invocation.builder(name)
                .callId(callId)
                .queue(queue.name())
                .method("POST")
                .path(path)
                .query(uri.getRawQuery() == null ? "" : uri.getRawQuery())
                .body(body)
                .callbackUrl(callback)
                .enqueuedAt(now)
                .host(exchange.getRequestHeaders().getFirst("Host"));
        if (router.hasQueueAnnotation(name)) {
            builder.annotations(Map.of(QueueRouter.QUEUE_ANNOTATION, queueName));
        }
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            String headerName = header.getKey();
            boolean setByGateway = CallHeaders.CALL_ID.equalsIgnoreCase(headerName) || CallHeaders.START_TIME.equalsIgnoreCase(headerName)
                    || "X-Queue-Name".equalsIgnoreCase(headerName);
            if (!setByGateway && (ForwardedHeaders.isForwarded(headerName) || "User-Agent".equalsIgnoreCase(headerName))) {
                header.getValue().forEach(v -> builder.header(headerName, v));
            }
        }
        // As the OpenFaaS gateway does: the function sees the call id and the time it was accepted.
        builder.header(CallHeaders.CALL_ID, callId)
                .header(CallHeaders.START_TIME, Long.toString(now.getEpochSecond() * 1_000_000_000L + now.getNano()));
        return queue.enqueue(builder.build());
    }

    private static Reply accepted(EnqueueReceipt receipt, String name) {
        log.debug("accepted call {} to {} as {} seq {}", receipt.callId(), name, receipt.queue(), receipt.sequence());
        return Reply.of(202, "");
    }

    /** A short reason and the call id for the caller; the detail for the log. */
    private static Reply notStored(Throwable error, String callId, String name) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof PayloadTooLargeException tooLarge) {
            return tooLarge(tooLarge.size(), tooLarge.limit());
        }
        if (cause instanceof TimeoutException || cause instanceof QueueUnavailableException
                && cause.getCause() instanceof TimeoutException) {
            log.warn("call {} to {} not confirmed in time: {}", callId, name, cause.getMessage());
            return Reply.of(503, "the queue (NATS) did not confirm storage in time; retry with the same X-Call-Id,"
                    + " which is stored once" + callIdNote(callId));
        }
        if (cause instanceof QueueUnavailableException) {
            log.warn("call {} to {} not stored: {}", callId, name, cause.getMessage());
            return Reply.of(503, "queue unavailable (NATS): the call was not stored; retry with the same X-Call-Id"
                    + callIdNote(callId));
        }
        log.error("call {} to {} not stored", callId, name, cause);
        return Reply.of(500, "could not store the call" + callIdNote(callId));
    }

    private static String callIdNote(String callId) {
        return " (call id " + printable(callId) + ")";
    }

    private static CompletionStage<Reply> done(int status, String body) {
        return CompletableFuture.completedFuture(Reply.of(status, body));
    }

    /** Whether a segment of the path is {@code .} or {@code ..}, also written with {@code %2e}. */
    static boolean hasDotSegment(String rawPath) {
        for (String segment : rawPath.split("/", -1)) {
            String decoded = segment.replace("%2e", ".").replace("%2E", ".");
            if (decoded.equals(".") || decoded.equals("..")) return true;
        }
        return false;
    }

    private static int headerLines(HttpExchange exchange) {
        int lines = 0;
        for (List<String> values : exchange.getRequestHeaders().values()) lines += values.size();
        return lines;
    }

    private static long headerBytes(HttpExchange exchange) {
        long total = 0;
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            for (String value : header.getValue()) total += header.getKey().length() + value.length() + 4;
        }
        return total;
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

    private static Reply tooLarge(long size, long limit) {
        return Reply.of(413, "request of " + size + " bytes is over the queue's limit of " + limit
                + " bytes per invocation (the body is stored base64-encoded, so about " + (limit * 3 / 4 - 1024)
                + " bytes of body fit)");
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 77) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Writes the answer; a 503 asks the caller to come back after {@value #RETRY_AFTER_SECONDS} s. */
    static void answer(HttpExchange exchange, Reply reply) throws IOException {
        if (reply.status() == 503) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
        byte[] bytes = reply.body().isEmpty() ? new byte[0] : (reply.body() + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** An HTTP answer. */
    record Reply(int status, String body, String contentType) {
        static Reply of(int status, String body) {
            return new Reply(status, body, "text/plain; charset=utf-8");
        }

        static Reply json(int status, String body) {
            return new Reply(status, body, "application/json");
        }
    }
}
