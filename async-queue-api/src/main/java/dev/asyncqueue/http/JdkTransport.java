package dev.asyncqueue.http;

import dev.asyncqueue.internal.Threads;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's asynchronous {@link HttpClient}: no dependency, no bound on calls at once, and HTTP/2 over TLS;
 * each exchange passes between the client's selector thread and its executor.
 */
final class JdkTransport implements Transport {
    private static final byte[] NO_BODY = new byte[0];

    private final HttpClient client;
    private final ExecutorService executor;

    /** A client of its own on a few threads; {@code tls} null verifies servers as the platform does. */
    JdkTransport(SSLContext tls) {
        this.executor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                Threads.named("async-queue-http"));
        this.client = JdkHttpClients.create(executor, tls);
    }

    /** The caller's client, which the caller closes. */
    JdkTransport(HttpClient client) {
        this.client = client;
        this.executor = null;
    }

    @Override
    public CompletableFuture<Answer> exchange(OutgoingRequest request, Duration timeout, boolean readBody) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.url())
                .version(JdkHttpClients.versionFor(request.url()))
                .timeout(timeout)
                .method(request.method(), request.body() == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        for (Map.Entry<String, String> header : request.headers()) {
            try {
                builder.header(header.getKey(), header.getValue());
            } catch (IllegalArgumentException restricted) {
                // A header the JDK refuses is dropped rather than failing the call.
            }
        }
        CompletableFuture<HttpResponse<byte[]>> call;
        try {
            call = client.sendAsync(builder.build(), readBody
                    ? HttpResponse.BodyHandlers.ofByteArray()
                    : HttpResponse.BodyHandlers.replacing(NO_BODY));
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(new IOException("the HTTP client is closed", closed));
        }
        // A future of our own, not one derived from the JDK's: cancelling a derived one first makes the JDK fail
        // the call, so it would end as a failure rather than cancelled.
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        call.whenComplete((response, error) -> {
            if (error != null) answer.completeExceptionally(error);
            else answer.complete(new Answer(response.statusCode(), response.headers().map(), response.body()));
        });
        // The request timeout covers the headers only; this bounds the whole exchange, body included.
        answer.orTimeout(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        // A deadline passed or a cancellation aborts the JDK's exchange.
        answer.whenComplete((a, e) -> {
            if (e != null) call.cancel(true);
        });
        return answer;
    }

    @Override
    public String describe() {
        return "jdk";
    }

    @Override
    public void close() {
        if (executor != null) executor.shutdownNow();
    }
}
