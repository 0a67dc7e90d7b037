package dev.asyncqueue.http;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.callback.CallbackSender;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Posts results as the OpenFaaS queue-worker does: the function's body and headers plus
 * {@code X-Call-Id}, {@code X-Function-Name}, {@code X-Function-Status}, {@code X-Duration-Seconds},
 * {@code X-Retry} and {@code X-Retry-Max}. It never follows a redirect. It posts wherever it is told: wrap
 * it in a {@link dev.asyncqueue.callback.GuardedCallbackSender} to keep callbacks away from metadata
 * addresses. {@link HttpInvoker#callbackSender(Duration)} gives one on the invoker's own client and pool.
 */
public final class HttpCallbackSender implements CallbackSender, AutoCloseable {
    private final Transport transport;
    private final Duration timeout;
    private final boolean ownsTransport;

    /**
     * A sender with a client of its own and the given timeout per callback: Apache HttpClient 5 async with
     * at most 50 callbacks at once, or the JDK's client when Apache HttpClient is not on the class path.
     */
    public HttpCallbackSender(Duration timeout) {
        this(Transports.forCallbacks(), timeout, true);
    }

    HttpCallbackSender(Transport transport, Duration timeout, boolean ownsTransport) {
        if (timeout.isZero() || timeout.isNegative()) throw new IllegalArgumentException("timeout must be positive");
        this.transport = transport;
        this.timeout = timeout;
        this.ownsTransport = ownsTransport;
    }

    @Override
    public CompletionStage<Integer> send(Callback callback) {
        try {
            OutgoingRequest.Headers headers = new OutgoingRequest.Headers().forward(callback.result().headers())
                    .set("User-Agent", HttpInvoker.USER_AGENT)
                    .set(CallHeaders.CALL_ID, callback.invocation().callId())
                    .set(CallHeaders.FUNCTION_NAME, callback.invocation().function())
                    .set(CallHeaders.FUNCTION_STATUS, Integer.toString(callback.result().status()))
                    .set(CallHeaders.DURATION_SECONDS, seconds(callback.result().duration()))
                    .set(CallHeaders.RETRY, Integer.toString(callback.retries()))
                    .set(CallHeaders.RETRY_MAX, Integer.toString(callback.maxRetries()));
            OutgoingRequest request = new OutgoingRequest("POST", callback.url(), headers.list(), callback.result().body());
            return transport.exchange(request, timeout, false).thenApply(Answer::status);
        } catch (IllegalArgumentException unsendable) {
            return CompletableFuture.failedFuture(unsendable);
        }
    }

    /**
     * The duration in seconds with six decimals, rounded half up, as {@code %.6f} writes it; without
     * {@link String#format}, which costs about as much as the rest of building the callback.
     */
    static String seconds(Duration duration) {
        long nanos = duration.toNanos();
        boolean negative = nanos < 0;
        long micros = (Math.abs(nanos) + 500) / 1000;
        String fraction = Long.toString(micros % 1_000_000);
        StringBuilder out = new StringBuilder(24);
        if (negative) out.append('-');
        out.append(micros / 1_000_000).append('.');
        for (int pad = fraction.length(); pad < 6; pad++) out.append('0');
        return out.append(fraction).toString();
    }

    /** Stops the sender's threads; one made by {@link HttpInvoker#callbackSender(Duration)} stops with its invoker. */
    @Override
    public void close() {
        if (ownsTransport) transport.close();
    }
}
