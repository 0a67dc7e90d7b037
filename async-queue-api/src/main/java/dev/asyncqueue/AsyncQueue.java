package dev.asyncqueue;

import java.util.concurrent.CompletionStage;

/** A durable queue of invocations that callers enqueue into and workers drain. */
public interface AsyncQueue extends AutoCloseable {

    /** The queue's name (its stream is {@code OF_<name>}). */
    String name();

    /**
     * Stores the invocation; the stage completes when the queue has durably stored it, or
     * exceptionally with {@link QueueUnavailableException} or {@link PayloadTooLargeException}.
     *
     * @throws IllegalArgumentException at once, when the invocation names another queue
     */
    CompletionStage<EnqueueReceipt> enqueue(Invocation invocation);

    /** Starts an invocation of {@code function} on this queue (method POST), so it needs no queue name of its own. */
    default Invocation.Builder invocation(String function) {
        return Invocation.builder(function).queue(name());
    }

    /** Largest encoded invocation the queue accepts, in bytes. */
    long maxMessageBytes();

    /** What the queue holds now, in total and per function; cheap enough to poll every few seconds. */
    PendingMessages pending();

    /** True while the queue can accept work (connected and its stream exists). */
    boolean isAvailable();

    /** Releases what this queue holds; it does not delete stored invocations. */
    @Override
    void close();
}
