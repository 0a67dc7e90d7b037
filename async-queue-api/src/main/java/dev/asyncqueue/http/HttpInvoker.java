package dev.asyncqueue.http;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.internal.Failures;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Calls functions through an OpenFaaS-style gateway: {@code <gateway>/function/<name><path>[?query]},
 * with the invocation's method, headers and body. By default on Apache HttpClient 5 async, an I/O reactor over
 * a bounded pool of connections ({@link HttpEngine#APACHE_ASYNC}); {@link HttpEngine#APACHE_CLASSIC} makes
 * blocking calls on a bounded pool of threads, {@link HttpEngine#JDK} takes no library. The returned stage
 * completes on the client's thread (a reactor thread by default: what depends on it must not block);
 * cancelling it aborts the call.
 */
public final class HttpInvoker implements Invoker, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpInvoker.class);
    /** The User-Agent functions see. */
    public static final String USER_AGENT = "async-queue-worker/0.1";
    // Methods that define no meaning for a body: an empty one is not announced as Content-Length: 0.
    private static final Set<String> BODILESS = Set.of("GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT");

    // Enough for every function and path a worker usually calls, small enough to be no concern as memory.
    private static final int KNOWN_URLS = 1024;

    private final URI gatewayUrl;
    private final Map<UrlKey, URI> urls = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Transport transport;

    private HttpInvoker(Builder b) {
        String base = Objects.requireNonNull(b.gatewayUrl, "gatewayUrl").toString();
        this.gatewayUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.timeout = b.timeout;
        SSLContext tls = b.tlsInsecure ? GatewayTrust.context(gatewayUrl) : null;
        this.transport = b.client != null ? new JdkTransport(b.client) : Transports.create(b.engine, b.maxConcurrency, tls);
    }

    /** Starts a builder; the gateway URL is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The URL the invocation is sent to, always under {@code <gateway>/function/<name>/}.
     *
     * @throws IllegalArgumentException when the path has a {@code .} or {@code ..} segment, which would take the
     *                                  call to another URL of the gateway
     */
    public URI urlFor(Invocation invocation) {
        UrlKey key = new UrlKey(invocation.function(), invocation.path(), invocation.query());
        URI known = urls.get(key);
        if (known != null) return known;
        String path = invocation.path();
        if (path.isEmpty()) path = "/";
        else if (!path.startsWith("/")) path = "/" + path;
        if (hasDotSegment(path)) {
            throw new IllegalArgumentException("path '" + path + "' has a '.' or '..' segment, which would leave /function/"
                    + invocation.function());
        }
        String query = invocation.query().isEmpty() ? "" : "?" + invocation.query();
        URI url = URI.create(gatewayUrl + "/function/" + invocation.function() + path + query);
        // Parsing and checking a URL costs more than the rest of forming the request; most calls repeat a few.
        if (urls.size() >= KNOWN_URLS) urls.clear();
        urls.put(key, url);
        return url;
    }

    /**
     * Whether some server on the way could read a {@code .} or {@code ..} segment in the path (query and fragment
     * excluded): after decoding escapes, even twice-encoded ones, taking {@code \} for {@code /} and dropping
     * {@code ;parameters} as servlet containers do.
     */
    static boolean hasDotSegment(String path) {
        int end = path.length();
        for (char stop : new char[]{'?', '#'}) {
            if (path.indexOf(stop) >= 0) end = Math.min(end, path.indexOf(stop));
        }
        String decoded = path.substring(0, end);
        for (String previous = null; !decoded.equals(previous); ) {
            previous = decoded;
            decoded = decodeAsciiEscapes(decoded);
        }
        for (String segment : decoded.replace('\\', '/').split("/", -1)) {
            int parameters = segment.indexOf(';');
            String name = parameters < 0 ? segment : segment.substring(0, parameters);
            if (name.equals(".") || name.equals("..")) return true;
        }
        return false;
    }

    private static String decodeAsciiEscapes(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int high = c == '%' && i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
            int low = high >= 0 ? Character.digit(text.charAt(i + 2), 16) : -1;
            // Only ASCII matters here ('.', '/', '\\', ';'); other escapes stay as they are.
            if (low >= 0 && high < 8) {
                out.append((char) (high * 16 + low));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public CompletionStage<InvocationResult> invoke(Invocation invocation) {
        long start = System.nanoTime();
        CompletableFuture<Answer> call;
        try {
            call = transport.exchange(requestFor(invocation), timeout, true);
        } catch (IllegalArgumentException badRequest) {
            // The request cannot be formed (e.g. a path with illegal characters): retrying will not help.
            log.warn("call {} to {} cannot be sent: {}", invocation.callId(), invocation.function(), badRequest.getMessage());
            return CompletableFuture.completedFuture(InvocationResult.answered(400, Map.of(),
                    ("cannot form the request: " + badRequest.getMessage()).getBytes(StandardCharsets.UTF_8),
                    elapsed(start)));
        }
        // Cancelling the result (worker shutdown, a cancelled call) aborts the exchange; one future of our own
        // rather than a derived one and a listener, since every call pays for what is chained here.
        CompletableFuture<InvocationResult> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                call.cancel(true);
                return cancelled;
            }
        };
        call.whenComplete((answer, error) -> {
            Duration duration = elapsed(start);
            try {
                result.complete(error == null
                        ? InvocationResult.answered(answer.status(), answer.headers(), answer.body(), duration)
                        : InvocationResult.transportFailure(transportError(error), duration));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** What a function's URL is made of, besides the gateway. */
    private record UrlKey(String function, String path, String query) {
    }

    private OutgoingRequest requestFor(Invocation invocation) {
        URI url = urlFor(invocation);
        OutgoingRequest.Headers headers = new OutgoingRequest.Headers().forward(invocation.headers());
        headers.set("User-Agent", USER_AGENT);
        if (invocation.header(CallHeaders.CALL_ID).isEmpty()) {
            headers.add(CallHeaders.CALL_ID, invocation.callId());
        }
        byte[] body = invocation.bodyLength() > 0 || !BODILESS.contains(invocation.method()) ? invocation.body() : null;
        return new OutgoingRequest(invocation.method(), url, headers.list(), body);
    }

    private String transportError(Throwable error) {
        Throwable cause = Failures.cause(error);
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return "timed out after " + timeout;
        }
        return Failures.describe(cause);
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * A callback sender on this invoker's client, threads and connections, as the OpenFaaS worker shares one
     * client; closing the invoker stops it too.
     */
    public HttpCallbackSender callbackSender(Duration callbackTimeout) {
        return new HttpCallbackSender(transport, callbackTimeout, false);
    }

    /** Stops the threads this invoker started and closes its connections (a client it was given stays open). */
    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "HttpInvoker[gateway=" + gatewayUrl.getScheme() + "://" + gatewayUrl.getHost()
                + (gatewayUrl.getPort() < 0 ? "" : ":" + gatewayUrl.getPort()) + ", timeout=" + timeout
                + ", client=" + transport.describe() + "]";
    }

    /** Configures an {@link HttpInvoker}. */
    public static final class Builder {
        private URI gatewayUrl;
        private Duration timeout = Duration.ofMinutes(1);
        private HttpClient client;
        private HttpEngine engine = HttpEngine.APACHE_ASYNC;
        private int maxConcurrency = Transports.DEFAULT_SIZE;
        private boolean tlsInsecure;

        private Builder() {
        }

        /** Where functions are invoked ({@code gateway_url}). */
        public Builder gatewayUrl(URI gatewayUrl) { this.gatewayUrl = gatewayUrl; return this; }

        /** How long one call may take ({@code upstream_timeout}, default 1 minute); a call past it is aborted. */
        public Builder timeout(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) throw new IllegalArgumentException("timeout must be positive");
            this.timeout = timeout;
            return this;
        }

        /** Which HTTP client calls the functions (default {@link HttpEngine#APACHE_ASYNC}). */
        public Builder engine(HttpEngine engine) { this.engine = Objects.requireNonNull(engine, "engine"); return this; }

        /**
         * Calls at once ({@code max_inflight}, default 50): the pooled connections per server of the Apache
         * engines (twice that in all, so a callback receiver's stay open beside the gateway's), and the threads
         * of {@link HttpEngine#APACHE_CLASSIC}, shared with the callback sender; more wait for a connection. Give it the worker's {@code maxInflight}, which counts callbacks too. The JDK client has
         * no such bound.
         */
        public Builder maxConcurrency(int maxConcurrency) {
            if (maxConcurrency < 1) throw new IllegalArgumentException("maxConcurrency must be at least 1");
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /**
         * Calls an {@code https} gateway without verifying its certificate or host name ({@code tls_insecure},
         * testing only). Every other server, callback receivers included, is verified all the same.
         */
        public Builder tlsInsecure(boolean tlsInsecure) { this.tlsInsecure = tlsInsecure; return this; }

        /** Uses this JDK client instead of a client of its own ({@link HttpEngine#JDK}; the caller closes it). */
        public Builder httpClient(HttpClient client) { this.client = client; return this; }

        /** An invoker with this configuration. */
        public HttpInvoker build() { return new HttpInvoker(this); }
    }
}
