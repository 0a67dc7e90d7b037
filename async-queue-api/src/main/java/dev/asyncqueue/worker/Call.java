package dev.asyncqueue.worker;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.tracing.TracedStep;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One delivery being worked on, from the moment it holds a slot and a permit until it is settled. Its
 * result, a cancellation and shutdown race to settle it; {@link #claimSettlement()} lets exactly one win.
 */
final class Call {
    private final Delivery delivery;
    private final long startedAt;
    private final AtomicReference<Permit> permit;
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile long lastKeepAlive;
    private volatile CompletableFuture<InvocationResult> future;
    private volatile boolean invoked;
    private final AtomicReference<TracedStep> trace = new AtomicReference<>(TracedStep.NONE);

    /** A call of {@code delivery} holding {@code permit}, begun at {@code now} (ticker nanoseconds). */
    Call(Delivery delivery, Permit permit, long now) {
        this.delivery = delivery;
        this.permit = new AtomicReference<>(permit);
        this.startedAt = now;
        this.lastKeepAlive = now;
    }

    Delivery delivery() {
        return delivery;
    }

    Invocation invocation() {
        return delivery.invocation();
    }

    /** When the call began, in ticker nanoseconds. */
    long startedAt() {
        return startedAt;
    }

    /** True for the one caller that gets to settle the delivery. */
    boolean claimSettlement() {
        return settled.compareAndSet(false, true);
    }

    /** True once someone {@link #claimSettlement() claimed} the settlement. */
    boolean isSettled() {
        return settled.get();
    }

    /** Returns the permit with {@code outcome} if it is still held; later calls do nothing. */
    void releasePermit(Outcome outcome) {
        Permit held = permit.getAndSet(null);
        if (held != null) held.release(outcome);
    }

    /** The function is about to be called: from here on the call counts as started. */
    void markInvoked() {
        this.invoked = true;
    }

    /** The function's answer to come; cancelled if the call is abandoned. */
    void awaiting(CompletableFuture<InvocationResult> answer) {
        this.future = answer;
    }

    /** Whether the function was called, as opposed to the call being dropped before it ran. */
    boolean invoked() {
        return invoked;
    }

    /** Gives up on the function's answer, cancelling the call where the invoker can. */
    void abandon() {
        CompletableFuture<InvocationResult> running = future;
        if (running != null) running.cancel(true);
    }

    /** The attempt's traced step, which the function call and the callback continue. */
    TracedStep trace() {
        return trace.get();
    }

    /** Sets the attempt's traced step, ended by {@link #endTrace()}. */
    void trace(TracedStep step) {
        trace.set(step);
    }

    /** Ends the attempt's traced step; later calls do nothing. */
    void endTrace() {
        trace.getAndSet(TracedStep.NONE).end(null);
    }

    /** True, and noted, when the last keep-alive is at least {@code interval} nanoseconds before {@code now}. */
    boolean keepAliveDue(long now, long interval) {
        if (now - lastKeepAlive < interval) return false;
        lastKeepAlive = now;
        return true;
    }
}
