package dev.asyncqueue.http;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends requests on one HTTP client. The future fails with a {@link java.util.concurrent.TimeoutException}
 * or {@link java.net.http.HttpTimeoutException} when the exchange outlives its timeout, and cancelling it
 * aborts the exchange.
 */
interface Transport extends AutoCloseable {

    /** Sends {@code request}; {@code readBody} false discards the answer's body. */
    CompletableFuture<Answer> exchange(OutgoingRequest request, Duration timeout, boolean readBody);

    /** Which client this is, for {@code toString}. */
    String describe();

    /** Stops the client's threads and closes its connections; exchanges still running fail. */
    @Override
    void close();
}
