package dev.asyncqueue.http;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.Threads;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.callback.CallbackSender;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Posts results as the OpenFaaS queue-worker does: the function's body and headers plus
 * {@code X-Call-Id}, {@code X-Function-Name}, {@code X-Function-Status}, {@code X-Duration-Seconds},
 * {@code X-Retry} and {@code X-Retry-Max}. It posts wherever it is told: wrap it in a
 * {@link dev.asyncqueue.callback.GuardedCallbackSender} to keep callbacks away from metadata addresses.
 */
public final class HttpCallbackSender implements CallbackSender, AutoCloseable {
    private final HttpClient client;
    private final ExecutorService executor;
    private final Duration timeout;

    /** A sender with its own client and the given timeout per callback. */
    public HttpCallbackSender(Duration timeout) {
        this.timeout = timeout;
        this.executor = Executors.newFixedThreadPool(2, Threads.named("async-queue-callback"));
        this.client = JdkHttpClients.create(executor);
    }

    @Override
    public CompletionStage<Integer> send(Callback callback) {
        HttpRequest.Builder request = HttpRequest.newBuilder(callback.url())
                .version(JdkHttpClients.versionFor(callback.url()))
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(callback.result().body()));
        ForwardedHeaders.copy(callback.result().headers(), request);
        request.setHeader("User-Agent", HttpInvoker.USER_AGENT)
                .setHeader(CallHeaders.CALL_ID, callback.invocation().callId())
                .setHeader(CallHeaders.FUNCTION_NAME, callback.invocation().function())
                .setHeader(CallHeaders.FUNCTION_STATUS, Integer.toString(callback.result().status()))
                .setHeader(CallHeaders.DURATION_SECONDS, String.format(Locale.ROOT, "%.6f",
                        callback.result().duration().toNanos() / 1e9))
                .setHeader(CallHeaders.RETRY, Integer.toString(callback.retries()))
                .setHeader(CallHeaders.RETRY_MAX, Integer.toString(callback.maxRetries()));
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode);
    }

    /** Stops the sender's threads. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
