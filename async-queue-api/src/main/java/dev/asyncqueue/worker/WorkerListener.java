package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.retry.RetryDecision;

import java.util.List;

/**
 * Observes what a worker does, for metrics and status tracking. Methods must return quickly: they run where
 * the invoker's future completes (the HTTP client's I/O thread) unless the worker hands outcomes to an
 * executor ({@link QueueWorkerBuilder#settleOn}). One that throws is logged and changes nothing about the call
 * it was told of.
 */
public interface WorkerListener {

    /** A call to the function is about to start. */
    default void invocationStarted(Invocation invocation, int attempt) {
    }

    /** A call ended and the worker decided what follows. */
    default void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
    }

    /**
     * The worker is done with a call it started: after its result was settled and its callback tried,
     * or when it was abandoned (shutdown, cancellation). Each started call ends exactly once.
     */
    default void invocationEnded(Invocation invocation) {
    }

    /** A delivery went back to the queue without using up a retry (limiter said no, function said 429, shutdown). */
    default void deliveryReturned(Invocation invocation, String why) {
    }

    /** The callback of a final result could not be delivered. */
    default void callbackFailed(Invocation invocation, String why) {
    }

    /** A call that exhausted its retries was handed to the dead letters (after its callback). */
    default void deadLettered(Invocation invocation, String reason, int lastStatus) {
    }

    /**
     * A call was cancelled: {@code wasRunning} is false when it was dropped before being invoked, true
     * when a running call was abandoned. It is not retried and its callback says it was cancelled.
     */
    default void cancelled(Invocation invocation, boolean wasRunning) {
    }

    /**
     * The worker's {@link WorkerState} changed, {@code why} in a few words: {@link WorkerState#DEGRADED} when
     * pulls start failing, back to {@link WorkerState#RUNNING} when they work again,
     * {@link WorkerState#TRANSPORT_CLOSED} when the connection is gone for good. Each change is heard once.
     */
    default void stateChanged(WorkerState state, String why) {
    }

    /** All of {@code listeners}, in order; one that throws does not keep the others from hearing. */
    static WorkerListener all(WorkerListener... listeners) {
        return GuardedListener.of(List.of(listeners));
    }

    /** A listener that does nothing. */
    WorkerListener NONE = new WorkerListener() {
    };
}
