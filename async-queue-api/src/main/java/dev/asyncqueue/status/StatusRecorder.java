package dev.asyncqueue.status;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.retry.RetryDecision;
import dev.asyncqueue.worker.WorkerListener;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes each call's state to a {@link StatusStore} as the worker moves it along (running, retrying,
 * succeeded, failed, cancelled), and, through {@link #track(AsyncQueue)}, records it as queued at enqueue.
 */
public final class StatusRecorder implements WorkerListener {
    private final StatusStore store;
    private final Clock clock;
    /** Attempt of each call in flight, since {@link #invocationFinished} does not carry it. */
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

    /** A recorder writing to {@code store}, timestamps from {@code clock}. */
    public StatusRecorder(StatusStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The queue as it was, but every stored invocation is recorded as queued. */
    public AsyncQueue track(AsyncQueue queue) {
        return new TrackedQueue(queue, this);
    }

    void queued(Invocation invocation) {
        record(invocation, CallState.QUEUED, 0, 0, "");
    }

    void notStored(Invocation invocation, Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        record(invocation, CallState.FAILED, 0, 0, "not stored: " + cause.getClass().getSimpleName());
    }

    @Override
    public void invocationStarted(Invocation invocation, int attempt) {
        attempts.put(invocation.callId(), attempt);
        record(invocation, CallState.RUNNING, attempt, 0, "");
    }

    @Override
    public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
        int attempt = attempts.getOrDefault(invocation.callId(), 0);
        CallState state = decision.retry() ? CallState.RETRYING
                : result.isSuccess() ? CallState.SUCCEEDED : CallState.FAILED;
        String detail = decision.retry() ? "attempt " + attempt + " answered " + result.status() + "; next in "
                + decision.delay() : decision.reason();
        record(invocation, state, attempt, result.status(), detail);
    }

    @Override
    public void deadLettered(Invocation invocation, String reason, int lastStatus) {
        record(invocation, CallState.FAILED, attempts.getOrDefault(invocation.callId(), 0), lastStatus,
                "dead-lettered: " + reason);
    }

    @Override
    public void cancelled(Invocation invocation, boolean wasRunning) {
        record(invocation, CallState.CANCELLED, attempts.getOrDefault(invocation.callId(), 0), 0,
                wasRunning ? "abandoned while running" : "cancelled before it ran");
    }

    @Override
    public void invocationEnded(Invocation invocation) {
        attempts.remove(invocation.callId());
    }

    private void record(Invocation invocation, CallState state, int attempt, int status, String detail) {
        store.update(new CallStatus(invocation.callId(), invocation.function(), invocation.queue(), state, attempt,
                status, clock.instant(), detail));
    }
}
