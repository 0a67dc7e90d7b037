package dev.asyncqueue;

import java.util.List;

/** Decides how a worker's pulls are spread: one shared source ({@code static}) or one per function. */
public interface ConsumerStrategy extends AutoCloseable {

    /** Prepares consumers; called once by the worker before its first pull. */
    void start();

    /** The sources to pull from now, in the order they should be served. */
    List<WorkSource> sources();

    /** Releases the strategy's consumers and subscriptions; queued work stays in the queue. */
    @Override
    void close();
}
