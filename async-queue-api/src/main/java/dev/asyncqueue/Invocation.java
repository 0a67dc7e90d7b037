package dev.asyncqueue;

import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One asynchronous call of a function, as it waits in a queue: immutable and safe to share.
 *
 * <p>Header names are kept case-insensitively (like HTTP); the body is copied in and out so
 * no caller can change a queued invocation.
 */
public final class Invocation {

    /** The default queue, as in OpenFaaS. */
    public static final String DEFAULT_QUEUE = "faas-request";

    /**
     * Function names as the OpenFaaS gateway accepts them: {@code name} or {@code name.namespace}; not made only of
     * dots, which a URL path reads as "this" or "parent" ({@code /function/../x} is {@code /x}).
     */
    public static final Pattern FUNCTION_NAME = Pattern.compile("(?!\\.+$)[-a-zA-Z_0-9.]+");

    /** Queue names become part of a stream name, which must not contain dots or wildcards. */
    public static final Pattern QUEUE_NAME = Pattern.compile("[-a-zA-Z_0-9]+");

    private static final byte[] NO_BODY = new byte[0];

    private final String callId;
    private final String function;
    private final String queue;
    private final String method;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final URI callbackUrl;
    private final Map<String, String> annotations;
    private final Instant enqueuedAt;
    private final String host;

    private Invocation(Builder b) {
        if (b.function != null && !b.function.isEmpty() && b.function.chars().allMatch(c -> c == '.')) {
            throw new IllegalArgumentException("function '" + b.function + "' is made only of dots, which a URL reads as a"
                    + " relative path");
        }
        this.function = require("function", b.function, isFunctionName(b.function), FUNCTION_NAME);
        this.queue = require("queue", b.queue, isQueueName(b.queue), QUEUE_NAME);
        this.method = Objects.requireNonNull(b.method, "method");
        if (method.isBlank() || !method.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("method must be an HTTP token, got '" + method + "'");
        }
        this.callId = b.callId == null || b.callId.isBlank() ? UUID.randomUUID().toString() : b.callId;
        this.path = b.path == null ? "" : b.path;
        this.query = b.query == null ? "" : b.query;
        this.headers = copyHeaders(b.headers);
        this.body = b.body == null ? NO_BODY : b.body;
        this.callbackUrl = b.callbackUrl;
        this.annotations = Map.copyOf(b.annotations);
        this.enqueuedAt = b.enqueuedAt == null ? Instant.now() : b.enqueuedAt;
        this.host = b.host == null ? "" : b.host;
    }

    /** Starts an invocation of {@code function} with method POST on the default queue. */
    public static Builder builder(String function) {
        return new Builder().function(function);
    }

    /** A builder holding every field of this invocation, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder()
                .callId(callId).function(function).queue(queue).method(method).path(path).query(query)
                .body(body).callbackUrl(callbackUrl).annotations(annotations).enqueuedAt(enqueuedAt).host(host);
        b.headers.putAll(headers);
        return b;
    }

    /** Unique id of the call; the de-duplication key and the {@code X-Call-Id} header. */
    public String callId() { return callId; }

    /** The function to invoke: {@code name} or {@code name.namespace}. */
    public String function() { return function; }

    /** The queue this invocation belongs to (stream {@code OF_<queue>}). */
    public String queue() { return queue; }

    /** HTTP method of the original request. */
    public String method() { return method; }

    /** Path after the function name, possibly empty. */
    public String path() { return path; }

    /** Raw query string without {@code ?}, possibly empty. */
    public String query() { return query; }

    /** Multi-valued headers, names case-insensitive; an unmodifiable view. */
    public Map<String, List<String>> headers() { return headers; }

    /** The first value of a header, if any. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** A copy of the body bytes. */
    public byte[] body() { return body.clone(); }

    /** Size of the body in bytes, without copying it. */
    public int bodyLength() { return body.length; }

    /** Where the result is posted when the call is final, if anywhere. */
    public Optional<URI> callbackUrl() { return Optional.ofNullable(callbackUrl); }

    /** Function annotations known at enqueue time (retry overrides, queue routing). */
    public Map<String, String> annotations() { return annotations; }

    /** When the call was accepted. */
    public Instant enqueuedAt() { return enqueuedAt; }

    /** Original Host header, possibly empty. */
    public String host() { return host; }

    /** A read-only view of the body, for encoders that must not pay for a copy. */
    public java.nio.ByteBuffer bodyBuffer() { return java.nio.ByteBuffer.wrap(body).asReadOnlyBuffer(); }

    /** Whether {@code name} matches {@link #FUNCTION_NAME}; a loop, as every decoded message is checked. */
    public static boolean isFunctionName(String name) {
        return isName(name, true);
    }

    /** Whether {@code name} matches {@link #QUEUE_NAME}. */
    public static boolean isQueueName(String name) {
        return isName(name, false);
    }

    private static boolean isName(String name, boolean dotAllowed) {
        if (name == null || name.isEmpty()) return false;
        boolean onlyDots = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean dot = dotAllowed && c == '.';
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || dot;
            if (!ok) return false;
            onlyDots &= dot;
        }
        return !onlyDots;
    }

    private static String require(String what, String value, boolean valid, Pattern pattern) {
        Objects.requireNonNull(value, what);
        if (!valid) {
            throw new IllegalArgumentException(what + " '" + value + "' must match " + pattern.pattern());
        }
        return value;
    }

    private static Map<String, List<String>> copyHeaders(Map<String, List<String>> source) {
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        source.forEach((name, values) -> {
            if (name != null && values != null) copy.merge(name, List.copyOf(values), Invocation::joined);
        });
        return java.util.Collections.unmodifiableSortedMap(copy);
    }

    private static List<String> joined(List<String> first, List<String> more) {
        List<String> joined = new java.util.ArrayList<>(first.size() + more.size());
        joined.addAll(first);
        joined.addAll(more);
        return List.copyOf(joined);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Invocation other)) return false;
        return callId.equals(other.callId) && function.equals(other.function) && queue.equals(other.queue)
                && method.equals(other.method) && path.equals(other.path) && query.equals(other.query)
                && new TreeMap<>(headers).equals(new TreeMap<>(other.headers)) && Arrays.equals(body, other.body)
                && Objects.equals(callbackUrl, other.callbackUrl) && annotations.equals(other.annotations)
                && enqueuedAt.equals(other.enqueuedAt) && host.equals(other.host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(callId, function, queue, method, path, query, Arrays.hashCode(body), enqueuedAt);
    }

    /** Names what the call is without printing headers or body, which may hold secrets. */
    @Override
    public String toString() {
        return "Invocation[callId=" + callId + ", function=" + function + ", queue=" + queue + ", method=" + method
                + ", path=" + path + ", body=" + body.length + " bytes, callback=" + (callbackUrl != null) + "]";
    }

    /** Builds an {@link Invocation}; validation happens in {@link #build()}. */
    public static final class Builder {
        private String callId;
        private String function;
        private String queue = DEFAULT_QUEUE;
        private String method = "POST";
        private String path = "";
        private String query = "";
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private byte[] body;
        private URI callbackUrl;
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private Instant enqueuedAt;
        private String host;

        private Builder() {
        }

        /** The call id; a missing or blank one becomes a random UUID. */
        public Builder callId(String callId) { this.callId = callId; return this; }

        /** The function to invoke, {@code name} or {@code name.namespace}. */
        public Builder function(String function) { this.function = function; return this; }

        /** The queue; null or empty means {@link #DEFAULT_QUEUE}. */
        public Builder queue(String queue) {
            this.queue = queue == null || queue.isEmpty() ? DEFAULT_QUEUE : queue;
            return this;
        }

        /** The HTTP method (default POST). */
        public Builder method(String method) { this.method = method; return this; }

        /** The path after the function name. */
        public Builder path(String path) { this.path = path; return this; }

        /** The raw query string, without {@code ?}. */
        public Builder query(String query) { this.query = query; return this; }

        /** Adds one value to a header, keeping the values it already has. */
        public Builder header(String name, String value) {
            headers.merge(name, List.of(value), Invocation::joined);
            return this;
        }

        /** Replaces all headers. */
        public Builder headers(Map<String, List<String>> headers) {
            this.headers.clear();
            // Immutable copies: List.copyOf of an immutable list is that list, so a decoded header is not copied again.
            headers.forEach((name, values) -> this.headers.put(name, List.copyOf(values)));
            return this;
        }

        /** Sets the body; the array is copied. */
        public Builder body(byte[] body) { this.body = body == null ? null : body.clone(); return this; }

        /** Where the final result is posted; null for none. */
        public Builder callbackUrl(URI callbackUrl) { this.callbackUrl = callbackUrl; return this; }

        /** Replaces the function annotations. */
        public Builder annotations(Map<String, String> annotations) {
            this.annotations.clear();
            this.annotations.putAll(annotations);
            return this;
        }

        /** When the call was accepted; null means now. */
        public Builder enqueuedAt(Instant enqueuedAt) { this.enqueuedAt = enqueuedAt; return this; }

        /** The original Host header. */
        public Builder host(String host) { this.host = host; return this; }

        /** Validates and builds; a missing call id becomes a random UUID, a missing time now. */
        public Invocation build() { return new Invocation(this); }
    }
}
