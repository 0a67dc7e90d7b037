package dev.asyncqueue.http;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.Failures;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls functions through an OpenFaaS-style gateway: {@code <gateway>/function/<name><path>[?query]},
 * with the invocation's method, headers and body, on the JDK's asynchronous HTTP client.
 */
public final class HttpInvoker implements Invoker, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpInvoker.class);
    /** The User-Agent functions see. */
    public static final String USER_AGENT = "async-queue-worker/0.1";

    private final URI gatewayUrl;
    private final Duration timeout;
    private final HttpClient client;
    private final ExecutorService executor;

    private HttpInvoker(Builder b) {
        String base = Objects.requireNonNull(b.gatewayUrl, "gatewayUrl").toString();
        this.gatewayUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.timeout = b.timeout;
        if (b.client != null) {
            this.client = b.client;
            this.executor = null;
        } else {
            this.executor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                    Threads.named("async-queue-http"));
            this.client = JdkHttpClients.create(executor);
        }
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
        String path = invocation.path();
        if (path.isEmpty()) path = "/";
        else if (!path.startsWith("/")) path = "/" + path;
        if (hasDotSegment(path)) {
            throw new IllegalArgumentException("path '" + path + "' has a '.' or '..' segment, which would leave /function/"
                    + invocation.function());
        }
        String query = invocation.query().isEmpty() ? "" : "?" + invocation.query();
        return URI.create(gatewayUrl + "/function/" + invocation.function() + path + query);
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
        HttpRequest request;
        try {
            URI url = urlFor(invocation);
            HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                    .version(JdkHttpClients.versionFor(url))
                    .timeout(timeout)
                    .method(invocation.method(), invocation.bodyLength() == 0
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(invocation.body()));
            ForwardedHeaders.copy(invocation.headers(), builder);
            builder.setHeader("User-Agent", USER_AGENT);
            if (invocation.header(CallHeaders.CALL_ID).isEmpty()) {
                builder.header(CallHeaders.CALL_ID, invocation.callId());
            }
            request = builder.build();
        } catch (IllegalArgumentException badRequest) {
            // The request cannot be formed (e.g. a path with illegal characters): retrying will not help.
            log.warn("call {} to {} cannot be sent: {}", invocation.callId(), invocation.function(), badRequest.getMessage());
            return CompletableFuture.completedFuture(InvocationResult.answered(400, Map.of(),
                    ("cannot form the request: " + badRequest.getMessage()).getBytes(), elapsed(start)));
        }
        CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        // The request timeout covers the headers only; this bounds the whole exchange, body included.
        CompletableFuture<InvocationResult> result = call
                .orTimeout(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS)
                .handle((response, error) -> {
                    Duration duration = elapsed(start);
                    if (error == null) {
                        return InvocationResult.answered(response.statusCode(), response.headers().map(),
                                response.body(), duration);
                    }
                    return InvocationResult.transportFailure(transportError(error), duration);
                });
        // Cancelling the result (worker shutdown) aborts the exchange.
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) call.cancel(true);
        });
        return result;
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

    /** Stops the threads this invoker started (none when it was given a client). */
    @Override
    public void close() {
        if (executor != null) executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "HttpInvoker[gateway=" + gatewayUrl.getScheme() + "://" + gatewayUrl.getHost()
                + (gatewayUrl.getPort() < 0 ? "" : ":" + gatewayUrl.getPort()) + ", timeout=" + timeout + "]";
    }

    /** Configures an {@link HttpInvoker}. */
    public static final class Builder {
        private URI gatewayUrl;
        private Duration timeout = Duration.ofMinutes(1);
        private HttpClient client;

        private Builder() {
        }

        /** Where functions are invoked ({@code gateway_url}). */
        public Builder gatewayUrl(URI gatewayUrl) { this.gatewayUrl = gatewayUrl; return this; }

        /** How long one call may take ({@code upstream_timeout}, default 1 minute). */
        public Builder timeout(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) throw new IllegalArgumentException("timeout must be positive");
            this.timeout = timeout;
            return this;
        }

        /** Uses this client instead of one of its own. */
        public Builder httpClient(HttpClient client) { this.client = client; return this; }

        /** An invoker with this configuration. */
        public HttpInvoker build() { return new HttpInvoker(this); }
    }
}
