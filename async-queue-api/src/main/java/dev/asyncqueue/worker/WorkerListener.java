package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.retry.RetryDecision;

/** Observes what a worker does, for metrics and status tracking; methods must return quickly and not throw. */
public interface WorkerListener {

    /** A call to the function is about to start. */
    default void invocationStarted(Invocation invocation, int attempt) {
    }

    /** A call ended and the worker decided what follows. */
    default void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
    }

    /** A delivery went back to the queue without using up a retry (limiter said no, function said 429, shutdown). */
    default void deliveryReturned(Invocation invocation, String why) {
    }

    /** The callback of a final result could not be delivered. */
    default void callbackFailed(Invocation invocation, String why) {
    }

    /** A listener that does nothing. */
    WorkerListener NONE = new WorkerListener() {
    };
}
