package dev.asyncqueue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Decides how a worker's pulls are spread: one shared source ({@code static}) or one per function. */
public interface ConsumerStrategy extends AutoCloseable {

    /** Prepares consumers; called once by the worker before its first pull. */
    void start();

    /** The sources to pull from now, in the order they should be served. */
    List<WorkSource> sources();

    /** Releases the strategy's consumers and subscriptions; queued work stays in the queue. */
    @Override
    void close();

    /** The queue it drains, if it has one name; a worker takes it as its own name unless given one. */
    default Optional<String> queue() {
        return Optional.empty();
    }

    /**
     * How long the queue waits for an ack or a keep-alive before it delivers a message again, if known; a
     * worker keeps its calls alive well within it.
     */
    default Optional<Duration> ackWait() {
        return Optional.empty();
    }

    /**
     * True once the transport under it is closed for good, so nothing can be pulled again (a connection that
     * gave up reconnecting, or was closed); false while it may still recover (default false).
     */
    default boolean isClosed() {
        return false;
    }
}
