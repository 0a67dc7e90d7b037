package dev.asyncqueue.benchmarks.ingest;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A bare ingest on one HTTP server technology: every request's body goes to an action, and the request is
 * answered 202 when the action's stage completes (500 when it fails).
 */
public interface BareServer extends AutoCloseable {
    /** The port it listens on (loopback and every other address). */
    int port();

    /** Stops the server and its threads. */
    @Override
    void close();

    /** What the server does with a request's body; the answer waits for the returned stage. */
    interface Action extends Function<byte[], CompletableFuture<?>> {
        /** Answers at once, publishing nothing: the server's own ceiling. */
        Action ANSWER_ONLY = body -> CompletableFuture.completedFuture(null);
    }

    /** The servers this package can start, by name: {@code jdk}, {@code jetty}, {@code netty}. */
    static BareServer start(String technology, Action action) throws Exception {
        return switch (technology) {
            case "jdk" -> JdkBareServer.start(action);
            case "jetty" -> JettyBareServer.start(action);
            case "netty" -> NettyBareServer.start(action);
            default -> throw new IllegalArgumentException("unknown server " + technology);
        };
    }
}
